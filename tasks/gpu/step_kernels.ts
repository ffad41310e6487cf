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
import type { PresetName } from "../../lib/model/convention.ts";
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
import { stepSetup } from "../bench/step_setup.ts";
import { median } from "../bench/shared.ts";

/**
 * The tuning result of one kernel and shape; `worstRelErr`: the largest
 * difference of any setting's output from the default setting's (relative
 * to its largest magnitude): our kernels' correctness on the GPU at the
 * preset's shapes (reductions of up to 10^5 products and more); settings
 * above 1e-4 are never chosen and counted in `mismatches`.
 */
export interface TileChoice {
  kernel: ConvKernel;
  shape: string;
  tried: number;
  best: Tiles;
  bestMs: number;
  defaultMs: number;
  worstRelErr: number;
  mismatches: number;
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
  // Most work first: the tuning stops at its deadline.
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
 * ms of one run of kernel `k` with tiles `t` (median of `reps` after a
 * compile run) and the values of that first run (seeded inputs).
 */
async function timeKernel(
  k: ConvKernel,
  g: ConvGeometry,
  t: Tiles,
  reps: number,
): Promise<{ ms: number; values: Float32Array }> {
  const x = tf.randomNormal([g.n, g.h, g.w, g.ci], 0, 1, "float32", 1) as tf.Tensor4D;
  const w = tf.randomNormal([g.kh, g.kw, g.ci, g.co], 0, 1, "float32", 2) as tf.Tensor4D;
  const dy = tf.randomNormal([g.n, g.ho, g.wo, g.co], 0, 1, "float32", 3) as tf.Tensor4D;
  const run = () =>
    k === "forward"
      ? gpuConv2d(x, w, g, undefined, false, t)
      : k === "input"
      ? gpuConv2dInputGrad(dy, w, g, t)
      : gpuConv2dFilterGrad(x, dy, g, t);
  const ms: number[] = [];
  let values: Float32Array = new Float32Array();
  try {
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const y = run();
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

function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return Number.isFinite(d) ? (m === 0 ? d : d / m) : Infinity;
}

/**
 * Tries the tile grid for every convolution of the preset's step at `batch`
 * until `deadline`, keeps the fastest setting per shape (`setTiles`).
 */
export async function tuneTiles(
  preset: PresetName,
  batch: number,
  deadline: Deadline,
  reps = 3,
): Promise<TileChoice[]> {
  const out: TileChoice[] = [];
  for (const [k, g] of await modelConvs(preset, batch)) {
    if (deadline.left() <= 0) break;
    const s = gemmOf(k, g);
    const def = tilesFor(k, s);
    const ref = await timeKernel(k, g, def, reps);
    const c: TileChoice = {
      kernel: k,
      shape: shapeKey(k, s),
      tried: 1,
      best: def,
      bestMs: ref.ms,
      defaultMs: ref.ms,
      worstRelErr: 0,
      mismatches: 0,
    };
    for (const t of tileGrid(k, s)) {
      if (deadline.left() <= 0) break;
      const r = await timeKernel(k, g, t, reps);
      const e = relDiff(r.values, ref.values);
      c.tried++;
      c.worstRelErr = Math.max(c.worstRelErr, e);
      if (e > 1e-4) c.mismatches++;
      else if (r.ms < c.bestMs) [c.best, c.bestMs] = [t, r.ms];
    }
    setTiles(c.shape, c.best);
    out.push(c);
  }
  return out;
}

/** Dispatches of one training step (after a warm-up step) with our kernels, then TF.js's. */
export async function countStepKernels(preset: PresetName, batch: number): Promise<KernelCounts> {
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
