/**
 * Step 1 of the GPU check: the loss and every gradient of a small
 * configuration computed on webgpu and on cpu from the same weights, input
 * and dropout seed, compared with the model's backend-equivalence rule
 * (error <= 1e-4 of each tensor's largest magnitude).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { lossOf } from "../../lib/model/ops/loss.ts";
import { trainableWeights } from "../../lib/model/infra/train_step.ts";
import { compareTensors } from "./stats.ts";
import type { CorrectnessReport, GradientCheck, LongReductionReport } from "./report.ts";
import { type CheckModel, createCheckModel, inputTensors } from "./model_api.ts";
import { syntheticInput } from "./inputs.ts";

interface BackendPass {
  loss: number;
  grads: Map<string, { shape: number[]; values: Float32Array }>;
}

async function lossAndGrads(
  model: CheckModel,
  raw: ReturnType<typeof syntheticInput>,
  seed: number,
): Promise<BackendPass> {
  const names = [...trainableWeights(model.model)];
  const vars = names.map(([, v]) => v);
  const input = inputTensors(raw);
  const labels = tf.tensor1d(raw.labels, "int32");
  try {
    const { value, grads } = tf.variableGrads(
      () =>
        lossOf(model.model.apply(input, { training: true, seed }), labels, {
          loss: "cross-entropy",
        }),
      vars,
    );
    // Asynchronous reads: webgpu cannot read synchronously in Deno (docs/gpu.md).
    const out: BackendPass = { loss: (await value.data())[0]!, grads: new Map() };
    for (const [name, v] of names) {
      const g = grads[v.name];
      if (g) out.grads.set(name, { shape: g.shape, values: (await g.data()) as Float32Array });
    }
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    return out;
  } finally {
    tf.dispose([input.frames, input.bands, labels]);
  }
}

/**
 * Runs the comparison. Leaves the webgpu backend active.
 *
 * @param preset Model preset of the check (small: `tiny`).
 * @param batch Objects in the batch.
 * @param tol Relative tolerance.
 */
export async function checkCorrectness(
  preset: string,
  batch: number,
  tol = 1e-4,
): Promise<CorrectnessReport> {
  const t0 = performance.now();
  const seed = 7;
  // Reference on cpu; its initial weights are copied to the webgpu model.
  await tf.setBackend("cpu");
  const cpuModel = createCheckModel(preset, seed);
  const initial = new Map<string, Float32Array>();
  for (const [name, v] of cpuModel.model.weights()) {
    initial.set(name, v.dataSync().slice() as Float32Array);
  }
  const raw = syntheticInput(batch, cpuModel.length, cpuModel.size, seed);
  const ref = await lossAndGrads(cpuModel, raw, seed);
  cpuModel.model.dispose();

  await tf.setBackend("webgpu");
  const gpuModel = createCheckModel(preset, seed);
  tf.tidy(() => {
    for (const [name, v] of gpuModel.model.weights()) {
      const w = initial.get(name);
      if (w) v.assign(tf.tensor(w, v.shape, v.dtype));
    }
  });
  const got = await lossAndGrads(gpuModel, raw, seed);
  gpuModel.model.dispose();

  const gradients: GradientCheck[] = [];
  for (const [name, r] of ref.grads) {
    const g = got.grads.get(name);
    if (!g) {
      gradients.push({
        name,
        shape: r.shape,
        maxAbsRef: NaN,
        maxAbsDiff: NaN,
        relErr: Infinity,
        exactZero: false,
        ok: false,
      });
      continue;
    }
    const c = compareTensors(g.values, r.values, tol);
    gradients.push({
      name,
      shape: r.shape,
      maxAbsRef: c.maxAbsRef,
      maxAbsDiff: c.maxAbsDiff,
      relErr: c.relErr,
      exactZero: c.exactZero,
      ok: c.ok,
    });
  }
  const lossRelErr = Math.abs(got.loss - ref.loss) / Math.max(Math.abs(ref.loss), 1e-30);
  let worst = { relErr: lossRelErr, name: "loss" };
  for (const g of gradients) {
    if (!(g.relErr <= worst.relErr)) worst = { relErr: g.relErr, name: g.name };
  }
  return {
    preset,
    batch,
    tolerance: tol,
    lossWebgpu: got.loss,
    lossCpu: ref.loss,
    lossRelErr,
    gradients,
    worstRelErr: worst.relErr,
    worstName: worst.name,
    ok: Number.isFinite(got.loss) && lossRelErr <= tol && gradients.length > 0 &&
      gradients.every((g) => g.ok),
    seconds: (performance.now() - t0) / 1000,
    longReduction: null,
  };
}

/**
 * Gradients of the summed loss in inference mode (no dropout, BatchNorm on
 * running statistics: the loss is a plain sum over objects) on the active
 * backend, accumulated in float64 on the host.
 */
async function summedGrads(
  model: CheckModel,
  raw: ReturnType<typeof syntheticInput>,
  rows: [number, number],
): Promise<Map<string, Float64Array>> {
  const names = [...trainableWeights(model.model)];
  const [r0, r1] = rows;
  const l = raw.length, px = raw.size * raw.size;
  const sub = {
    ...raw,
    batch: r1 - r0,
    frames: raw.frames.subarray(r0 * l * px, r1 * l * px),
    bands: raw.bands.subarray(r0 * l, r1 * l),
    labels: raw.labels.subarray(r0, r1),
  };
  const input = inputTensors(sub);
  const labels = tf.tensor1d(sub.labels, "int32");
  try {
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const logits = model.model.apply(input, { training: false });
        const onehot = tf.oneHot(labels, logits.shape[1]);
        return tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)))) as tf.Scalar;
      }), names.map(([, v]) => v));
    const out = new Map<string, Float64Array>();
    for (const [name, v] of names) {
      const g = grads[v.name];
      if (g) out.set(name, Float64Array.from((await g.data()) as Float32Array));
    }
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
    return out;
  } finally {
    tf.dispose([input.frames, input.bands, labels]);
  }
}

/**
 * Long reductions on the GPU (the software adapter silently cut shader loops
 * longer than 65,535 iterations, TFJS.md): the gradients of a summed loss
 * over `batch` objects in one pass must equal the sum of the gradients over
 * `chunks` smaller passes (inference mode, so the loss is additive). With the
 * paper preset at batch 32, conv1's kernel gradient reduces over
 * 32 x 33 x 13 x 13 = 178,464 positions in one pass, 44,616 per chunk of 8.
 * Runs on the active backend; a truncated loop shows as a large mismatch.
 */
export async function checkLongReductions(
  preset: string,
  batch: number,
  chunks: number,
  tol = 1e-4,
): Promise<LongReductionReport> {
  const t0 = performance.now();
  const m = createCheckModel(preset, 13);
  try {
    const raw = syntheticInput(batch, m.length, m.size, 29);
    const full = await summedGrads(m, raw, [0, batch]);
    const acc = new Map<string, Float64Array>();
    const per = Math.ceil(batch / chunks);
    for (let r = 0; r < batch; r += per) {
      const part = await summedGrads(m, raw, [r, Math.min(batch, r + per)]);
      for (const [name, g] of part) {
        const a = acc.get(name);
        if (!a) acc.set(name, g);
        else for (let i = 0; i < g.length; i++) a[i] = a[i]! + g[i]!;
      }
    }
    let worst = { relErr: 0, name: "" };
    let ok = full.size > 0 && full.size === acc.size;
    // "Exactly zero" gradients (conv biases before BatchNorm, M's bias) are float32 noise in
    // both passes: a tensor counts as zero below 1e-6 of the largest gradient magnitude.
    let scale = 0;
    for (const g of acc.values()) for (const v of g) scale = Math.max(scale, Math.abs(v));
    const zeroAbs = Math.max(1e-6, 1e-6 * scale);
    for (const [name, g] of full) {
      const ref = acc.get(name);
      if (!ref) {
        ok = false;
        continue;
      }
      const c = compareTensors(g, ref, tol, zeroAbs);
      if (!c.ok) ok = false;
      if (!(c.relErr <= worst.relErr)) worst = { relErr: c.relErr, name };
    }
    return {
      preset,
      batch,
      chunks,
      tensors: full.size,
      worstRelErr: worst.relErr,
      worstName: worst.name,
      ok,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    m.model.dispose();
  }
}
