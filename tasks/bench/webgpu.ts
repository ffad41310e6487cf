/**
 * `deno task bench webgpu [options]`: our WebGPU convolution kernels
 * (lib/model/ops/webgpu) against the TF.js path the model used before (TF.js
 * conv2d forward, and the forward-convolution gradients of conv_exact.ts), on
 * the convolution shapes of one training step of a preset, on the active
 * adapter (this machine: the software adapter, llvmpipe); then the whole
 * training step and its dispatch count both ways (ours: our convolutions and
 * the fused Adam; TF.js: its convolutions and Adam as TF.js ops per
 * variable). One JSON object on stdout.
 *
 * Options: `--preset tiny|paper` (tiny), `--batch N` (2), `--reps N` (5), `--help`.
 *
 * @module
 */
import type { PresetName } from "../../lib/model/convention.ts";
import * as tf from "@tensorflow/tfjs-core";
import { conv2dFilterGrad, conv2dInputGrad } from "../../lib/model/ops/conv_exact.ts";
import type { ConvGeometry } from "../../lib/model/ops/webgpu/conv_geometry.ts";
import {
  gpuConv2d,
  gpuConv2dFilterGrad,
  gpuConv2dInputGrad,
} from "../../lib/model/ops/webgpu/conv_kernels.ts";
import { setOwnConvKernels } from "../../lib/model/ops/webgpu/settings.ts";
import type { ConvKernel } from "../../lib/model/ops/webgpu/tiles.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { stepSetup } from "./step_setup.ts";
import { countStepKernels, modelConvs } from "../gpu/step_kernels.ts";
import { median } from "./shared.ts";

const USAGE = "usage: deno task bench webgpu [--preset tiny|paper] [--batch N] [--reps N]";

async function timed(f: () => tf.Tensor, reps: number): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = performance.now();
    const y = f();
    await y.data();
    y.dispose();
    if (i > 0) ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** ms of one convolution kernel, ours and TF.js's, on random data. */
async function compareConv(k: ConvKernel, g: ConvGeometry, reps: number) {
  const x = tf.randomNormal([g.n, g.h, g.w, g.ci]) as tf.Tensor4D;
  const w = tf.randomNormal([g.kh, g.kw, g.ci, g.co]) as tf.Tensor4D;
  const dy = tf.randomNormal([g.n, g.ho, g.wo, g.co]) as tf.Tensor4D;
  const stride = [g.sh, g.sw] as const;
  const pad: [[number, number], [number, number]] = [
    [g.pt, (g.ho - 1) * g.sh + g.kh - g.h - g.pt],
    [g.pl, (g.wo - 1) * g.sw + g.kw - g.w - g.pl],
  ];
  const ours = k === "forward"
    ? () => gpuConv2d(x, w, g)
    : k === "input"
    ? () => gpuConv2dInputGrad(dy, w, g)
    : () => gpuConv2dFilterGrad(x, dy, g);
  const theirs = k === "forward"
    ? () => tf.conv2d(x, w, stride as [number, number], [[0, 0], ...pad, [0, 0]])
    : k === "input"
    ? () => conv2dInputGrad(dy, w, x.shape, stride, pad)
    : () => conv2dFilterGrad(x, dy, [g.kh, g.kw], stride, pad);
  try {
    const oursMs = await timed(ours, reps), tfjsMs = await timed(theirs, reps);
    return { kernel: k, geometry: g, oursMs, tfjsMs, speedup: tfjsMs / oursMs };
  } finally {
    tf.dispose([x, w, dy]);
  }
}

async function stepMs(
  preset: PresetName,
  batch: number,
  own: boolean,
  reps: number,
): Promise<number> {
  setOwnConvKernels(own);
  const s = stepSetup(preset, batch, own ? "auto" : "device");
  try {
    const ms: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      await s.step();
      if (i > 0) ms.push(performance.now() - t0);
    }
    return median(ms);
  } finally {
    s.dispose();
    setOwnConvKernels(true);
  }
}

/** Runs the benchmark. */
export async function main(args: string[]): Promise<void> {
  let preset: PresetName = "tiny", batch = 2, reps = 5;
  for (let i = 0; i < args.length; i++) {
    const a = args[i], v = args[i + 1];
    if (a === "--help") return console.log(USAGE);
    if (a === "--preset" && (v === "tiny" || v === "paper")) preset = v;
    else if (a === "--batch" && v) batch = Number(v);
    else if (a === "--reps" && v) reps = Number(v);
    else throw new RangeError(`unknown option ${a}\n${USAGE}`);
    i++;
  }
  const r = await selectBackend("webgpu", { quiet: true });
  const dev = (tf.backend() as unknown as { device: GPUDevice & { adapterInfo?: GPUAdapterInfo } })
    .device;
  const convs: Awaited<ReturnType<typeof compareConv>>[] = [];
  for (const [k, g] of await modelConvs(preset, batch)) convs.push(await compareConv(k, g, reps));
  const sum = (key: "oursMs" | "tfjsMs") => convs.reduce((a, c) => a + c[key], 0);
  const step = {
    oursMs: await stepMs(preset, batch, true, Math.min(reps, 3)),
    tfjsMs: await stepMs(preset, batch, false, Math.min(reps, 3)),
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
