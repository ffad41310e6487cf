/**
 * The measuring steps of the GPU check: the adapter, correctness (webgpu vs
 * cpu), ms per training step, the PyTorch ratio and the paper's training
 * extrapolated. Each returns a plain JSON-able report; `check.ts` runs them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { lossOf } from "../../lib/model/ops/loss.ts";
import { trainableWeights } from "../../lib/model/infra/train_step.ts";
import { createConvEntion, type PresetName } from "../../lib/model/convention.ts";
import { batchTensors, stepSetup, syntheticBatch } from "../bench/step_setup.ts";
import { median } from "../bench/shared.ts";

/** Whether adapter strings name an NVIDIA GPU (name or PCI vendor id 0x10de). */
export function looksNvidia(...texts: string[]): boolean {
  return texts.some((t) =>
    /nvidia|geforce|tesla|quadro|\bh100\b|\bh200\b|0x10de|\b4318\b/i.test(t)
  );
}

/** What `navigator.gpu` gives (never throws: `error` says what failed). */
export async function probeAdapter() {
  const wgpuBackend = Deno.env.get("DENO_WEBGPU_BACKEND") ?? "default";
  const r = {
    found: false,
    vendor: "",
    architecture: "",
    device: "",
    description: "",
    isFallbackAdapter: false,
    nvidia: false,
    wgpuBackend,
    limits: {} as Record<string, number>,
    features: [] as string[],
    error: undefined as string | undefined,
  };
  try {
    const adapter = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { ...r, error: "navigator.gpu gave no adapter" };
    const info = adapter.info;
    for (const name of ["maxBufferSize", "maxStorageBufferBindingSize"]) {
      const v = (adapter.limits as unknown as Record<string, unknown>)[name];
      if (typeof v === "number") r.limits[name] = v;
    }
    const str = (v: unknown) => String(v ?? "");
    r.vendor = str(info.vendor);
    r.architecture = str(info.architecture);
    r.device = str(info.device);
    r.description = str(info.description);
    r.found = true;
    r.isFallbackAdapter = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter);
    r.nvidia = looksNvidia(r.vendor, r.architecture, r.device, r.description);
    r.features = [...adapter.features].map(String).sort();
    return r;
  } catch (err) {
    return { ...r, error: String(err) };
  }
}

/** The adapter's report. */
export type AdapterReport = Awaited<ReturnType<typeof probeAdapter>>;

/**
 * The backend-equivalence rule of the project: the largest |candidate -
 * reference| is at most `tol` of the reference's largest magnitude; a
 * reference below 1e-6 everywhere is an exactly-zero gradient (a conv bias
 * before training-mode BatchNorm), where the candidate must stay below 1e-6 too.
 */
export function compareTensors(
  candidate: ArrayLike<number>,
  reference: ArrayLike<number>,
  tol = 1e-4,
) {
  let maxAbsRef = 0, maxAbsCand = 0, maxAbsDiff = 0;
  for (let i = 0; i < reference.length; i++) {
    const c = candidate[i] ?? NaN, r = reference[i]!;
    maxAbsRef = Math.max(maxAbsRef, Math.abs(r));
    maxAbsCand = Math.max(maxAbsCand, Math.abs(c));
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(c - r));
  }
  const exactZero = maxAbsRef < 1e-6;
  const relErr = exactZero ? 0 : maxAbsDiff / maxAbsRef;
  const ok = candidate.length === reference.length &&
    (exactZero ? maxAbsCand <= 1e-6 : relErr <= tol);
  return { maxAbsRef, maxAbsDiff, relErr, exactZero, ok };
}

async function lossAndGrads(
  preset: PresetName,
  batch: number,
  initial?: Map<string, Float32Array>,
) {
  const seed = 7;
  const model = createConvEntion(preset, seed);
  if (initial) {
    tf.tidy(() => {
      for (const [name, v] of model.weights()) {
        v.assign(tf.tensor(initial.get(name)!, v.shape, v.dtype));
      }
    });
  }
  const weights = new Map<string, Float32Array>();
  for (const [name, v] of model.weights()) weights.set(name, (await v.data()) as Float32Array);
  const names = [...trainableWeights(model)];
  const c = model.config;
  const { input, labels } = batchTensors(syntheticBatch(batch, c.length, c.stamp, seed));
  try {
    const { value, grads } = tf.variableGrads(
      () => lossOf(model.apply(input, { training: true, seed }), labels),
      names.map(([, v]) => v),
    );
    // Asynchronous reads: webgpu cannot read synchronously in Deno (docs/gpu.md).
    const out = { loss: (await value.data())[0]!, grads: new Map<string, Float32Array>(), weights };
    for (const [name, v] of names) {
      out.grads.set(name, (await grads[v.name]!.data()) as Float32Array);
    }
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  } finally {
    tf.dispose([input.frames, input.bands, labels]);
    model.dispose();
  }
}

/**
 * Step 1: the loss and every gradient of `preset` at `batch`, on cpu and on
 * webgpu from the same weights, input and dropout seed. Leaves webgpu active.
 */
export async function checkCorrectness(preset: PresetName, batch: number, tolerance = 1e-4) {
  const t0 = performance.now();
  await tf.setBackend("cpu");
  const ref = await lossAndGrads(preset, batch);
  await tf.setBackend("webgpu");
  const got = await lossAndGrads(preset, batch, ref.weights);
  const gradients = [...ref.grads].map(([name, r]) => ({
    name,
    ...compareTensors(got.grads.get(name) ?? [], r, tolerance),
  }));
  const lossRelErr = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
  const worst = gradients.reduce((w, g) => (g.relErr > w.relErr ? g : w), {
    relErr: lossRelErr,
    name: "loss",
  });
  return {
    preset,
    batch,
    tolerance,
    lossWebgpu: got.loss,
    lossCpu: ref.loss,
    lossRelErr,
    gradients,
    worstRelErr: worst.relErr,
    worstName: worst.name,
    ok: lossRelErr <= tolerance && gradients.length > 0 && gradients.every((g) => g.ok),
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Step 2: ms per training step (forward, backward, Adam; the loss read back
 * each step, as training does) of `preset` at `batch` on the active backend:
 * 2 warm-up steps, then 3 to 10 timed steps that fit before `endS`
 * (performance.now() seconds). Errors (out of memory) are returned, not thrown.
 * GPU memory: run.sh samples nvidia-smi every 500 ms (nvsmi.csv).
 */
export async function timeBatch(preset: PresetName, batch: number, endS: number) {
  const run = {
    batch,
    warmupMs: [] as number[],
    stepMs: [] as number[],
    medianMs: NaN,
    meanMsSynced: NaN,
    objectsPerS: NaN,
    tfMemory: {} as tf.MemoryInfo,
    error: undefined as string | undefined,
  };
  const s = stepSetup(preset, batch);
  const step = async () => {
    const t = performance.now();
    await s.step();
    return performance.now() - t;
  };
  const leftS = () => endS - performance.now() / 1000;
  try {
    for (let i = 0; i < 2 && (i === 0 || leftS() > run.warmupMs[0]! / 1000); i++) {
      run.warmupMs.push(await step());
    }
    const tLoop = performance.now();
    const last = run.warmupMs.at(-1)!;
    while (run.stepMs.length < 10 && (run.stepMs.length < 3 || leftS() > last / 1000)) {
      run.stepMs.push(await step());
    }
    // Each step waits for its loss, hence for the previous update; wait for the last one here.
    await s.opt.variables().values().next().value!.data();
    run.meanMsSynced = (performance.now() - tLoop) / run.stepMs.length;
    run.medianMs = median(run.stepMs);
    run.objectsPerS = batch / (run.medianMs / 1000);
    run.tfMemory = tf.memory();
  } catch (err) {
    run.error = String(err);
  } finally {
    s.dispose();
  }
  return run;
}

/** One batch size's timing. */
export type SpeedRun = Awaited<ReturnType<typeof timeBatch>>;

/** One PyTorch timing, as `tasks/pytorch/torch_bench.py` writes it. */
export interface TorchRun {
  batch: number;
  /** "default": PyTorch defaults (cuDNN may use TF32); "fp32": TF32 off everywhere. */
  precision: string;
  medianMs: number;
  objectsPerS: number;
  stepMs: number[];
  error?: string;
}

/** Step 3: the PyTorch timings `torch_bench.py` wrote, with the webgpu/PyTorch ratio per batch. */
export async function torchReport(path: string, speed: SpeedRun[]) {
  const t = JSON.parse(await Deno.readTextFile(path)) as {
    device: string;
    deviceName: string;
    torchVersion: string;
    runs: TorchRun[];
    error?: string;
  };
  const ratios = speed.filter((s) => !s.error).flatMap((s) =>
    t.runs.filter((q) => q.batch === s.batch && Number.isFinite(q.medianMs)).map((q) => ({
      batch: s.batch,
      precision: q.precision,
      webgpuMs: s.medianMs,
      torchMs: q.medianMs,
      ratio: s.medianMs / q.medianMs,
    }))
  );
  return { ...t, ratios };
}

/** The paper's training: 8,249 objects x 50 epochs at batch 128 (about 3 h); our goal 30 min. */
export const PAPER_TRAINING = {
  objects: 8249,
  epochs: 50,
  batch: 128,
  goalMinutes: 30,
  paperHours: 3,
};

/**
 * The paper's training extrapolated from measured step times: the batch-128
 * step (else the largest batch timed, scaled by 128 / batch), times
 * ceil(objects / batch) x epochs steps (training steps only). Null when none was timed.
 */
export function extrapolate(runs: SpeedRun[]) {
  const p = PAPER_TRAINING;
  const ok = runs.filter((r) => !r.error).sort((x, y) => y.batch - x.batch);
  const r = ok.find((x) => x.batch === p.batch) ?? ok[0];
  if (!r) return null;
  const msPerStep = r.medianMs * p.batch / r.batch;
  const steps = Math.ceil(p.objects / p.batch) * p.epochs;
  const minutes = steps * msPerStep / 60_000;
  return {
    ...p,
    fromBatch: r.batch,
    msPerStep,
    steps,
    minutes,
    meetsGoal: minutes <= p.goalMinutes,
  };
}
