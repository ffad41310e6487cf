/**
 * The JSON document the GPU check writes (`gpu_check.json`), rewritten
 * atomically after every step so that a run killed at its time limit still
 * leaves every finished step on disk.
 *
 * @module
 */

/** Schema name written into every result. */
export const SCHEMA = "convention-gpu-check/1";

/** What `navigator.gpu` gave. */
export interface AdapterReport {
  /** Whether an adapter was returned at all. */
  found: boolean;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** Whether it looks like an NVIDIA GPU (vendor/description/device). */
  nvidia: boolean;
  /** The wgpu backend forced through DENO_WEBGPU_BACKEND, or "default". */
  wgpuBackend: string;
  /** A few limits that matter for large tensors. */
  limits: Record<string, number>;
  features: string[];
  /** Error text when requestAdapter/requestDevice failed. */
  error?: string;
}

/** One tensor compared across backends. */
export interface GradientCheck {
  name: string;
  shape: number[];
  maxAbsRef: number;
  maxAbsDiff: number;
  relErr: number;
  /** An exactly-zero gradient (float32 noise on both backends), compared absolutely (1e-6). */
  exactZero: boolean;
  ok: boolean;
}

/** Step 1b: one long-reduction pass vs the sum of chunked passes, on the GPU. */
export interface LongReductionReport {
  preset: string;
  batch: number;
  chunks: number;
  /** Gradient tensors compared. */
  tensors: number;
  worstRelErr: number;
  worstName: string;
  ok: boolean;
  seconds: number;
}

/** Step 1c: several training steps, webgpu vs cpu. */
export interface TrainingStepsReport {
  preset: string;
  batch: number;
  steps: number;
  /** Plain SGD: worst relative error of a weight after the last step. */
  sgdWorstRelErr: number;
  sgdWorstName: string;
  sgdOk: boolean;
  /** The check's training step (Adam): the loss of each step on each backend. */
  adamLossesCpu: number[];
  adamLossesWebgpu: number[];
  adamLossWorstRelErr: number;
  adamOk: boolean;
  ok: boolean;
  seconds: number;
}

/** Step 1: loss and gradients, webgpu vs cpu. */
export interface CorrectnessReport {
  preset: string;
  batch: number;
  tolerance: number;
  lossWebgpu: number;
  lossCpu: number;
  lossRelErr: number;
  gradients: GradientCheck[];
  worstRelErr: number;
  worstName: string;
  /** Whether the webgpu vs cpu comparison passed. */
  ok: boolean;
  seconds: number;
  /** The long-reduction self-consistency check of the preset on webgpu (null: not run). */
  longReduction: LongReductionReport | null;
  /** Several training steps on webgpu vs cpu (null: not run). */
  trainingSteps: TrainingStepsReport | null;
}

/** Timing of one batch size. */
export interface SpeedRun {
  batch: number;
  warmupSteps: number;
  /** Milliseconds of each warm-up step (the first includes shader compilation). */
  warmupMs: number[];
  /** Milliseconds of each timed step (forward + backward + Adam, losses read back). */
  stepMs: number[];
  medianMs: number;
  /** Wall time of all timed steps plus the wait for the last update, divided by the steps. */
  meanMsSynced: number;
  objectsPerS: number;
  /** tf.memory() after the timed steps. */
  tfMemory: { numTensors: number; numBytes: number; numBytesInGPU: number | null };
  /** nvidia-smi memory.used (MiB) after the timed steps, when readable. */
  gpuMemUsedMiB: number | null;
  error?: string;
}

/** Step 2: paper preset step times. */
export interface SpeedReport {
  preset: string;
  paramCount: number;
  runs: SpeedRun[];
  seconds: number;
}

/** One PyTorch timing (from torch_bench.py). */
export interface TorchRun {
  batch: number;
  /** "default": PyTorch defaults (cuDNN may use TF32); "fp32": TF32 off everywhere. */
  precision: string;
  medianMs: number;
  objectsPerS: number;
  stepMs: number[];
  error?: string;
}

/** Step 3: PyTorch on the same preset and batches, and the ratio. */
export interface TorchReport {
  device: string;
  deviceName: string;
  torchVersion: string;
  runs: TorchRun[];
  /** webgpu median ms / PyTorch median ms, per batch and precision (> 1: WebGPU slower). */
  ratios: { batch: number; precision: string; webgpuMs: number; torchMs: number; ratio: number }[];
  error?: string;
}

/** One epoch of the short training. */
export interface EpochReport {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valAccuracy: number;
  valBalancedAccuracy: number;
  steps: number;
  seconds: number;
}

/** Step 4: simulate, train the preset for a few minutes, validate each epoch. */
export interface TrainingReport {
  preset: string;
  objects: number;
  train: number;
  val: number;
  classes: string[];
  classCounts: Record<string, number>;
  simulateSeconds: number;
  simulateObjectsPerS: number;
  batch: number;
  learningRate: number;
  epochs: EpochReport[];
  /** Why training stopped: "budget" or "epochs". */
  stoppedBy: string;
  seconds: number;
}

/** The paper's full training extrapolated from the measured step time. */
export interface ExtrapolationReport {
  objects: number;
  epochs: number;
  batch: number;
  msPerStep: number;
  steps: number;
  minutes: number;
  goalMinutes: number;
  paperHours: number;
  meetsGoal: boolean;
}

/** What the check set out to do. */
export interface CheckPlan {
  /** Preset of the speed step and the training ("paper", or "tiny" in rehearsal). */
  preset: string;
  batches: number[];
  objects: number;
  trainBatch: number;
  correctnessPreset: string;
  correctnessBatch: number;
  workers: number;
}

/** The whole result document. */
export interface GpuCheckResult {
  schema: string;
  mode: "gpu" | "rehearse";
  sizes: "full" | "tiny";
  startedAt: string;
  budgetS: number;
  elapsedS: number;
  /** "running" until the end; then "done" or "failed". */
  status: "running" | "done" | "failed";
  env: Record<string, string | number | boolean | null>;
  /** What the check set out to do (preset, batches, objects, ...). */
  plan: CheckPlan | null;
  adapter: AdapterReport | null;
  correctness: CorrectnessReport | null;
  speed: SpeedReport | null;
  pytorch: TorchReport | null;
  training: TrainingReport | null;
  extrapolation: ExtrapolationReport | null;
  /** Steps skipped for lack of time or because an earlier step failed, with the reason. */
  skipped: Record<string, string>;
  /** Errors caught per step (the run goes on to the next step). */
  errors: Record<string, string>;
  /** One-line verdicts, e.g. "adapter: NVIDIA H100 (vulkan)", "correctness: ok (worst 3e-6)". */
  verdict: string[];
}

/** A fresh result with every step empty. */
export function emptyResult(
  mode: "gpu" | "rehearse",
  sizes: "full" | "tiny",
  budgetS: number,
): GpuCheckResult {
  return {
    schema: SCHEMA,
    mode,
    sizes,
    startedAt: new Date().toISOString(),
    budgetS,
    elapsedS: 0,
    status: "running",
    env: {},
    plan: null,
    adapter: null,
    correctness: null,
    speed: null,
    pytorch: null,
    training: null,
    extrapolation: null,
    skipped: {},
    errors: {},
    verdict: [],
  };
}

/** JSON.stringify that writes non-finite numbers as strings instead of null. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v),
    2,
  ) + "\n";
}

/** Writes the result atomically (temporary file + rename) into `dir/name`. */
export async function writeResult(
  dir: string,
  result: unknown,
  name = "gpu_check.json",
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${name}`;
  const tmp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(tmp, toJson(result));
  await Deno.rename(tmp, path);
}

/** A short human summary of a result (a few lines). */
export function summarize(r: GpuCheckResult): string {
  const lines: string[] = [];
  lines.push(
    `gpu check (${r.mode}, ${r.sizes} sizes): ${r.status} after ${
      r.elapsedS.toFixed(0)
    } s of ${r.budgetS} s`,
  );
  if (r.adapter) {
    const a = r.adapter;
    lines.push(
      `  adapter: ${
        a.found
          ? `${a.vendor} ${a.architecture} ${a.device} ${a.description}`.replace(/\s+/g, " ").trim()
          : "none"
      }` +
        ` fallback=${a.isFallbackAdapter} nvidia=${a.nvidia} wgpu=${a.wgpuBackend}`,
    );
  }
  if (r.correctness) {
    const c = r.correctness;
    lines.push(
      `  correctness (${c.preset}, batch ${c.batch}): ${c.ok ? "ok" : "FAILED"}; worst rel err ${
        c.worstRelErr.toExponential(2)
      } (${c.worstName}), tol ${c.tolerance}`,
    );
    const ts = c.trainingSteps;
    if (ts) {
      lines.push(
        `  training steps (${ts.preset}, batch ${ts.batch}, ${ts.steps} steps): ${
          ts.ok ? "ok" : "FAILED"
        }; SGD weights worst rel err ${
          ts.sgdWorstRelErr.toExponential(2)
        } (${ts.sgdWorstName}), Adam losses worst rel err ${
          ts.adamLossWorstRelErr.toExponential(2)
        }`,
      );
    }
    const lr = c.longReduction;
    if (lr) {
      lines.push(
        `  long reductions (${lr.preset}, batch ${lr.batch} vs ${lr.chunks} chunks): ${
          lr.ok ? "ok" : "FAILED"
        }; worst rel err ${lr.worstRelErr.toExponential(2)} (${lr.worstName})`,
      );
    }
  }
  if (r.speed) {
    for (const s of r.speed.runs) {
      lines.push(
        s.error
          ? `  speed ${r.speed.preset} batch ${s.batch}: error ${s.error}`
          : `  speed ${r.speed.preset} batch ${s.batch}: ${s.medianMs.toFixed(1)} ms/step, ${
            s.objectsPerS.toFixed(1)
          } objects/s (${s.stepMs.length} steps)`,
      );
    }
  }
  if (r.pytorch) {
    for (const q of r.pytorch.ratios) {
      lines.push(
        `  pytorch ${r.pytorch.device} batch ${q.batch} ${q.precision}: ${
          q.torchMs.toFixed(1)
        } ms/step; webgpu/pytorch = ${q.ratio.toFixed(2)}`,
      );
    }
    if (r.pytorch.error) lines.push(`  pytorch: ${r.pytorch.error}`);
  }
  if (r.training) {
    const t = r.training;
    const acc = t.epochs.map((e) => (100 * e.valAccuracy).toFixed(1)).join(", ");
    lines.push(
      `  training ${t.preset}: ${t.objects} objects simulated in ${
        t.simulateSeconds.toFixed(0)
      } s; val accuracy per epoch (%): ${acc || "none"}`,
    );
  }
  if (r.extrapolation) {
    const x = r.extrapolation;
    lines.push(
      `  full training (${x.objects} objects x ${x.epochs} epochs, batch ${x.batch}): ${
        x.minutes.toFixed(1)
      } min (goal ${x.goalMinutes} min, paper ~${x.paperHours} h)`,
    );
  }
  for (const [k, v] of Object.entries(r.skipped)) lines.push(`  skipped ${k}: ${v}`);
  for (const [k, v] of Object.entries(r.errors)) lines.push(`  error in ${k}: ${v.split("\n")[0]}`);
  return lines.join("\n");
}
