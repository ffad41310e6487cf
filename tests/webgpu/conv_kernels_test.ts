/**
 * Our WGSL convolution kernels (lib/model/ops/webgpu/) against TF.js's cpu
 * backend on small, odd shapes:
 * stride 2, asymmetric padding, 11x11 kernels, batch 1, sizes that are not
 * multiples of any tile, several split-K chunks, the fused bias + ReLU
 * epilogue and every setting of the tuning grid.
 *
 * Runs on the software adapter (llvmpipe), whose shader loops stop silently
 * past 65,535 iterations: every loop of these kernels is bounded at compile
 * time (at most a few hundred tile steps here, 4,096 at most anywhere), so a
 * mismatch is a kernel error, not that limit.
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv2dFilterGrad, conv2dInputGrad } from "../../lib/model/ops/conv_exact.ts";
import { convGeometry, forwardGemm } from "../../lib/model/ops/webgpu/conv_geometry.ts";
import {
  gpuConv2d,
  gpuConv2dFilterGrad,
  gpuConv2dInputGrad,
} from "../../lib/model/ops/webgpu/conv_kernels.ts";
import { tileGrid, type Tiles } from "../../lib/model/ops/webgpu/tiles.ts";
import { probeWebGpu, selectBackend } from "../../lib/train/backend.ts";
import { relMaxDiff } from "../model/reference.ts";
import { assert } from "../util/assert.ts";

type Pad = [[number, number], [number, number]];
interface Case {
  name: string;
  x: [number, number, number, number];
  k: [number, number, number, number];
  stride: [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  {
    name: "3x3 same, odd sizes",
    x: [2, 7, 9, 3],
    k: [3, 3, 3, 5],
    stride: [1, 1],
    pad: [[1, 1], [1, 1]],
  },
  {
    name: "stride 2, asymmetric pad",
    x: [1, 9, 10, 2],
    k: [3, 4, 2, 20],
    stride: [2, 2],
    pad: [[1, 0], [2, 1]],
  },
  {
    name: "11x11, batch 1",
    x: [1, 13, 12, 2],
    k: [11, 11, 2, 4],
    stride: [1, 1],
    pad: [[5, 5], [5, 5]],
  },
  {
    name: "1x1, one channel",
    x: [1, 5, 3, 1],
    k: [1, 1, 1, 1],
    stride: [1, 1],
    pad: [[0, 0], [0, 0]],
  },
  {
    name: "stride 3x1 valid, 40 channels",
    x: [3, 8, 6, 7],
    k: [3, 2, 7, 40],
    stride: [3, 1],
    pad: [[0, 0], [0, 0]],
  },
];

const seq = (n: number, f: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + 0.3));
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface Values {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/**
 * Forward, input and kernel gradient for the output gradient r on the cpu
 * backend: tf.conv2d, and the forward-convolution gradients of conv_exact.ts
 * (checked against float64 in tests/model/conv_exact_test.ts; the cpu
 * backend's own Conv2DBackpropFilter is far too slow for a test).
 */
async function reference(c: Case): Promise<Values> {
  await selectBackend("cpu", { quiet: true });
  const x = tf.tensor4d(seq(size(c.x), 0.37), c.x);
  const w = tf.tensor4d(seq(size(c.k), 0.71), c.k);
  const y = tf.conv2d(x, w, c.stride, [[0, 0], ...c.pad, [0, 0]]);
  const r = tf.tensor4d(seq(y.size, 0.13), y.shape);
  const dx = conv2dInputGrad(r, w, c.x, c.stride, c.pad);
  const dw = conv2dFilterGrad(x, r, [c.k[0], c.k[1]], c.stride, c.pad);
  const out = {
    y: (await y.data()) as Float32Array,
    dx: (await dx.data()) as Float32Array,
    dw: (await dw.data()) as Float32Array,
  };
  tf.dispose([x, w, y, r, dx, dw]);
  return out;
}

/** The same three on webgpu with our kernels. */
async function ours(c: Case, tiles?: Tiles, filterTiles?: Tiles): Promise<Values> {
  await selectBackend("webgpu", { quiet: true });
  const g = convGeometry(c.x, c.k, c.stride, c.pad);
  const x = tf.tensor4d(seq(size(c.x), 0.37), c.x);
  const w = tf.tensor4d(seq(size(c.k), 0.71), c.k);
  const y = gpuConv2d(x, w, g, undefined, false, tiles);
  const r = tf.tensor4d(seq(y.size, 0.13), y.shape);
  const dx = gpuConv2dInputGrad(r, w, g, tiles);
  const dw = gpuConv2dFilterGrad(x, r, g, filterTiles);
  const out = {
    y: (await y.data()) as Float32Array,
    dx: (await dx.data()) as Float32Array,
    dw: (await dw.data()) as Float32Array,
  };
  tf.dispose([x, w, y, r, dx, dw]);
  return out;
}

function check(name: string, got: Values, ref: Values): void {
  for (const k of ["y", "dx", "dw"] as const) {
    const e = relMaxDiff(got[k], ref[k]);
    assert(e <= 1e-5, `${name}: ${k} differs from cpu by ${e.toExponential(2)} (relative)`);
  }
}

const gpu = await probeWebGpu();
const refs = new Map<string, Values>();
if (gpu.any) { for (const c of CASES) refs.set(c.name, await reference(c)); }

Deno.test({
  name: "webgpu conv kernels: forward, input and kernel gradient match cpu on odd shapes",
  ignore: !gpu.any,
  fn: async () => {
    for (const c of CASES) check(c.name, await ours(c), refs.get(c.name)!);
  },
});

Deno.test({
  name:
    "webgpu conv kernels: the kernel gradient is the same for 1, several and many split-K chunks",
  ignore: !gpu.any,
  fn: async () => {
    const c = CASES[0]!; // depth 2 * 7 * 9 = 126 products
    for (const chunk of [16, 40, 128]) {
      const t: Tiles = { tm: 16, tn: 16, tk: 8, rm: 2, rn: 2, chunk };
      check(`${c.name}, chunk ${chunk}`, await ours(c, undefined, t), refs.get(c.name)!);
    }
  },
});

Deno.test({
  name: "webgpu conv kernels: every setting of the tuning grid gives the cpu values",
  ignore: !gpu.any,
  fn: async () => {
    const c = CASES[1]!;
    const g = convGeometry(c.x, c.k, c.stride, c.pad);
    const grid = tileGrid("forward", forwardGemm(g));
    assert(grid.length >= 6, `grid of ${grid.length}`);
    // The grid's other 16 x 16 settings: larger tiles take 5-25 s each to
    // compile on the software adapter (its compiler unrolls per-thread loops).
    const picks = grid.filter((t) => t.tm * t.tn <= 256).slice(1, 3);
    assert(picks.length === 2, "two more 16 x 16 settings in the grid");
    for (const t of picks) {
      check(
        `${c.name}, ${JSON.stringify(t)}`,
        await ours(c, t, { ...t, chunk: 4 * t.tk }),
        refs.get(c.name)!,
      );
    }
  },
});

Deno.test({
  name: "webgpu conv kernels: the fused bias + ReLU epilogue equals relu(conv + bias) on cpu",
  ignore: !gpu.any,
  fn: async () => {
    const c = CASES[4]!;
    const bias = seq(c.k[3], 1.1);
    const ref = refs.get(c.name)!.y.map((v, i) => Math.max(0, v + bias[i % c.k[3]]!));
    await selectBackend("webgpu", { quiet: true });
    const x = tf.tensor4d(seq(size(c.x), 0.37), c.x);
    const w = tf.tensor4d(seq(size(c.k), 0.71), c.k);
    const b = tf.tensor1d(bias);
    const y = gpuConv2d(x, w, convGeometry(c.x, c.k, c.stride, c.pad), b, true);
    const got = (await y.data()) as Float32Array;
    tf.dispose([x, w, b, y]);
    assert(got.some((v) => v === 0) && got.some((v) => v > 0), "ReLU clipped some, kept some");
    const e = relMaxDiff(got, ref);
    assert(e <= 1e-5, `fused epilogue differs by ${e}`);
  },
});
