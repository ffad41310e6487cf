/**
 * Tensor layout helpers shared by the models: PyTorch weight layouts to
 * TF.js layouts, and a fast, gradient-safe unstack.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** PyTorch conv2d weight `[out, in, kh, kw]` -> TF.js `[kh, kw, in, out]`. */
export function torchConv2dKernel(w: tf.Tensor): tf.Tensor4D {
  return tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D;
}

/**
 * The slices of `x` along axis 0, each without that axis, taken as rows of a
 * 2D view. Not `tf.unstack`: it is slow on wasm, and its gradient fails on an
 * axis of size 1 (TF.js hands the Unpack gradient a bare tensor instead of an
 * array). Not a slice of the original rank either: a slice's gradient is a
 * pad of that rank, and the webgpu PadV2 kernel is wrong at rank 5
 * (tests/webgpu/backend_equivalence_test.ts).
 */
export function unstack0(x: tf.Tensor): tf.Tensor[] {
  const rest = x.shape.slice(1);
  const flat = tf.reshape(x, [x.shape[0]!, -1]);
  const size = flat.shape[1]!;
  return [...Array(x.shape[0])].map((_, i) => tf.reshape(tf.slice(flat, [i, 0], [1, size]), rest));
}
