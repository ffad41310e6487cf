/**
 * The document the GPU check writes (`gpu_check.json`), rewritten atomically
 * after every step so that a run killed at its time limit keeps every
 * finished step; its summary, and the completeness check of a finished run.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { writeFileAtomic } from "../../lib/util/atomic.ts";
import type { KernelCounts, TileChoice } from "../bench/webgpu.ts";
import type {
  AdapterReport,
  checkCorrectness,
  extrapolate,
  SpeedRun,
  torchReport,
} from "./steps.ts";

/** Schema name written into every result (2: kernels step instead of the short training). */
export const SCHEMA = "convention-gpu-check/2";

/**
 * A new result document of a check in `o.mode` (`gpu`: full sizes, the
 * paper preset; `rehearse`: tiny) with budget `o.budgetS`; a step is null
 * until it ran. Its type is the document's ({@link GpuCheckResult}).
 */
export function newResult(o: { mode: "gpu" | "rehearse"; budgetS: number; batches?: number[] }) {
  const full = o.mode === "gpu";
  return {
    schema: SCHEMA,
    mode: o.mode,
    sizes: (full ? "full" : "tiny") as "full" | "tiny",
    startedAt: new Date().toISOString(),
    budgetS: o.budgetS,
    elapsedS: 0,
    /** "running" until the end; then "done" or "failed". */
    status: "running" as "running" | "done" | "failed",
    env: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      tfjs: tf.version_core,
      os: Deno.build.os,
      cores: navigator.hardwareConcurrency,
      wgpuBackend: Deno.env.get("DENO_WEBGPU_BACKEND") ?? "default",
      stepFunction: "lib/model/infra/train_step.ts trainStep (Adam, lr 1e-3, async reads)",
    } as Record<string, string | number | boolean | null>,
    /** Preset and batches of the speed and kernel steps; preset and batch of correctness. */
    plan: {
      preset: full ? "paper" : "tiny",
      batches: o.batches ?? (full ? [32, 128] : [2, 4]),
      correctnessPreset: "tiny",
      correctnessBatch: full ? 8 : 2,
    },
    adapter: null as AdapterReport | null,
    correctness: null as Awaited<ReturnType<typeof checkCorrectness>> | null,
    speed: null as { preset: string; paramCount: number; runs: SpeedRun[]; seconds: number } | null,
    pytorch: null as Awaited<ReturnType<typeof torchReport>> | null,
    kernels: null as
      | { tunedBatch: number; tiles: TileChoice[]; counts: KernelCounts | null }
      | null,
    extrapolation: null as ReturnType<typeof extrapolate>,
    /** Steps skipped (no time, no input), with the reason. */
    skipped: {} as Record<string, string>,
    /** Errors caught per step (the run goes on to the next step). */
    errors: {} as Record<string, string>,
    /** One-line verdicts, e.g. "correctness: ok (worst rel err 3e-6 ...)". */
    verdict: [] as string[],
  };
}

/** The whole result document (`gpu_check.json`). */
export type GpuCheckResult = ReturnType<typeof newResult>;

/** Writes the result atomically as `dir/gpu_check.json` (non-finite numbers as strings). */
export async function writeResult(dir: string, result: unknown): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const json = JSON.stringify(
    result,
    (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v),
    2,
  );
  await writeFileAtomic(`${dir}/gpu_check.json`, json + "\n");
}

/** A short human summary of a result (a few lines). */
export function summarize(r: GpuCheckResult): string {
  return [
    `gpu check (${r.mode}, ${r.sizes} sizes): ${r.status} after ${
      r.elapsedS.toFixed(0)
    } s of ${r.budgetS} s`,
    ...r.verdict.map((v) => `  ${v}`),
    ...Object.entries(r.skipped).map(([k, v]) => `  skipped ${k}: ${v}`),
    ...Object.entries(r.errors).map(([k, v]) => `  error in ${k}: ${v.split("\n")[0]}`),
  ].join("\n");
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * What is missing or wrong in a result (empty: complete): every step done,
 * every number there, nothing skipped or failed; in `gpu` mode a
 * non-fallback NVIDIA adapter. A rehearsal machine without torch passes
 * when torch_bench.py ran and said so.
 */
export function problems(r: Partial<GpuCheckResult>, mode: "gpu" | "rehearse"): string[] {
  const p: string[] = [];
  const need = (cond: unknown, what: string) => cond || p.push(what);
  const batches = r.plan?.batches ?? [];
  need(r.schema === SCHEMA, `schema is not ${SCHEMA}`);
  need(r.status === "done", `status is ${r.status}, not done`);
  need(r.mode === mode, `mode is ${r.mode}, expected ${mode}`);
  need(r.plan, "plan missing");
  need(typeof r.env?.deno === "string" && typeof r.env?.tfjs === "string", "env missing");
  const a = r.adapter;
  need(a?.found, "adapter not found");
  if (mode === "gpu") need(a?.nvidia && !a.isFallbackAdapter, "not a non-fallback NVIDIA adapter");
  const c = r.correctness;
  need(
    c && c.gradients.length > 0 && isNum(c.lossWebgpu) && isNum(c.lossCpu),
    "correctness missing",
  );
  need(!c || c.ok, `correctness failed (worst ${c?.worstRelErr} at ${c?.worstName})`);
  for (const b of batches) {
    const run = r.speed?.runs.find((x) => x.batch === b);
    need(run && !run.error && isNum(run.medianMs) && isNum(run.objectsPerS), `speed at batch ${b}`);
  }
  const t = r.pytorch;
  const noTorchHere = mode === "rehearse" && /No module named 'torch'/.test(t?.error ?? "");
  need(t, "pytorch missing");
  if (t && !noTorchHere) {
    need(!t.error && t.torchVersion, `pytorch error: ${t.error}`);
    for (const b of batches) {
      need(t.ratios.some((x) => x.batch === b && isNum(x.ratio)), `pytorch ratio at batch ${b}`);
    }
  }
  const k = r.kernels;
  need(k && k.tiles.length > 0 && k.tiles.every((x) => isNum(x.bestMs)), "tile timings missing");
  need(
    k?.tiles.every((x) => x.mismatches === 0),
    "a tile setting gave other values than the default",
  );
  need(k?.counts && k.counts.ownKernels > 0 && k.counts.tfjsKernels > 0, "kernel counts missing");
  need(isNum(r.extrapolation?.minutes), "extrapolation missing");
  need(Object.keys(r.skipped ?? {}).length === 0, `skipped: ${JSON.stringify(r.skipped)}`);
  const errors = Object.keys(r.errors ?? {}).filter((e) => !(noTorchHere && e === "pytorch"));
  need(errors.length === 0, `errors in ${errors.join(", ")}`);
  return p;
}
