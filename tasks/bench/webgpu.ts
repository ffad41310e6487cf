/**
 * `deno task bench webgpu [options]`: our WebGPU convolution kernels
 * (lib/model/ops/webgpu) against the TF.js path the model used before (TF.js
 * conv2d forward, and the forward-convolution gradients of conv_exact.ts), on
 * the convolution shapes of one training step of a preset, on the active
 * adapter (this machine: the software adapter, llvmpipe); then the whole
 * training step and its dispatch count both ways (ours: our convolutions and
 * the fused Adam; TF.js: its convolutions and Adam as TF.js ops per
 * variable). One JSON object on stdout. The GPU check (tasks/gpu) runs the
 * tile tuning and the dispatch count of this file on the GPU.
 *
 * Options: `--preset tiny|paper` (tiny), `--batch N` (2), `--reps N` (5), `--help`.
 *
 * @module
 */
import type { PresetName } from "../../lib/model/convention.ts";
import * as tf from "@tensorflow/tfjs-core";
import { conv2dFilterGrad, conv2dInputGrad } from "../../lib/model/ops/conv_exact.ts";
import {
  type ConvGeometry,
  filterGradGemm,
  forwardGemm,
  inputGradGemm,
} from "../../lib/model/ops/webgpu/conv_geometry.ts";
import {
  gpuConv2d,
  gpuConv2dFilterGrad,
  gpuConv2dInputGrad,
  observeConvs,
} from "../../lib/model/ops/webgpu/conv_kernels.ts";
import { countDispatches } from "../../lib/model/ops/webgpu/dispatch_count.ts";
import { setOwnConvKernels } from "../../lib/model/ops/webgpu/settings.ts";
import {
  type ConvKernel,
  setTiles,
  shapeKey,
  tileGrid,
  type Tiles,
  tilesFor,
} from "../../lib/model/ops/webgpu/tiles.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { type StepSetup, stepSetup } from "./step_setup.ts";
import { arg, compareTensors, median } from "./shared.ts";

/** The distinct convolutions (kernel + geometry) one training step of `preset` runs, most work first. */
export async function modelConvs(
  preset: PresetName,
  batch: number,
): Promise<[ConvKernel, ConvGeometry][]> {
  const seen = new Map<string, [ConvKernel, ConvGeometry]>();
  observeConvs((k, g) => seen.set(`${k}:${JSON.stringify(g)}`, [k, g]));
  const s = stepSetup(preset, batch);
  try {
    await s.step();
  } finally {
    observeConvs(null);
    s.dispose();
  }
  const work = ([k, g]: [ConvKernel, ConvGeometry]) => {
    const s = gemmOf(k, g);
    return s.rows * s.cols * s.depth;
  };
  return [...seen.values()].sort((a, b) => work(b) - work(a));
}

function gemmOf(k: ConvKernel, g: ConvGeometry) {
  return k === "forward" ? forwardGemm(g) : k === "input" ? inputGradGemm(g) : filterGradGemm(g);
}

/**
 * ms of one run of convolution kernel `k` (median of `reps` after a first,
 * compiling run) on seeded inputs, and the values of that first run: ours
 * with tiles `t` (our default tiles when omitted), or TF.js's when `tfjs`.
 */
async function timeConv(k: ConvKernel, g: ConvGeometry, reps: number, t?: Tiles, tfjs = false) {
  const x = tf.randomNormal([g.n, g.h, g.w, g.ci], 0, 1, "float32", 1) as tf.Tensor4D;
  const w = tf.randomNormal([g.kh, g.kw, g.ci, g.co], 0, 1, "float32", 2) as tf.Tensor4D;
  const dy = tf.randomNormal([g.n, g.ho, g.wo, g.co], 0, 1, "float32", 3) as tf.Tensor4D;
  const stride = [g.sh, g.sw] as [number, number];
  const pad: [[number, number], [number, number]] = [
    [g.pt, (g.ho - 1) * g.sh + g.kh - g.h - g.pt],
    [g.pl, (g.wo - 1) * g.sw + g.kw - g.w - g.pl],
  ];
  const ours = k === "forward"
    ? () => gpuConv2d(x, w, g, undefined, false, t)
    : k === "input"
    ? () => gpuConv2dInputGrad(dy, w, g, t)
    : () => gpuConv2dFilterGrad(x, dy, g, t);
  const theirs = k === "forward"
    ? () => tf.conv2d(x, w, stride, [[0, 0], ...pad, [0, 0]])
    : k === "input"
    ? () => conv2dInputGrad(dy, w, x.shape, stride, pad)
    : () => conv2dFilterGrad(x, dy, [g.kh, g.kw], stride, pad);
  const ms: number[] = [];
  let values = new Float32Array();
  try {
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const y = tfjs ? theirs() : ours();
      const v = new Float32Array(await y.data());
      y.dispose();
      if (i > 0) ms.push(performance.now() - t0);
      else values = v;
    }
  } finally {
    tf.dispose([x, w, dy]);
  }
  return { ms: median(ms), values };
}

/**
 * Tries the tile grid of every convolution of the preset's step at `batch`
 * until `endS` (performance.now() seconds) and keeps the fastest setting per
 * shape (`setTiles`). `worstRelErr`: the largest difference of any setting's
 * output from the default's (relative to its largest magnitude); settings
 * that fail the backend-equivalence rule (`compareTensors`, 1e-4) are never
 * chosen and are counted in `mismatches`.
 */
export async function tuneTiles(preset: PresetName, batch: number, endS: number, reps = 3) {
  const out = [];
  const over = () => performance.now() / 1000 >= endS;
  for (const [kernel, g] of await modelConvs(preset, batch)) {
    if (over()) break;
    const s = gemmOf(kernel, g);
    const ref = await timeConv(kernel, g, reps, tilesFor(kernel, s));
    const c = { kernel, shape: shapeKey(kernel, s), tried: 1, best: tilesFor(kernel, s) };
    const times = { bestMs: ref.ms, defaultMs: ref.ms, worstRelErr: 0, mismatches: 0 };
    for (const t of tileGrid(kernel, s)) {
      if (over()) break;
      const r = await timeConv(kernel, g, reps, t);
      const e = compareTensors(r.values, ref.values);
      c.tried++;
      times.worstRelErr = Math.max(times.worstRelErr, e.relErr);
      if (!e.ok) times.mismatches++;
      else if (r.ms < times.bestMs) [c.best, times.bestMs] = [t, r.ms];
    }
    setTiles(c.shape, c.best);
    out.push({ ...c, ...times });
  }
  return out;
}

/** The tuning result of one kernel and shape. */
export type TileChoice = Awaited<ReturnType<typeof tuneTiles>>[number];

/** `f` on a training step set up with our kernels (`own`) or TF.js's convolutions and Adam. */
async function withKernels<T>(
  own: boolean,
  preset: PresetName,
  batch: number,
  f: (s: StepSetup) => Promise<T>,
): Promise<T> {
  setOwnConvKernels(own);
  const s = stepSetup(preset, batch, own ? "auto" : "device");
  try {
    await s.step();
    return await f(s);
  } finally {
    s.dispose();
    setOwnConvKernels(true);
  }
}

/** Dispatches of one training step (after a warm-up step) with our kernels, then TF.js's. */
export async function countStepKernels(preset: PresetName, batch: number) {
  const count = (s: StepSetup) => countDispatches(() => s.step());
  const own = await withKernels(true, preset, batch, count);
  const tfjs = await withKernels(false, preset, batch, count);
  return {
    preset,
    batch,
    ownKernels: own.total,
    tfjsKernels: tfjs.total,
    ownByProgram: own.byProgram,
    tfjsByProgram: tfjs.byProgram,
  };
}

/** Kernel counts of one training step, ours and TF.js's. */
export type KernelCounts = Awaited<ReturnType<typeof countStepKernels>>;

/** ms per training step (median of `reps` after a warm-up step), our kernels or TF.js's. */
function stepMs(preset: PresetName, batch: number, own: boolean, reps: number): Promise<number> {
  return withKernels(own, preset, batch, async (s) => {
    const ms: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await s.step();
      ms.push(performance.now() - t0);
    }
    return median(ms);
  });
}

/** ms of one convolution, ours (default tiles) and TF.js's. */
async function compareConv(kernel: ConvKernel, geometry: ConvGeometry, reps: number) {
  const oursMs = (await timeConv(kernel, geometry, reps)).ms;
  const tfjsMs = (await timeConv(kernel, geometry, reps, undefined, true)).ms;
  return { kernel, geometry, oursMs, tfjsMs, speedup: tfjsMs / oursMs };
}

/** Runs the benchmark. */
export async function main(args: string[]): Promise<void> {
  const preset = arg(args, "--preset", "tiny") as PresetName;
  const batch = Number(arg(args, "--batch", "2")), reps = Number(arg(args, "--reps", "5"));
  const r = await selectBackend("webgpu", { quiet: true });
  const dev = (tf.backend() as unknown as { device: GPUDevice & { adapterInfo?: GPUAdapterInfo } })
    .device;
  const convs: Awaited<ReturnType<typeof compareConv>>[] = [];
  for (const [kernel, geometry] of await modelConvs(preset, batch)) {
    convs.push(await compareConv(kernel, geometry, reps));
  }
  const sum = (key: "oursMs" | "tfjsMs") => convs.reduce((a, c) => a + c[key], 0);
  const stepReps = Math.min(reps, 3);
  const step = {
    oursMs: await stepMs(preset, batch, true, stepReps),
    tfjsMs: await stepMs(preset, batch, false, stepReps),
  };
  console.log(JSON.stringify(
    {
      bench: "webgpu",
      adapter: dev.adapterInfo?.description ?? r.reason,
      fallbackAdapter: dev.adapterInfo?.isFallbackAdapter ?? null,
      preset,
      batch,
      reps,
      convs,
      convTotal: {
        oursMs: sum("oursMs"),
        tfjsMs: sum("tfjsMs"),
        speedup: sum("tfjsMs") / sum("oursMs"),
      },
      step,
      dispatches: await countStepKernels(preset, batch),
    },
    null,
    1,
  ));
}
