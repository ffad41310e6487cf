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
import type { CorrectnessReport, GradientCheck } from "./report.ts";
import { batchTensors, syntheticBatch } from "../bench/step_setup.ts";
import type { Batch } from "../../lib/data/batch.ts";
import { createConvEntion, type PresetName } from "../../lib/model/convention.ts";

interface BackendPass {
  loss: number;
  grads: Map<string, { shape: number[]; values: Float32Array }>;
}

async function lossAndGrads(
  model: ReturnType<typeof createConvEntion>,
  raw: Batch,
  seed: number,
): Promise<BackendPass> {
  const names = [...trainableWeights(model)];
  const vars = names.map(([, v]) => v);
  const { input, labels } = batchTensors(raw);
  try {
    const { value, grads } = tf.variableGrads(
      () =>
        lossOf(model.apply(input, { training: true, seed }), labels, {
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
  preset: PresetName,
  batch: number,
  tol = 1e-4,
): Promise<CorrectnessReport> {
  const t0 = performance.now();
  const seed = 7;
  // Reference on cpu; its initial weights are copied to the webgpu model.
  await tf.setBackend("cpu");
  const cpuModel = createConvEntion(preset, seed);
  const initial = new Map<string, Float32Array>();
  for (const [name, v] of cpuModel.weights()) {
    initial.set(name, v.dataSync().slice() as Float32Array);
  }
  const raw = syntheticBatch(batch, cpuModel.config.length, cpuModel.config.stamp, seed);
  const ref = await lossAndGrads(cpuModel, raw, seed);
  cpuModel.dispose();

  await tf.setBackend("webgpu");
  const gpuModel = createConvEntion(preset, seed);
  tf.tidy(() => {
    for (const [name, v] of gpuModel.weights()) {
      const w = initial.get(name);
      if (w) v.assign(tf.tensor(w, v.shape, v.dtype));
    }
  });
  const got = await lossAndGrads(gpuModel, raw, seed);
  gpuModel.dispose();

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
  };
}
