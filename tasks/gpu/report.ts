/**
 * The JSON document the GPU check writes (`gpu_check.json`), rewritten
 * atomically after every step so that a run killed at its time limit still
 * leaves every finished step on disk.
 *
 * @module
 */
import { writeFileAtomic } from "../../lib/util/atomic.ts";

import type { KernelCounts, TileChoice } from "./step_kernels.ts";

/** Schema name written into every result (2: kernels step instead of the short training). */
export const SCHEMA = "convention-gpu-check/2";

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

/** Step 2a: the tile grid tried per convolution shape, and the kernel counts of a step. */
export interface KernelsReport {
  /** Batch whose convolution shapes were tuned. */
  tunedBatch: number;
  /** The fastest setting per kernel and shape (ms of one kernel run). */
  tiles: TileChoice[];
  /** GPU dispatches of one training step, our kernels vs TF.js's. */
  counts: KernelCounts | null;
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
  /** Preset of the speed and kernel steps ("paper", or "tiny" in rehearsal). */
  preset: string;
  batches: number[];
  correctnessPreset: string;
  correctnessBatch: number;
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
  /** What the check set out to do (preset, batches, ...). */
  plan: CheckPlan | null;
  adapter: AdapterReport | null;
  correctness: CorrectnessReport | null;
  speed: SpeedReport | null;
  pytorch: TorchReport | null;
  kernels: KernelsReport | null;
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
    kernels: null,
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

/** Writes the result atomically (lib/util/atomic.ts) as `dir/gpu_check.json`. */
export async function writeResult(dir: string, result: unknown): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(`${dir}/gpu_check.json`, toJson(result));
}

/** A short human summary of a result (a few lines). */
export function summarize(r: GpuCheckResult): string {
  const lines = [
    `gpu check (${r.mode}, ${r.sizes} sizes): ${r.status} after ${
      r.elapsedS.toFixed(0)
    } s of ${r.budgetS} s`,
    ...r.verdict.map((v) => `  ${v}`),
  ];
  for (const [k, v] of Object.entries(r.skipped)) lines.push(`  skipped ${k}: ${v}`);
  for (const [k, v] of Object.entries(r.errors)) lines.push(`  error in ${k}: ${v.split("\n")[0]}`);
  return lines.join("\n");
}
