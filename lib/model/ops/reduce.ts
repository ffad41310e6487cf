/**
 * Sums with two-level (blocked) accumulation, and a bias add whose gradient
 * uses them.
 *
 * The wasm backend's Sum/Mean kernels accumulate sequentially in float32: over
 * 10^4 elements their error is about 2e-6 of sum |x|, 100 times the cpu
 * backend's (which accumulates in float64). BatchNorm and LayerNorm reduce
 * over up to 2 * 10^5 elements per channel in the paper preset, so their
 * statistics and gradients use {@link sumRows} / {@link sumLast}: the axis is
 * split into about sqrt(n) blocks of about sqrt(n) elements, summed within
 * blocks, then across, which brings the wasm error to the cpu backend's level.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGrad } from "./conv_exact.ts";

/** Below this many elements a plain sum is accurate enough. */
const SMALL = 256;

/** A block size b (n = a * b, b close to sqrt(n)) and the zero padding needed. */
function blocks(n: number): { a: number; b: number; pad: number } {
  const root = Math.floor(Math.sqrt(n));
  for (let b = root; b >= Math.max(2, Math.floor(root / 4)); b--) {
    if (n % b === 0) return { a: n / b, b, pad: 0 };
  }
  const b = Math.ceil(Math.sqrt(n));
  const a = Math.ceil(n / b);
  return { a, b, pad: a * b - n };
}

/**
 * Sums `[rows, n]` along the last axis -> `[rows]`, blocked.
 *
 * @param x `[rows, n]`.
 */
export function sumLast(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const [rows, n] = x.shape;
    if (n <= SMALL) return tf.sum(x, 1) as tf.Tensor1D;
    const { a, b, pad } = blocks(n);
    const xp = pad ? tf.pad(x, [[0, 0], [0, pad]]) : x;
    const partial = tf.sum(tf.reshape(xp, [rows, a, b]), 2) as tf.Tensor2D; // [rows, a]
    return sumLast(partial);
  });
}

/**
 * Sums `[n, c]` over the first axis -> `[c]`, blocked: the rows are split into
 * `a` blocks of `b` (`[a, b, c]`), moved to `[c, a, b]`, summed within blocks
 * then across ({@link sumLast}); the same sums, in the same order, as
 * {@link sumLast} of the transposed matrix.
 *
 * Not a 2D transpose: on webgpu, TF.js transposes `[n, c]` with a tiled shader
 * dispatched over `n / 16` workgroups along Y, which fails past 65,535
 * ("Dispatch size exceeds WebGPU limits in Y or Z dimension", the paper preset
 * at batch 64, n = 1,070,784); the 3D transpose's flat dispatch has no such
 * limit. Not as products with a row of ones: the wasm backend repacks the right
 * operand of every matMul (about 20 ms for a 256 x 2048 operand), so that is
 * slower inside a training step than it looks in a micro-benchmark that reuses
 * one operand.
 *
 * @param x `[n, c]`.
 */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const [n, c] = x.shape;
    if (n <= SMALL) return tf.sum(x, 0) as tf.Tensor1D;
    const { a, b, pad } = blocks(n);
    const xp = pad ? tf.pad(x, [[0, pad], [0, 0]]) : x;
    const moved = tf.transpose(tf.reshape(xp, [a, b, c]), [2, 0, 1]); // [c, a, b]
    return sumLast(tf.sum(moved, 2) as tf.Tensor2D);
  });
}

/**
 * `x + bias` over the last axis, with the bias gradient summed by {@link sumRows}.
 *
 * @param x `[..., c]`.
 * @param bias `[c]`.
 */
export function addBias(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const c = bias.shape[0]!;
  const f = customGrad(([xi, bi]) => ({
    value: tf.add(xi!, bi!),
    gradFunc: (dy: tf.Tensor) => [
      tf.clone(dy),
      sumRows(tf.reshape(dy, [-1, c]) as tf.Tensor2D),
    ],
  }));
  return f(x, bias);
}
