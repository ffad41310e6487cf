/**
 * The measuring steps of the GPU check: the adapter, correctness (webgpu vs
 * cpu), ms per training step, the PyTorch ratio and the paper's training
 * extrapolated. Each returns a plain JSON-able report; `check.ts` runs them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { shardGradients, trainableWeights } from "../../lib/model/infra/train_step.ts";
import { probeWebGpu } from "../../lib/train/backend.ts";
import { createConvEntion, type PresetName } from "../../lib/model/convention.ts";
import { batchTensors, stepSetup, syntheticBatch } from "../bench/step_setup.ts";
import { compareTensors, median, type TorchRun } from "../bench/shared.ts";

/** Whether adapter strings name an NVIDIA GPU (name or PCI vendor id 0x10de). */
export function looksNvidia(...texts: string[]): boolean {
  return texts.some((t) =>
    /nvidia|geforce|tesla|quadro|\bh100\b|\bh200\b|0x10de|\b4318\b/i.test(t)
  );
}

/** lib's adapter probe with what the check adds: whether it is NVIDIA, the wgpu backend. */
export async function probeAdapter() {
  const p = await probeWebGpu();
  const a = p.adapter ?? {
    vendor: "",
    architecture: "",
    device: "",
    description: "",
    isFallbackAdapter: false,
    limits: {},
    features: [],
  };
  return {
    found: p.any,
    ...a,
    nvidia: looksNvidia(a.vendor, a.architecture, a.device, a.description),
    wgpuBackend: Deno.env.get("DENO_WEBGPU_BACKEND") ?? "default",
    error: p.any ? undefined : p.detail,
  };
}

/** The adapter's report. */
export type AdapterReport = Awaited<ReturnType<typeof probeAdapter>>;

/** The loss and every trainable gradient of `preset` (seed 7) from `initial` weights, if given. */
async function lossAndGrads(preset: PresetName, batch: number, initial?: Float32Array[]) {
  const seed = 7;
  const model = createConvEntion(preset, seed);
  const all = [...model.weights()];
  if (initial) {
    tf.tidy(() => all.forEach(([, v], i) => v.assign(tf.tensor(initial[i]!, v.shape, v.dtype))));
  }
  const weights = await Promise.all(all.map(([, v]) => v.data() as Promise<Float32Array>));
  const names = [...trainableWeights(model).keys()];
  const c = model.config;
  const { input, labels } = batchTensors(syntheticBatch(batch, c.length, c.stamp, seed));
  try {
    const r = await shardGradients(model, names, input, labels, { seed });
    return { loss: r.loss, grads: new Map(names.map((n, i) => [n, r.grads[i]!])), weights };
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
