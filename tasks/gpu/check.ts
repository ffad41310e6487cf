/**
 * The one-shot GPU check. `pack.ts` bundles it into `.gpu/check.js`; `run.sh`
 * runs it on the GPU machine (`check.js run --mode gpu`) or, in rehearsal,
 * on the development VM with the software adapter and tiny sizes.
 *
 * Within a fixed time budget, writing `gpu_check.json` after every step:
 * 0. the adapter `navigator.gpu` gives (a non-fallback NVIDIA adapter is
 *    required in gpu mode: otherwise a failed verdict at once, exit code 3);
 * 1. correctness: loss and every gradient of a small config, webgpu (our
 *    convolution kernels) vs cpu;
 * 2. speed: ms per Adam step of the preset at each batch (median after warm-up);
 * 2a. our convolution kernels (lib/model/ops/webgpu): the tile grid tried
 *    per convolution shape of the preset, the fastest kept for step 2; the
 *    kernel dispatches of one step with our kernels and with TF.js's;
 * 3. the PyTorch timings `torch_bench.py` wrote, and the WebGPU/PyTorch ratios;
 * and the paper's full training (8,249 objects x 50 epochs, batch 128)
 * extrapolated from the step time.
 *
 * Commands: `run` (default), `probe` (adapter only, one JSON line on stdout),
 * `summary` (prints the summary of an existing `gpu_check.json`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-webgpu";
import { probeAdapter } from "./adapter.ts";
import { Budget } from "./budget.ts";
import { parseCheckArgs } from "./check_args.ts";
import {
  emptyResult,
  type GpuCheckResult,
  summarize,
  type TorchReport,
  type TorchRun,
  writeResult,
} from "./report.ts";
import { checkCorrectness } from "./step_correctness.ts";
import { timeBatch } from "./step_speed.ts";
import { countStepKernels, tuneTiles } from "./step_kernels.ts";
import { extrapolateTraining } from "./stats.ts";
import { createConvEntion } from "../../lib/model/convention.ts";

const PAPER = { objects: 8249, epochs: 50, batch: 128, goalMinutes: 30, paperHours: 3 };

function log(msg: string): void {
  console.error(`[gpu-check] ${msg}`);
}

function errText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

const opts = parseCheckArgs(Deno.args, (k) => Deno.env.get(k));

if (opts.command === "summary") {
  const path = `${opts.out}/gpu_check.json`;
  const r = JSON.parse(await Deno.readTextFile(path)) as GpuCheckResult;
  if (r.status === "running") {
    // The check was killed at its time limit: say so in the file too.
    r.status = "failed";
    r.errors = {
      ...(r.errors ?? {}),
      run:
        "the check ended before its end (killed at the time limit, or crashed: see run.log); finished steps are kept",
    };
    await writeResult(opts.out, r);
  }
  console.log(r.adapter !== undefined ? summarize(r) : JSON.stringify(r));
  Deno.exit(0);
}

const budget = new Budget(opts.budgetS);
const result = emptyResult(opts.mode, opts.sizes, opts.budgetS);
const save = async (): Promise<void> => {
  result.elapsedS = budget.elapsed();
  await writeResult(opts.out, result);
};

result.adapter = await probeAdapter();
if (opts.command === "probe") {
  await save();
  console.log(JSON.stringify(result.adapter));
  Deno.exit(result.adapter.found ? 0 : 3);
}

const preset = opts.sizes === "full" ? "paper" : "tiny";
const checkPreset = "tiny";
const checkBatch = opts.sizes === "full" ? 8 : 2;
result.plan = {
  preset,
  batches: opts.batches,
  correctnessPreset: checkPreset,
  correctnessBatch: checkBatch,
};
result.env = {
  deno: Deno.version.deno,
  v8: Deno.version.v8,
  typescript: Deno.version.typescript,
  tfjs: tf.version_core,
  os: Deno.build.os,
  arch: Deno.build.arch,
  cores: navigator.hardwareConcurrency,
  wgpuBackend: Deno.env.get("DENO_WEBGPU_BACKEND") ?? "default",
  model: "lib/model createConvEntion",
  stepFunction:
    "lib/model/infra/train_step.ts trainStep (lib/model lossOf + lib/model Adam, lr 1e-3, async reads)",
};
const a = result.adapter;
const adapterLine = a.found
  ? `${a.description || a.device} (vendor ${a.vendor}, ${
    a.architecture || "?"
  }, wgpu ${a.wgpuBackend})`
  : "none";
const usable = a.found && (opts.mode === "rehearse" || (a.nvidia && !a.isFallbackAdapter));
result.verdict.push(
  `adapter: ${usable ? "ok" : "NOT USABLE"}: ${adapterLine}${
    a.isFallbackAdapter ? " [fallback]" : ""
  }`,
);
if (!usable) {
  result.status = "failed";
  result.errors.adapter = a.error ?? "not a non-fallback NVIDIA adapter";
  await save();
  log(result.verdict[0]!);
  Deno.exit(3);
}
await save();

try {
  try {
    if (!(await tf.setBackend("webgpu"))) throw new Error("tf.setBackend('webgpu') returned false");
    await tf.ready();
  } catch (err) {
    result.status = "failed";
    result.errors.backend = errText(err);
    result.verdict.push(`backend: webgpu failed to start: ${errText(err)}`);
    await save();
    Deno.exit(4);
  }

  // 1. correctness
  try {
    log(`correctness: ${checkPreset} preset, batch ${checkBatch}, webgpu vs cpu`);
    const c = await checkCorrectness(checkPreset, checkBatch);
    result.correctness = c;
    result.verdict.push(
      `correctness: ${c.ok ? "ok" : "FAILED"} (worst rel err ${
        c.worstRelErr.toExponential(2)
      } at ${c.worstName}, tol ${c.tolerance})`,
    );
  } catch (err) {
    result.errors.correctness = errText(err);
    result.verdict.push(`correctness: error ${errText(err)}`);
  }
  await tf.setBackend("webgpu");
  await save();

  // 2a. our kernels: tiles per convolution shape, kernel counts of a step
  try {
    const t0 = performance.now();
    log(`kernels: tile grid per convolution shape (${preset}, batch ${opts.tuneBatch})`);
    const tiles = await tuneTiles(preset, opts.tuneBatch, budget.deadline(budget.allot(0.3, 60)));
    result.kernels = { tunedBatch: opts.tuneBatch, tiles, counts: null, seconds: 0 };
    const gain = tiles.map((t) => t.defaultMs / t.bestMs);
    const bad = tiles.reduce((n, t) => n + t.mismatches, 0);
    const worst = Math.max(0, ...tiles.map((t) => t.worstRelErr));
    result.verdict.push(
      `tiles: ${tiles.length} kernel shapes tuned, best ${
        (gain.reduce((a, b) => a + b, 0) / Math.max(1, gain.length)).toFixed(2)
      }x faster than default on average; settings vs default: ${
        bad === 0 ? "ok" : `${bad} MISMATCHED`
      } (worst rel err ${worst.toExponential(2)})`,
    );
    await save();
    const counts = await countStepKernels(preset, opts.batches[0]!);
    result.kernels.counts = counts;
    result.kernels.seconds = (performance.now() - t0) / 1000;
    result.verdict.push(
      `kernel counts (${preset}, batch ${counts.batch}): ${counts.ownKernels} dispatches per step with our kernels (convolutions, fused Adam), ${counts.tfjsKernels} with TF.js's`,
    );
  } catch (err) {
    result.errors.kernels = errText(err);
  }
  await save();

  // 2. speed
  result.speed = { preset, paramCount: 0, runs: [], seconds: 0 };
  {
    const t0 = performance.now();
    const speedShare = budget.allot(0.4, 30);
    const weights = opts.batches.map((b) => b / opts.batches.reduce((s, x) => s + x, 0));
    for (let i = 0; i < opts.batches.length; i++) {
      const b = opts.batches[i]!;
      const slice = Math.max(5, speedShare * weights[i]!);
      if (budget.left() < 20) {
        result.skipped[`speed-${b}`] = "no time left";
        continue;
      }
      log(`speed: ${preset} preset, batch ${b}, up to ${slice.toFixed(0)} s`);
      const run = await timeBatch(preset, b, budget.deadline(slice));
      result.speed.runs.push(run);
      if (run.error) result.errors[`speed-${b}`] = run.error;
      log(
        run.error
          ? `  batch ${b}: ${run.error}`
          : `  batch ${b}: ${
            run.medianMs.toFixed(1)
          } ms/step (${run.stepMs.length} steps; warm-up ${
            run.warmupMs.map((x) => x.toFixed(0)).join(", ")
          } ms)`,
      );
      result.speed.seconds = (performance.now() - t0) / 1000;
      await save();
    }
    const counted = createConvEntion(preset, 1);
    result.speed.paramCount = counted.paramCount();
    counted.dispose();
    const ok = result.speed.runs.filter((r) => !r.error);
    result.verdict.push(
      `speed: ${
        ok.map((r) =>
          `batch ${r.batch} ${r.medianMs.toFixed(1)} ms/step (${r.objectsPerS.toFixed(1)} obj/s)`
        ).join("; ") || "none"
      }`,
    );
  }

  // 3. PyTorch (measured before this process started, by run.sh)
  if (opts.torchJson) {
    try {
      const t = JSON.parse(await Deno.readTextFile(opts.torchJson)) as {
        device: string;
        deviceName: string;
        torchVersion: string;
        runs: TorchRun[];
        error?: string;
      };
      const rep: TorchReport = {
        device: t.device,
        deviceName: t.deviceName,
        torchVersion: t.torchVersion,
        runs: t.runs,
        ratios: [],
        ...(t.error ? { error: t.error } : {}),
      };
      for (const s of result.speed.runs) {
        if (s.error) continue;
        for (const q of t.runs) {
          if (q.batch === s.batch && Number.isFinite(q.medianMs)) {
            rep.ratios.push({
              batch: s.batch,
              precision: q.precision,
              webgpuMs: s.medianMs,
              torchMs: q.medianMs,
              ratio: s.medianMs / q.medianMs,
            });
          }
        }
      }
      result.pytorch = rep;
      if (rep.error) result.errors.pytorch = rep.error;
      result.verdict.push(
        `pytorch (${rep.device}, ${rep.deviceName}, torch ${rep.torchVersion}): ${
          rep.ratios.map((q) =>
            `batch ${q.batch} ${q.precision} ${q.torchMs.toFixed(1)} ms, webgpu/pytorch ${
              q.ratio.toFixed(2)
            }`
          )
            .join("; ") || rep.error || "no timing"
        }`,
      );
    } catch (err) {
      result.errors.pytorch = `cannot read ${opts.torchJson}: ${errText(err)}`;
    }
  } else {
    result.skipped.pytorch = "no --torch-json given";
  }
  await save();

  // The paper's training, extrapolated from the batch-128 step (else the largest batch timed).
  {
    const runs = (result.speed?.runs ?? []).filter((r) => !r.error);
    const r = runs.find((x) => x.batch === PAPER.batch) ??
      runs.sort((x, y) => y.batch - x.batch)[0];
    if (r) {
      const x = extrapolateTraining(
        r.medianMs * (r.batch === PAPER.batch ? 1 : PAPER.batch / r.batch),
        PAPER.objects,
        PAPER.epochs,
        PAPER.batch,
      );
      result.extrapolation = {
        objects: PAPER.objects,
        epochs: PAPER.epochs,
        batch: PAPER.batch,
        msPerStep: r.medianMs * (r.batch === PAPER.batch ? 1 : PAPER.batch / r.batch),
        steps: x.steps,
        minutes: x.minutes,
        goalMinutes: PAPER.goalMinutes,
        paperHours: PAPER.paperHours,
        meetsGoal: x.minutes <= PAPER.goalMinutes,
      };
      result.verdict.push(
        `full training (${preset} preset${
          r.batch === PAPER.batch ? "" : `, scaled from batch ${r.batch}`
        }): ${
          x.minutes.toFixed(1)
        } min for ${PAPER.objects} objects x ${PAPER.epochs} epochs (goal ${PAPER.goalMinutes} min)`,
      );
    } else {
      result.skipped.extrapolation = "no step time measured";
    }
  }
} catch (err) {
  // Anything not caught by a step: keep what was done, say what broke.
  result.status = "failed";
  result.errors.fatal = err instanceof Error ? `${errText(err)}\n${err.stack ?? ""}` : String(err);
  await save();
  log(`fatal: ${errText(err)}`);
  Deno.exit(4);
}

result.status = "done";
await save();
console.log(summarize(result));
