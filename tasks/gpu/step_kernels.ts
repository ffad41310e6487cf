/**
 * GPU check steps for our WebGPU convolution kernels (lib/model/ops/webgpu):
 * - tiles: the model's convolution shapes at a batch (seen during one
 *   training step), each kernel timed with every setting of its tile grid;
 *   the fastest is kept (`setTiles`) for the timed steps that follow;
 * - kernel counts: GPU dispatches of one training step with our kernels and
 *   with TF.js's.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
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
import type { Deadline } from "./budget.ts";
import { stepSetup } from "./model_api.ts";
import { median } from "./stats.ts";

/** The tuning result of one kernel and shape. */
export interface TileChoice {
  kernel: ConvKernel;
  shape: string;
  tried: number;
  best: Tiles;
  bestMs: number;
  defaultMs: number;
}

/**
 * Kernel counts of one training step: ours (our convolutions, fused Adam)
 * and TF.js's (TF.js's convolutions, Adam as TF.js ops per variable).
 */
export interface KernelCounts {
  preset: string;
  batch: number;
  ownKernels: number;
  tfjsKernels: number;
  ownByProgram: Record<string, number>;
  tfjsByProgram: Record<string, number>;
}

/** The distinct convolutions (kernel + geometry) one training step of `preset` runs. */
export async function modelConvs(
  preset: string,
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
  return [...seen.values()];
}

function gemmOf(k: ConvKernel, g: ConvGeometry) {
  return k === "forward" ? forwardGemm(g) : k === "input" ? inputGradGemm(g) : filterGradGemm(g);
}

/** ms of one run of kernel `k` with tiles `t` (median of `reps` after a compile run). */
async function timeKernel(k: ConvKernel, g: ConvGeometry, t: Tiles, reps: number): Promise<number> {
  const x = tf.randomNormal([g.n, g.h, g.w, g.ci]) as tf.Tensor4D;
  const w = tf.randomNormal([g.kh, g.kw, g.ci, g.co]) as tf.Tensor4D;
  const dy = tf.randomNormal([g.n, g.ho, g.wo, g.co]) as tf.Tensor4D;
  const run = () =>
    k === "forward"
      ? gpuConv2d(x, w, g, undefined, false, t)
      : k === "input"
      ? gpuConv2dInputGrad(dy, w, g, t)
      : gpuConv2dFilterGrad(x, dy, g, t);
  const ms: number[] = [];
  try {
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const y = run();
      await y.data();
      y.dispose();
      if (i > 0) ms.push(performance.now() - t0);
    }
  } finally {
    tf.dispose([x, w, dy]);
  }
  return median(ms);
}

/**
 * Tries the tile grid for every convolution of the preset's step at `batch`
 * until `deadline`, keeps the fastest setting per shape (`setTiles`).
 */
export async function tuneTiles(
  preset: string,
  batch: number,
  deadline: Deadline,
  reps = 3,
): Promise<TileChoice[]> {
  const out: TileChoice[] = [];
  for (const [k, g] of await modelConvs(preset, batch)) {
    if (deadline.left() <= 0) break;
    const s = gemmOf(k, g);
    const def = tilesFor(k, s);
    const c: TileChoice = {
      kernel: k,
      shape: shapeKey(k, s),
      tried: 1,
      best: def,
      bestMs: 0,
      defaultMs: 0,
    };
    c.defaultMs = c.bestMs = await timeKernel(k, g, def, reps);
    for (const t of tileGrid(k, s)) {
      if (deadline.left() <= 0) break;
      const ms = await timeKernel(k, g, t, reps);
      c.tried++;
      if (ms < c.bestMs) [c.best, c.bestMs] = [t, ms];
    }
    setTiles(c.shape, c.best);
    out.push(c);
  }
  return out;
}

/** Dispatches of one training step (after a warm-up step) with our kernels, then TF.js's. */
export async function countStepKernels(preset: string, batch: number): Promise<KernelCounts> {
  const one = async (own: boolean) => {
    setOwnConvKernels(own);
    const s = stepSetup(preset, batch, own ? "auto" : "device");
    try {
      await s.step();
      return await countDispatches(() => s.step());
    } finally {
      s.dispose();
      setOwnConvKernels(true);
    }
  };
  const own = await one(true), tfjs = await one(false);
  return {
    preset,
    batch,
    ownKernels: own.total,
    tfjsKernels: tfjs.total,
    ownByProgram: own.byProgram,
    tfjsByProgram: tfjs.byProgram,
  };
}
