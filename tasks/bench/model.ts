/**
 * `deno task bench model [options]`: training-step speed of ConvEntion per
 * backend, beside the PyTorch reference, as one JSON object on stdout.
 *
 * Per backend (each in its own process, so peak RSS is per backend): ms per
 * Adam step (median of `--steps` after `--warmup`), wall and process CPU
 * time, objects/s, for the `cpu` and `paper` presets at `--batch` (8); the
 * `cpu` preset also at batch 32 (training and inference objects/s); the
 * naive/factorised attention time ratio on the paper's attention shapes; peak
 * RSS. webgpu is measured only on a hardware adapter (a software fallback
 * adapter is reported as skipped). The paper preset is not run on the cpu
 * backend unless `--paper-on-cpu` (one step takes many minutes there).
 *
 * The PyTorch reference (tasks/pytorch/torch_bench.py --device cpu: the same paper preset,
 * batch and threads = cores, n^2 attention as in the authors' code) runs in
 * the same invocation; `ratio` = PyTorch ms / our ms (goal >= 1 for wasm).
 *
 * Memory: TF.js keeps every intermediate of the forward and backward
 * passes until the step ends, about 0.9 GB per object for the paper preset,
 * and the wasm heap is limited to 4 GB, so on wasm (and cpu) the paper batch
 * runs as micro-batches of `--micro` (2) objects whose gradients are summed
 * before one Adam update: the same arithmetic as one batch of 8 (BatchNorm
 * statistics per micro-batch). The JSON says `microBatch` when used.
 *
 * `--parallel K` (wasm and cpu): each step cut into K shards computed at once
 * by the training thread and K - 1 worker replicas (lib/train/data_parallel.ts,
 * `train --parallel K`), the paper preset's shards in micro-batches of
 * `--micro`; the JSON says `parallel`. The comparison with PyTorch is then at
 * equal cores: PyTorch uses `--threads` (= cores) threads.
 *
 * Options: `--backends wasm,cpu,webgpu`, `--steps N`, `--warmup N`,
 * `--batch N`, `--micro N`, `--threads N` (PyTorch), `--no-torch`, `--profile`
 * (per-kernel times of one paper step), `--presets cpu,paper`, `--paper-on-cpu`,
 * `--parallel K`.
 *
 * @module
 */
import process from "node:process";
import * as tf from "@tensorflow/tfjs-core";
import { createConvEntion, type PresetName, PRESETS } from "../../lib/model/convention.ts";
import {
  addConvAttention,
  convAttention,
  convAttentionNaive,
} from "../../lib/model/conv_attention.ts";
import type { ModelInput } from "../../lib/model/types.ts";
import { Adam } from "../../lib/model/infra/optimizer.ts";
import { ParamStore } from "../../lib/model/infra/params.ts";
import { evalLogits, trainableWeights, trainStep } from "../../lib/model/infra/train_step.ts";
import { type BackendChoice, probeWebGpu, selectBackend } from "../../lib/train/backend.ts";
import { emptyBatch } from "../../lib/data/batch.ts";
import "../../lib/train/builtin_models.ts";
import { DataParallel } from "../../lib/train/data_parallel.ts";
import { getModel, type ModelSpec } from "../../lib/train/models.ts";
import { Rng } from "../../lib/util/rng.ts";
import { arg, median } from "./shared.ts";

interface Opts {
  backends: string[];
  presets: PresetName[];
  steps: number;
  warmup: number;
  batch: number;
  threads: number;
  torch: boolean;
  profile: boolean;
  paperOnCpu: boolean;
  micro: number;
  parallel: number;
  child: string | null;
}

function parse(args: string[]): Opts {
  return {
    backends: arg(args, "--backends", "wasm,cpu,webgpu").split(","),
    presets: arg(args, "--presets", "cpu,paper").split(",") as PresetName[],
    steps: Number(arg(args, "--steps", "3")),
    warmup: Number(arg(args, "--warmup", "1")),
    batch: Number(arg(args, "--batch", "8")),
    threads: Number(arg(args, "--threads", String(navigator.hardwareConcurrency || 2))),
    torch: !args.includes("--no-torch"),
    profile: args.includes("--profile"),
    paperOnCpu: args.includes("--paper-on-cpu"),
    micro: Number(arg(args, "--micro", "2")),
    parallel: Number(arg(args, "--parallel", "1")),
    child: args.includes("--child") ? arg(args, "--child", "") : null,
  };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// Deno needs --allow-all to read /proc; the peak RSS is sampled after each
// step and at the end instead (Deno.memoryUsage).
let rssPeak = 0;
function sampleRss(): void {
  rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss);
}
function peakRssMB(): number {
  sampleRss();
  return Math.round(rssPeak / 1048576);
}

function loadAvg(): number[] | null {
  try {
    return Deno.loadavg().map((x) => Number(x.toFixed(2)));
  } catch {
    return null;
  }
}

/** Median step times (wall, and process CPU time over all threads) and objects/s. */
function stepStats(batch: number, wall: number[], cpu: number[]) {
  const ms = median(wall), cms = median(cpu);
  return {
    msPerStep: Math.round(ms),
    msPerStepAll: wall.map(Math.round),
    cpuMsPerStep: Math.round(cms),
    objectsPerSecond: Number((batch / (ms / 1000)).toFixed(2)),
    objectsPerSecondCpuTime: Number((batch / (cms / 1000)).toFixed(2)),
  };
}

/** Runs `o.warmup + o.steps` steps; wall and process CPU ms of the timed ones. */
async function timeLoop(
  label: string,
  o: Opts,
  step: (i: number) => Promise<unknown>,
): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < o.warmup + o.steps; i++) {
    const t0 = performance.now(), c0 = cpuMs();
    await step(i);
    sampleRss();
    if (i >= o.warmup) {
      wall.push(performance.now() - t0);
      cpu.push(cpuMs() - c0);
    }
    console.error(
      `  ${label} step ${i + 1}/${o.warmup + o.steps}: ${(performance.now() - t0).toFixed(0)} ms`,
    );
  }
  return { wall, cpu };
}

/** The preset's ConvEntion (seed 1), its Adam, and a seeded synthetic loader batch. */
function stepSetup(preset: PresetName, batch: number) {
  const c = PRESETS[preset];
  const spec: ModelSpec = {
    preset,
    options: {},
    numClasses: c.numClasses,
    bands: [...c.bands],
    seed: 1,
  };
  const entry = getModel("convention");
  const model = createConvEntion(preset, 1);
  const opt = new Adam(trainableWeights(model), { lr: 1e-3 });
  const x = emptyBatch(batch, c.length, c.stamp, c.stamp);
  const rng = new Rng(2);
  for (let i = 0; i < x.frames.length; i++) x.frames[i] = rng.normal();
  for (let i = 0; i < x.bands.length; i++) x.bands[i] = 1 + ((i * 7) % 5);
  for (let i = 0; i < batch; i++) x.labels[i] = i % c.numClasses;
  return { spec, entry, model, opt, x };
}

/**
 * Times Adam steps of `preset` at `batch`. On wasm and cpu the paper preset runs in
 * micro-batches of `o.micro` (the wasm heap holds at most 4 GB; TF.js keeps every intermediate,
 * about 0.9 GB per paper object) and `--parallel K` cuts each step into K shards: both through
 * the training loop's own data-parallel step (lib/train/data_parallel.ts, `train --parallel K
 * --micro-batch N`), so the arithmetic is the training's.
 */
async function timeSteps(preset: PresetName, batch: number, o: Opts) {
  const { spec, entry, model, opt, x } = stepSetup(preset, batch);
  const gpu = tf.getBackend() === "webgpu";
  const micro = preset === "paper" && !gpu && o.micro < batch ? o.micro : null;
  const parallel = gpu ? 1 : o.parallel;
  const dp = parallel > 1 || micro !== null
    ? await DataParallel.start({
      replicas: parallel,
      micro,
      model: "convention",
      spec,
      weightNames: [...model.weights().keys()],
    })
    : null;
  const input = entry.adapter(x) as ModelInput;
  const labels = tf.tensor1d(x.labels, "int32");
  const step = (i: number) =>
    dp
      ? dp.step(model, opt, entry, x, { seed: i })
      : trainStep(model, opt, input, labels, { seed: i });
  const label = `${preset} b${batch}${parallel > 1 ? ` x${parallel}` : ""}`;
  const { wall, cpu } = await timeLoop(label, o, step);
  let profile: unknown = undefined;
  if (o.profile && preset === "paper") {
    const p = await tf.profile(async () => {
      await step(99);
      return tf.scalar(0);
    });
    const agg = new Map<string, { ms: number; calls: number }>();
    for (const k of p.kernels) {
      // customGrad wrappers ("unnamed scope") include their inner kernels: skip them.
      if (!k.name || k.name === "unnamed scope") continue;
      const e = agg.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
      e.calls++;
      agg.set(k.name, e);
    }
    const total = [...agg.values()].reduce((s, e) => s + e.ms, 0);
    profile = {
      kernelMsTotal: Math.round(total),
      kernels: [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15).map(([name, e]) => ({
        name,
        ms: Math.round(e.ms),
        share: Number((e.ms / total).toFixed(3)),
        calls: e.calls,
      })),
    };
  }
  let inference: number | undefined;
  if (preset === "cpu") {
    const t: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      const z = evalLogits(model, input);
      await z.data();
      z.dispose();
      if (i > 0) t.push(performance.now() - t0);
    }
    inference = batch / (median(t) / 1000);
  }
  dp?.close();
  entry.disposeInput(input);
  labels.dispose();
  opt.dispose();
  model.dispose();
  return {
    preset,
    batch,
    ...(parallel > 1 ? { parallel } : {}),
    ...(micro !== null ? { microBatch: micro } : {}),
    ...stepStats(batch, wall, cpu),
    ...(inference !== undefined ? { inferenceObjectsPerSecond: Number(inference.toFixed(1)) } : {}),
    ...(profile ? { profile } : {}),
  };
}

function attentionRatio() {
  const spec = { d: 8, heads: 4, attnKernel: 5, outKernel: 3 };
  const p = new ParamStore(1);
  addConvAttention(p, "a", spec);
  const y = tf.randomNormal([8, 33, 9, 9, 8], 0, 1, "float32", 1);
  const g = tf.randomNormal([8, 33, 9, 9, 8], 0, 1, "float32", 2);
  const time = (naive: boolean) => {
    const f = naive ? convAttentionNaive : convAttention;
    const ts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(f(y, p, "a", spec), g)),
        p.trainable(),
      );
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
      if (i > 0) ts.push(performance.now() - t0);
    }
    return median(ts);
  };
  const naive = time(true), fact = time(false);
  tf.dispose([y, g]);
  p.dispose();
  return {
    shapes: "batch 8, n 33 tokens of [8, 9, 9], 4 heads, forward + backward",
    naiveMs: Math.round(naive),
    factorisedMs: Math.round(fact),
    ratio: Number((naive / fact).toFixed(2)),
  };
}

async function child(backend: string, o: Opts): Promise<void> {
  const sel = await selectBackend(backend as BackendChoice, { quiet: true });
  const presets: unknown[] = [];
  for (const preset of o.presets) {
    if (preset === "paper" && backend === "cpu" && !o.paperOnCpu) {
      presets.push({
        preset,
        skipped: "capped: the paper step is convolution-bound (87 % of its wasm kernel time) and " +
          "the cpu backend's convolutions are 10-15x slower than wasm's (TFJS.md), so one step " +
          "would take over 10 minutes; pass --paper-on-cpu to run it",
      });
      continue;
    }
    presets.push(await timeSteps(preset, o.batch, o));
    if (preset === "cpu" && o.batch !== 32) presets.push(await timeSteps("cpu", 32, o));
  }
  const out = {
    backend: sel.backend,
    reason: sel.reason,
    presets,
    attention: attentionRatio(),
    peakRssMB: peakRssMB(),
  };
  console.log(JSON.stringify(out));
}

async function runChild(backend: string, args: string[]): Promise<unknown> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      "--allow-run",
      new URL("../bench.ts", import.meta.url).pathname,
      "model",
      ...args,
      "--child",
      backend,
    ],
    stdout: "piped",
    stderr: "inherit",
  });
  const r = await cmd.output();
  const text = new TextDecoder().decode(r.stdout).trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(text);
  } catch {
    return { backend, error: `child exited with code ${r.code}`, output: text.slice(0, 500) };
  }
}

/** PyTorch's step on the CPU (tasks/pytorch/torch_bench.py), its first run as `msPerStep`. */
async function torchRef(o: Opts, preset: string): Promise<Record<string, unknown>> {
  const out = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const script = new URL("../pytorch/torch_bench.py", import.meta.url).pathname;
    const budget = String(Math.max(60, 30 * (o.warmup + o.steps)));
    const r = await new Deno.Command("/usr/bin/python3", {
      args: [script, "--device", "cpu", "--preset", preset, "--batches", String(o.batch)]
        .concat(["--threads", String(o.threads), "--budget-s", budget, "--out", out]),
      stdout: "null",
      stderr: "piped",
    }).output();
    const doc = JSON.parse(await Deno.readTextFile(out)) as Record<string, unknown> & {
      runs?: { medianMs?: number; cpuMs?: number; stepMs?: number[] }[];
    };
    const run = doc.runs?.[0];
    if (r.code !== 0 || !run?.medianMs) {
      const err = new TextDecoder().decode(r.stderr).trim().split("\n").pop();
      return { error: String(doc.error ?? err ?? "failed"), ...doc };
    }
    return { ...doc, msPerStep: run.medianMs, msPerStepAll: run.stepMs, cpuMsPerStep: run.cpuMs };
  } catch (err) {
    return { error: `python3 with torch not available: ${(err as Error).message}` };
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

/** Runs the benchmark; prints one JSON object on stdout. */
export async function main(args: string[]): Promise<void> {
  const o = parse(args);
  if (o.child) {
    await child(o.child, o);
    return;
  }
  const passthrough = args.filter((a, i) => a !== "--child" && args[i - 1] !== "--child");
  const load0 = loadAvg();
  const started = new Date().toISOString();
  const backends: unknown[] = [];
  for (const b of o.backends) {
    if (b === "webgpu") {
      const probe = await probeWebGpu();
      if (!probe.hardware) {
        backends.push({ backend: "webgpu", skipped: probe.detail });
        continue;
      }
    }
    console.error(`bench model: ${b} ...`);
    backends.push(await runChild(b, passthrough));
  }
  const torch = o.torch && o.presets.includes("paper")
    ? (console.error("bench model: PyTorch reference ..."), await torchRef(o, "paper"))
    : null;
  const torchMs = typeof torch?.msPerStep === "number" ? torch.msPerStep : null;
  const ratios: Record<string, number> = {};
  for (
    const b of backends as { backend: string; presets?: { preset: string; msPerStep?: number }[] }[]
  ) {
    const p = b.presets?.find((x) => x.preset === "paper" && x.msPerStep);
    if (torchMs && p?.msPerStep) ratios[b.backend] = Number((torchMs / p.msPerStep).toFixed(3));
  }
  console.log(JSON.stringify(
    {
      bench: "model",
      command: `deno task bench model ${args.join(" ")}`.trim(),
      started,
      machine: {
        cores: navigator.hardwareConcurrency,
        deno: Deno.version.deno,
        loadAvgBefore: load0,
        loadAvgAfter: loadAvg(),
      },
      batch: o.batch,
      parallel: o.parallel,
      backends,
      pytorch: torch,
      ratioPyTorchOverOurs: ratios,
      goal: "ratio >= 1.0 for wasm (paper preset, same batch and threads)",
    },
    null,
    2,
  ));
}
