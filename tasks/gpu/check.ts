/**
 * The one-shot GPU check. `pack.ts` bundles it into `.gpu/check.js`; `run.sh`
 * runs it on the GPU machine (`check.js run --mode gpu`) or, in rehearsal,
 * on the development VM with the software adapter and tiny sizes.
 *
 * Within a fixed time budget, rewriting `gpu_check.json` after every step:
 * 0. the adapter (`gpu` mode requires a non-fallback NVIDIA one, else exit 3);
 * 1. correctness: loss and every gradient of the tiny preset, webgpu vs cpu;
 * 2a. our convolution kernels: the tile grid tried per convolution shape of
 *     the preset (the fastest kept for step 2), and the dispatches of one
 *     step with our kernels and with TF.js's;
 * 2. speed: ms per Adam step of the preset at each batch;
 * 3. the PyTorch timings `torch_bench.py` wrote, and the WebGPU/PyTorch ratios;
 * then the paper's training (8,249 objects x 50 epochs) extrapolated.
 *
 * Commands: `run`, `probe` (the adapter as one JSON line; exit 3 without one)
 * and `summary` (prints a result's summary and what is missing in it; exit 1
 * when incomplete). `check.js --help` lists the options.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-webgpu";
import { Command } from "@commander-js/extra-typings";
import { choice, integer } from "../../lib/cli/util/options.ts";
import { createConvEntion } from "../../lib/model/convention.ts";
import { countStepKernels, tuneTiles } from "../bench/webgpu.ts";
import { type GpuCheckResult, newResult, problems, summarize, writeResult } from "./result.ts";
import { checkCorrectness, extrapolate, probeAdapter, timeBatch, torchReport } from "./steps.ts";

/** The check's options (see `check.js --help`). */
interface Options {
  mode: "gpu" | "rehearse";
  out: string;
  budgetS: number;
  torchJson?: string;
  batches?: number[];
}

const log = (msg: string) => console.error(`[gpu-check] ${msg}`);
const nowS = () => performance.now() / 1000;

/** Runs one step; an error is recorded under `name` and the check goes on. */
async function step(r: GpuCheckResult, name: string, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (err) {
    r.errors[name] = String(err);
    r.verdict.push(`${name}: error ${err}`);
  }
}

/** Steps 1, 2a, 2 and 3 and the extrapolation, within the budget that is left. */
async function measure(r: GpuCheckResult, o: Options, endS: number, save: () => Promise<void>) {
  const { preset, batches } = r.plan;
  const c = r.plan.correctnessPreset as "tiny";
  await step(r, "correctness", async () => {
    log(`correctness: ${c} preset, batch ${r.plan.correctnessBatch}, webgpu vs cpu`);
    const x = r.correctness = await checkCorrectness(c, r.plan.correctnessBatch);
    const worst = `worst rel err ${x.worstRelErr.toExponential(2)} at ${x.worstName}`;
    r.verdict.push(`correctness: ${x.ok ? "ok" : "FAILED"} (${worst}, tol ${x.tolerance})`);
  });
  await save();
  const p = preset as "paper" | "tiny";
  const tuneBatch = batches[0]!;
  await step(r, "kernels", async () => {
    log(`kernels: tile grid per convolution shape (${preset}, batch ${tuneBatch})`);
    const tiles = await tuneTiles(p, tuneBatch, nowS() + 0.3 * (endS - nowS() - 60));
    r.kernels = { tunedBatch: tuneBatch, tiles, counts: null };
    const gain = tiles.reduce((s, t) => s + t.defaultMs / t.bestMs, 0) / tiles.length;
    const bad = tiles.reduce((n, t) => n + t.mismatches, 0);
    r.verdict.push(
      `tiles: ${tiles.length} kernel shapes tuned, best ${gain.toFixed(2)}x faster than default` +
        ` on average; settings vs default: ${bad === 0 ? "ok" : `${bad} MISMATCHED`}`,
    );
    await save();
    const n = r.kernels.counts = await countStepKernels(p, batches[0]!);
    r.verdict.push(
      `kernel counts (${preset}, batch ${n.batch}): ${n.ownKernels} dispatches per step with our` +
        ` kernels (convolutions, fused Adam), ${n.tfjsKernels} with TF.js's`,
    );
  });
  await save();
  const model = createConvEntion(p, 1);
  r.speed = { preset, paramCount: model.paramCount(), runs: [], seconds: 0 };
  model.dispose();
  const t0 = nowS(), share = Math.max(0, 0.4 * (endS - t0 - 30));
  for (const b of batches) {
    if (endS - nowS() < 20) {
      r.skipped[`speed-${b}`] = "no time left";
      continue;
    }
    const slice = Math.max(5, share * b / batches.reduce((s, x) => s + x, 0));
    log(`speed: ${preset} preset, batch ${b}, up to ${slice.toFixed(0)} s`);
    const run = await timeBatch(p, b, Math.min(endS, nowS() + slice));
    r.speed.runs.push(run);
    if (run.error) r.errors[`speed-${b}`] = run.error;
    else log(`  batch ${b}: ${run.medianMs.toFixed(1)} ms/step (${run.stepMs.length} steps)`);
    r.speed.seconds = nowS() - t0;
    await save();
  }
  const ok = r.speed.runs.filter((x) => !x.error);
  r.verdict.push(
    `speed: ${
      ok.map((x) =>
        `batch ${x.batch} ${x.medianMs.toFixed(1)} ms/step (${x.objectsPerS.toFixed(1)} obj/s)`
      )
        .join("; ") || "none"
    }`,
  );
  if (o.torchJson) {
    await step(r, "pytorch", async () => {
      const t = r.pytorch = await torchReport(o.torchJson!, r.speed!.runs);
      if (t.error) r.errors.pytorch = t.error;
      const ratios = t.ratios.map((q) =>
        `batch ${q.batch} ${q.precision} ${q.torchMs.toFixed(1)} ms, webgpu/pytorch ${
          q.ratio.toFixed(2)
        }`
      );
      r.verdict.push(
        `pytorch (${t.device}, ${t.deviceName}, torch ${t.torchVersion}): ${
          ratios.join("; ") || t.error || "no timing"
        }`,
      );
    });
  } else r.skipped.pytorch = "no --torch-json given";
  const x = r.extrapolation = extrapolate(r.speed.runs);
  if (x) {
    r.verdict.push(
      `full training (${preset} preset, from batch ${x.fromBatch}): ${x.minutes.toFixed(1)} min` +
        ` for ${x.objects} objects x ${x.epochs} epochs (goal ${x.goalMinutes} min)`,
    );
  } else r.skipped.extrapolation = "no step time measured";
}

/** `run` and `probe`: the check itself. Returns the exit code. */
async function run(o: Options, probeOnly: boolean): Promise<number> {
  const start = nowS(), endS = start + o.budgetS;
  const r = newResult(o);
  const save = () => writeResult(o.out, { ...r, elapsedS: nowS() - start });
  const a = r.adapter = await probeAdapter();
  if (probeOnly) {
    console.log(JSON.stringify(a));
    return a.found ? 0 : 3;
  }
  const usable = a.found && (o.mode === "rehearse" || (a.nvidia && !a.isFallbackAdapter));
  r.verdict.push(
    `adapter: ${usable ? "ok" : "NOT USABLE"}: ${
      a.found ? `${a.description || a.device} (vendor ${a.vendor}, wgpu ${a.wgpuBackend})` : "none"
    }${a.isFallbackAdapter ? " [fallback]" : ""}`,
  );
  if (!usable) r.errors.adapter = a.error ?? "not a non-fallback NVIDIA adapter";
  else if (!(await tf.setBackend("webgpu").catch(() => false))) {
    r.errors.backend = "tf.setBackend('webgpu') failed";
  }
  if (Object.keys(r.errors).length > 0) {
    r.status = "failed";
    await save();
    log(r.verdict.join("; "));
    return usable ? 4 : 3;
  }
  await save();
  try {
    await measure(r, o, endS, save);
    r.status = "done";
  } catch (err) {
    r.status = "failed";
    r.errors.fatal = `${err}\n${(err as Error).stack ?? ""}`;
  }
  await save();
  console.log(summarize({ ...r, elapsedS: nowS() - start }));
  return r.status === "done" ? 0 : 4;
}

/** `summary`: prints the summary of `out/gpu_check.json` and what is missing in it. */
async function summary(o: Options): Promise<number> {
  const r = JSON.parse(await Deno.readTextFile(`${o.out}/gpu_check.json`)) as GpuCheckResult;
  if (r.status === "running") {
    r.status = "failed";
    r.errors = { ...r.errors, run: "ended before its end (killed at the time limit, or crashed)" };
    await writeResult(o.out, r);
  }
  console.log(
    r.verdict ? summarize({ ...r, skipped: r.skipped ?? {}, errors: r.errors ?? {} }) : "",
  );
  const missing = problems(r, o.mode);
  console.log(
    missing.length === 0
      ? `${o.out}/gpu_check.json: complete (${o.mode}): every step and field present`
      : `${o.out}/gpu_check.json: INCOMPLETE\n${missing.map((m) => `  - ${m}`).join("\n")}`,
  );
  return missing.length === 0 ? 0 : 1;
}

const batchList = (text: string) => text.split(",").map(integer("batches", { min: 1 }));
const MODES = ["gpu", "rehearse"] as const;
const cli = new Command("check.js")
  .description("the one-shot GPU check (docs/gpu.md)")
  .argument("[command]", "run, probe or summary", choice("command", ["run", "probe", "summary"]))
  .option("--mode <mode>", "gpu (paper preset, NVIDIA) or rehearse (tiny)", choice("mode", MODES))
  .option("--out <dir>", "folder of gpu_check.json", Deno.env.get("OUT") ?? ".gpu/out")
  .option("--budget-s <s>", "seconds for the whole check", integer("budget-s", { min: 1 }), 300)
  .option("--torch-json <path>", "the PyTorch timings torch_bench.py wrote")
  .option("--batches <list>", "speed-step batches (default 32,128; rehearse 2,4)", batchList)
  .action(async (command = "run", { mode = "gpu", ...o }) => {
    const opts = { mode, ...o };
    Deno.exit(command === "summary" ? await summary(opts) : await run(opts, command === "probe"));
  });

if (import.meta.main) await cli.parseAsync(Deno.args, { from: "user" });
