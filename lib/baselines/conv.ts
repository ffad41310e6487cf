/**
 * 2D convolution with PyTorch weight layout for the baselines' CNNs, on lib/model's
 * convolution whose gradients are built from forward convolutions (TF.js's wasm backend has no
 * Conv2DBackpropFilter; its cpu backend's is pathologically slow).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv2d } from "../model/ops/conv_exact.ts";
import { torchConv2dKernel } from "../model/ops/layout.ts";
import type { ParamStore } from "../model/infra/params.ts";

/**
 * Applies `nn.Conv2d` parameters `name.weight [out, in, kh, kw]`, `name.bias [out]` (stride 1)
 * to NHWC input.
 *
 * @param p The parameters.
 * @param name Layer name.
 * @param x `[N, H, W, in]`.
 * @param pad Zero padding on each side.
 * @param inputGrad Whether the input needs a gradient (false for a first layer on data).
 * @returns `[N, H + 2 pad - kh + 1, W + 2 pad - kw + 1, out]`.
 */
export function conv2dLayer(
  p: ParamStore,
  name: string,
  x: tf.Tensor4D,
  pad: number,
  inputGrad = true,
): tf.Tensor4D {
  const w = torchConv2dKernel(p.get(`${name}.weight`));
  const y = conv2d(x, w, { pad: [[pad, pad], [pad, pad]], inputGrad });
  return tf.add(y, p.get(`${name}.bias`));
}
