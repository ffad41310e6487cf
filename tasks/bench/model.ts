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
 * The PyTorch reference (tasks/pytorch/bench_ref.py: the same paper preset,
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
import { lossOf } from "../../lib/model/ops/loss.ts";
import { Adam } from "../../lib/model/infra/optimizer.ts";
import { ParamStore } from "../../lib/model/infra/params.ts";
import { evalLogits, trainableWeights, trainStep } from "../../lib/model/infra/train_step.ts";
import { type BackendChoice, probeWebGpu, selectBackend } from "../../lib/train/backend.ts";
import { emptyBatch } from "../../lib/data/batch.ts";
import "../../lib/train/builtin_models.ts";
import { DataParallel } from "../../lib/train/data_parallel.ts";
import { getModel, type ModelSpec } from "../../lib/train/models.ts";
import { Rng } from "../../lib/util/rng.ts";

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
  const val = (k: string, d: string) => {
    const i = args.indexOf(k);
    return i >= 0 && args[i + 1] ? args[i + 1]! : d;
  };
  return {
    backends: val("--backends", "wasm,cpu,webgpu").split(","),
    presets: val("--presets", "cpu,paper").split(",") as PresetName[],
    steps: Number(val("--steps", "3")),
    warmup: Number(val("--warmup", "1")),
    batch: Number(val("--batch", "8")),
    threads: Number(val("--threads", String(navigator.hardwareConcurrency || 2))),
    torch: !args.includes("--no-torch"),
    profile: args.includes("--profile"),
    paperOnCpu: args.includes("--paper-on-cpu"),
    micro: Number(val("--micro", "2")),
    parallel: Number(val("--parallel", "1")),
    child: args.includes("--child") ? val("--child", "") : null,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
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

function batchOf(preset: PresetName, b: number, seed: number) {
  const c = PRESETS[preset];
  return {
    frames: tf.randomNormal([b, c.length, c.stamp, c.stamp], 0, 1, "float32", seed) as tf.Tensor4D,
    bands: tf.tensor2d(
      [...Array(b * c.length)].map((_, i) => 1 + ((i * 7) % 5)),
      [b, c.length],
      "int32",
    ),
    labels: tf.tensor1d([...Array(b)].map((_, i) => i % c.numClasses), "int32"),
  };
}

/**
 * One Adam step on `batch` objects as `batch / micro` micro-batches whose
 * gradients are summed (the wasm heap holds at most 4 GB; TF.js keeps every
 * intermediate of the forward and backward passes, about 0.9 GB per paper
 * object). Same arithmetic work as one batch; BatchNorm statistics per micro-batch.
 */
async function accumulatedStep(
  model: ReturnType<typeof createConvEntion>,
  opt: Adam,
  x: ReturnType<typeof batchOf>,
  micro: number,
  seed: number,
): Promise<void> {
  const b = x.frames.shape[0];
  if (micro >= b) {
    await trainStep(model, opt, { frames: x.frames, bands: x.bands }, x.labels, { seed });
    return;
  }
  const byName = opt.variables();
  const vars = [...byName.values()];
  let acc: Record<string, tf.Tensor> | null = null;
  for (let s = 0; s < b; s += micro) {
    const n = Math.min(micro, b - s);
    const frames = tf.slice(x.frames, [s, 0, 0, 0], [n, -1, -1, -1]);
    const bands = tf.slice(x.bands, [s, 0], [n, -1]);
    const labels = tf.slice(x.labels, [s], [n]);
    const { value, grads } = tf.variableGrads(
      () => tf.mul(lossOf(model.apply({ frames, bands }, { training: true, seed }), labels), n / b),
      vars,
    );
    value.dataSync();
    if (!acc) acc = grads;
    else {
      for (const k of Object.keys(grads)) {
        const sum = tf.add(acc[k]!, grads[k]!);
        tf.dispose([acc[k]!, grads[k]!]);
        acc[k] = sum;
      }
    }
    tf.dispose([value, frames, bands, labels]);
  }
  opt.apply(new Map([...byName].map(([name, v]) => [name, acc![v.name]!])));
  tf.dispose(Object.values(acc!));
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

/** The same Adam steps as {@link timeSteps}, cut into `o.parallel` shards (data_parallel.ts). */
async function timeParallelSteps(preset: PresetName, batch: number, o: Opts) {
  const c = PRESETS[preset];
  const spec: ModelSpec = {
    preset,
    options: {},
    numClasses: c.numClasses,
    bands: [...c.bands],
    seed: 1,
  };
  const entry = getModel("convention");
  const model = entry.create(spec);
  const opt = new Adam(trainableWeights(model), { lr: 1e-3 });
  const x = emptyBatch(batch, c.length, c.stamp, c.stamp);
  const rng = new Rng(2);
  for (let i = 0; i < x.frames.length; i++) x.frames[i] = rng.normal();
  for (let i = 0; i < x.bands.length; i++) x.bands[i] = 1 + ((i * 7) % 5);
  for (let i = 0; i < batch; i++) x.labels[i] = i % c.numClasses;
  const micro = preset === "paper" ? o.micro : null;
  const dp = await DataParallel.start({
    replicas: o.parallel,
    micro,
    model: "convention",
    spec,
    weightNames: [...model.weights().keys()],
  });
  let wall: number[], cpu: number[];
  try {
    ({ wall, cpu } = await timeLoop(
      `${preset} b${batch} x${o.parallel}`,
      o,
      (i) => dp.step(model, opt, entry, x, { seed: i }),
    ));
  } finally {
    dp.close();
    opt.dispose();
    model.dispose();
  }
  return {
    preset,
    batch,
    parallel: o.parallel,
    ...(micro !== null && micro < batch / o.parallel ? { microBatch: micro } : {}),
    ...stepStats(batch, wall, cpu),
  };
}

async function timeSteps(preset: PresetName, batch: number, o: Opts) {
  if (o.parallel > 1 && tf.getBackend() !== "webgpu") return timeParallelSteps(preset, batch, o);
  const model = createConvEntion(preset, 1);
  const opt = new Adam(trainableWeights(model), { lr: 1e-3 });
  const x = batchOf(preset, batch, 2);
  const micro = preset === "paper" && tf.getBackend() !== "webgpu" ? o.micro : batch;
  const { wall, cpu } = await timeLoop(
    `${preset} b${batch}`,
    o,
    (i) => accumulatedStep(model, opt, x, micro, i),
  );
  let profile: unknown = undefined;
  if (o.profile && preset === "paper") {
    const p = await tf.profile(async () => {
      await accumulatedStep(model, opt, x, micro, 99);
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
      const z = evalLogits(model, { frames: x.frames, bands: x.bands });
      await z.data();
      z.dispose();
      if (i > 0) t.push(performance.now() - t0);
    }
    inference = batch / (median(t) / 1000);
  }
  tf.dispose([x.frames, x.bands, x.labels]);
  opt.dispose();
  model.dispose();
  return {
    preset,
    batch,
    ...(micro < batch ? { microBatch: micro } : {}),
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

async function torchRef(o: Opts, preset: string): Promise<Record<string, unknown>> {
  try {
    const r = await new Deno.Command("/usr/bin/python3", {
      args: [
        new URL("../pytorch/bench_ref.py", import.meta.url).pathname,
        "--preset",
        preset,
        "--batch",
        String(o.batch),
        "--threads",
        String(o.threads),
        "--steps",
        String(o.steps),
        "--warmup",
        String(o.warmup),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (r.code !== 0) {
      return { error: new TextDecoder().decode(r.stderr).trim().split("\n").pop() ?? "failed" };
    }
    return JSON.parse(new TextDecoder().decode(r.stdout).trim());
  } catch (err) {
    return { error: `python3 with torch not available: ${(err as Error).message}` };
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
