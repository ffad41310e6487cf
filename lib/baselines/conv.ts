/**
 * 2D convolution with PyTorch weight layout for the baselines' CNNs. TEMPORARY: plain
 * tf.conv2d until lib/model's convolution with forward-conv gradients (needed on wasm) lands.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Params } from "./params.ts";

/**
 * Applies `nn.Conv2d` parameters `name.weight [out, in, kh, kw]`, `name.bias` to NHWC input.
 *
 * @param p The parameters.
 * @param name Layer name.
 * @param x `[N, H, W, in]`.
 * @param pad Zero padding on each side.
 * @returns `[N, H', W', out]`.
 */
export function conv2dLayer(p: Params, name: string, x: tf.Tensor4D, pad: number): tf.Tensor4D {
  const w = tf.transpose(p.get(`${name}.weight`), [2, 3, 1, 0]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, 1, pad === 0 ? "valid" : [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
  return tf.add(y, p.get(`${name}.bias`));
}
