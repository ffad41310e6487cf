/**
 * `deno task bench model [options]`: training-step speed of ConvEntion per
 * backend, beside the PyTorch reference, as one JSON object on stdout.
 *
 * Per backend, each in its own process (so peak RSS is per backend): ms per
 * Adam step (median of `--steps` after `--warmup`), wall and process CPU
 * time and objects/s for the presets of `--presets` (default `cpu,paper`) at
 * `--batch` (8), the `cpu` preset also at batch 32 and for inference; the
 * naive/factorised attention time ratio on the paper's attention shapes; peak
 * RSS. webgpu is measured only on a hardware adapter (a software fallback is
 * reported as skipped); the paper preset runs on the cpu backend only with
 * `--paper-on-cpu` (one step takes over 10 minutes there).
 *
 * The PyTorch reference (tasks/pytorch/torch_bench.py --device cpu: the paper
 * preset, same batch, `--threads` threads (default: the cores), the authors'
 * n^2 attention) runs in the same invocation unless `--no-torch`; `ratio` =
 * PyTorch ms / our ms (goal >= 1 for wasm).
 *
 * TF.js keeps every intermediate of the step (about 0.9 GB per paper object)
 * and the wasm heap holds 4 GB, so on wasm and cpu the paper batch runs in
 * micro-batches of `--micro` (2) objects, their gradients summed before one
 * Adam update: the whole batch's arithmetic, BatchNorm statistics per
 * micro-batch (JSON: `microBatch`). `--parallel K` (wasm and cpu) cuts each
 * step into K shards (in micro-batches for the paper preset) computed at once
 * by the training thread and K - 1 worker replicas, as `train --parallel K`
 * does (JSON: `parallel`); PyTorch then uses as many cores (`--threads`).
 * `--profile`: per-kernel times of one paper step. `--backends` (default
 * `wasm,cpu,webgpu`) lists the backends.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { type PresetName, PRESETS } from "../../lib/model/convention.ts";
import {
  addConvAttention,
  convAttention,
  convAttentionNaive,
} from "../../lib/model/conv_attention.ts";
import { ParamStore } from "../../lib/model/infra/params.ts";
import { evalLogits } from "../../lib/model/infra/train_step.ts";
import { type BackendChoice, probeWebGpu, selectBackend } from "../../lib/train/backend.ts";
import "../../lib/train/builtin_models.ts";
import { DataParallel } from "../../lib/train/data_parallel.ts";
import { getModel } from "../../lib/train/models.ts";
import { printJson } from "../../lib/cli/util/output.ts";
import { arg, childJson, machineInfo, median, stopwatch, type TorchRun } from "./shared.ts";
import { stepSetup } from "./step_setup.ts";

type Opts = ReturnType<typeof parse>;

function parse(args: string[]) {
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

// Deno needs --allow-all to read /proc; the peak RSS is sampled after each step instead.
let rssPeak = 0;
const sampleRss = () => rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss);

/**
 * Runs `o.warmup + o.steps` steps of `batch` objects: the median wall and process CPU ms of
 * the timed ones and objects/s.
 */
async function timeLoop(label: string, o: Opts, batch: number, step: () => Promise<unknown>) {
  const wall: number[] = [], cpu: number[] = [], n = o.warmup + o.steps;
  for (let i = 0; i < n; i++) {
    const sw = stopwatch();
    await step();
    sampleRss();
    if (i >= o.warmup) {
      wall.push(sw.wall() * 1000);
      cpu.push(sw.cpu() * 1000);
    }
    console.error(`  ${label} step ${i + 1}/${n}: ${(sw.wall() * 1000).toFixed(0)} ms`);
  }
  const ms = median(wall), cms = median(cpu);
  return {
    msPerStep: Math.round(ms),
    msPerStepAll: wall.map(Math.round),
    cpuMsPerStep: Math.round(cms),
    objectsPerSecond: Number((batch / (ms / 1000)).toFixed(2)),
    objectsPerSecondCpuTime: Number((batch / (cms / 1000)).toFixed(2)),
  };
}

/** Per-kernel times of one step (`tf.profile`): the 15 longest kernels. */
async function profileStep(step: () => Promise<unknown>) {
  const p = await tf.profile(async () => {
    await step();
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
  return {
    kernelMsTotal: Math.round(total),
    kernels: [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15).map(([name, e]) => ({
      name,
      ms: Math.round(e.ms),
      share: Number((e.ms / total).toFixed(3)),
      calls: e.calls,
    })),
  };
}

/**
 * Times Adam steps of `preset` at `batch` (tasks/bench/step_setup.ts). On wasm and cpu the
 * paper preset runs in micro-batches of `o.micro` and `--parallel K` cuts each step into K
 * shards, both through the training's own data-parallel step (lib/train/data_parallel.ts).
 */
async function timeSteps(preset: PresetName, batch: number, o: Opts) {
  const s = stepSetup(preset, batch);
  const gpu = tf.getBackend() === "webgpu";
  const micro = preset === "paper" && !gpu && o.micro < batch ? o.micro : null;
  const parallel = gpu ? 1 : o.parallel;
  const c = PRESETS[preset];
  const dp = parallel > 1 || micro !== null
    ? await DataParallel.start({
      replicas: parallel,
      micro,
      model: "convention",
      spec: { preset, options: {}, numClasses: c.numClasses, bands: [...c.bands], seed: 11 },
      weightNames: [...s.model.weights().keys()],
    })
    : null;
  let seed = 0;
  const step = () =>
    dp ? dp.step(s.model, s.opt, getModel("convention"), s.batch, { seed: seed++ }) : s.step();
  const label = `${preset} b${batch}${parallel > 1 ? ` x${parallel}` : ""}`;
  const stats = await timeLoop(label, o, batch, step);
  const profile = o.profile && preset === "paper" ? await profileStep(step) : undefined;
  let inference: number | undefined;
  if (preset === "cpu") {
    const t: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      const z = evalLogits(s.model, s.input);
      await z.data();
      z.dispose();
      if (i > 0) t.push(performance.now() - t0);
    }
    inference = batch / (median(t) / 1000);
  }
  dp?.close();
  s.dispose();
  return {
    preset,
    batch,
    ...(parallel > 1 ? { parallel } : {}),
    ...(micro !== null ? { microBatch: micro } : {}),
    ...stats,
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
  const attention = attentionRatio();
  const peakRssMB = Math.round(sampleRss() / 1048576);
  console.log(
    JSON.stringify({ backend: sel.backend, reason: sel.reason, presets, attention, peakRssMB }),
  );
}

/** One backend's measurements, by `deno task bench model ... --child BACKEND`. */
async function runChild(backend: string, args: string[]): Promise<unknown> {
  const run = ["run", "--allow-read", "--allow-write", "--allow-env", "--allow-sys", "--allow-run"];
  const bench = new URL("../bench.ts", import.meta.url).pathname;
  const r = await childJson(Deno.execPath(), [...run, bench, "model", ...args, "--child", backend]);
  return r.json ??
    { backend, error: `child exited with code ${r.code}`, output: r.last.slice(0, 500) };
}

/** PyTorch's step on the CPU (tasks/pytorch/torch_bench.py), its first run as `msPerStep`. */
async function torchRef(o: Opts): Promise<Record<string, unknown>> {
  const out = await Deno.makeTempFile({ suffix: ".json" });
  const budget = String(Math.max(60, 30 * (o.warmup + o.steps)));
  const flags = ["--device", "cpu", "--preset", "paper", "--batches", String(o.batch)];
  flags.push("--threads", String(o.threads), "--budget-s", budget, "--out", out);
  try {
    const script = new URL("../pytorch/torch_bench.py", import.meta.url).pathname;
    const r = await childJson("/usr/bin/python3", [script, ...flags], "piped");
    const doc = JSON.parse(await Deno.readTextFile(out)) as Record<string, unknown>;
    const run = (doc.runs as TorchRun[] | undefined)?.[0];
    if (r.code === 0 && run?.medianMs) {
      return { ...doc, msPerStep: run.medianMs, msPerStepAll: run.stepMs, cpuMsPerStep: run.cpuMs };
    }
    return { error: String(doc.error ?? r.stderr.trim().split("\n").pop() ?? "failed"), ...doc };
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
  const load0 = Deno.loadavg();
  const started = new Date().toISOString();
  const backends: unknown[] = [];
  for (const b of o.backends) {
    const probe = b === "webgpu" ? await probeWebGpu() : null;
    if (probe && !probe.hardware) {
      backends.push({ backend: b, skipped: probe.detail });
      continue;
    }
    console.error(`bench model: ${b} ...`);
    backends.push(await runChild(b, passthrough));
  }
  const torch = o.torch && o.presets.includes("paper")
    ? (console.error("bench model: PyTorch reference ..."), await torchRef(o))
    : null;
  const torchMs = typeof torch?.msPerStep === "number" ? torch.msPerStep : null;
  const ratios: Record<string, number> = {};
  for (
    const b of backends as { backend: string; presets?: { preset: string; msPerStep?: number }[] }[]
  ) {
    const p = b.presets?.find((x) => x.preset === "paper" && x.msPerStep);
    if (torchMs && p?.msPerStep) ratios[b.backend] = Number((torchMs / p.msPerStep).toFixed(3));
  }
  printJson({
    bench: "model",
    command: `deno task bench model ${args.join(" ")}`.trim(),
    started,
    machine: machineInfo(load0),
    batch: o.batch,
    parallel: o.parallel,
    backends,
    pytorch: torch,
    ratioPyTorchOverOurs: ratios,
    goal: "ratio >= 1.0 for wasm (paper preset, same batch and threads)",
  });
}
