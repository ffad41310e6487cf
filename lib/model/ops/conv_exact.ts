/**
 * Convolutions whose gradients are built from forward convolutions only.
 *
 * TF.js 4.22 has backends whose convolution gradients are missing or wrong
 * (wasm: no Conv2DBackpropFilter, wrong Conv3DBackprop*; its Conv2DBackpropInput
 * runs at 0.4 GMAC/s) or pathologically slow (cpu: Conv2DBackpropFilter).
 * {@link conv2d} here gives every 2D convolution a custom gradient:
 *
 * - input gradient: the output gradient `dy`, dilated by the stride (s - 1
 *   zeros between rows/columns), padded by `k - 1 - pad` (plus the rows the
 *   forward pass dropped), convolved with the kernel flipped in space and
 *   transposed in/out channels;
 * - kernel gradient: the padded input with batch and channels swapped
 *   (`[C_in, H, W, N]`) convolved with `dy` as the filter (`[Ho, Wo, N, C_out]`)
 *   at dilation = stride, so that the batch is the reduction axis; the result
 *   `[C_in, kh', kw', C_out]` is cropped to the kernel size.
 *
 * On webgpu (unless switched off with `setOwnConvKernels(false)`) the three
 * are our WGSL kernels instead (`./webgpu/`: implicit GEMM forward and input
 * gradient, split-K kernel gradient), tested against cpu in tests/webgpu/.
 *
 * Both are exact formulations of the convolution's adjoint (same sums, other
 * order), so they agree with a float64 reference to float32 rounding
 * (tests/model/conv_exact_test.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "./gradients.ts";
import { ownConv2d } from "./webgpu/conv2d_op.ts";
import { useOwnConv } from "./webgpu/settings.ts";

/** Explicit spatial padding `[[top, bottom], [left, right]]`. */
export type Pad2d = readonly [readonly [number, number], readonly [number, number]];

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** `[sh, sw]`, default `[1, 1]`. */
  stride?: readonly [number, number];
  /** Explicit zero padding, default none. */
  pad?: Pad2d;
  /**
   * Whether the input needs a gradient (default true). When false, the input
   * is treated as a constant (no input-gradient convolution is run).
   */
  inputGrad?: boolean;
}

/**
 * Inserts `s - 1` zero rows after every row of `x` (`[N, H, W, C]` ->
 * `[N, H * s, W, C]`); the trailing `s - 1` rows are zero too.
 */
function dilateRows(x: tf.Tensor4D, s: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const r = tf.reshape(x, [n, h, 1, w * c]);
  const p = tf.pad(r, [[0, 0], [0, 0], [0, s - 1], [0, 0]]);
  return tf.reshape(p, [n, h * s, w, c]);
}

/** Same as {@link dilateRows} along the columns (`[N, H, W, C]` -> `[N, H, W * s, C]`). */
function dilateCols(x: tf.Tensor4D, s: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const r = tf.reshape(x, [n * h, w, 1, c]);
  const p = tf.pad(r, [[0, 0], [0, 0], [0, s - 1], [0, 0]]);
  return tf.reshape(p, [n, h, w * s, c]);
}

/**
 * Gradient of a conv2d with respect to its input, from one forward conv2d.
 *
 * @param dy `[N, Ho, Wo, Co]` output gradient.
 * @param w `[kh, kw, Ci, Co]` kernel.
 * @param inShape `[N, H, W, Ci]` input shape.
 */
export function conv2dInputGrad(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  inShape: readonly [number, number, number, number],
  stride: readonly [number, number],
  pad: Pad2d,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = w.shape;
    const [, h, wd] = inShape;
    let d: tf.Tensor4D = dy;
    if (stride[0] > 1) d = dilateRows(d, stride[0]);
    if (stride[1] > 1) d = dilateCols(d, stride[1]);
    // Padding of the (dilated) gradient so that a valid conv gives H rows.
    let top = kh - 1 - pad[0][0], left = kw - 1 - pad[1][0];
    let bottom = h + kh - 1 - top - d.shape[1], right = wd + kw - 1 - left - d.shape[2];
    // Negative padding = rows of dy that touch no input pixel: crop them.
    const cropTop = Math.max(0, -top), cropLeft = Math.max(0, -left);
    const cropBottom = Math.max(0, -bottom), cropRight = Math.max(0, -right);
    if (cropTop || cropLeft || cropBottom || cropRight) {
      d = tf.slice(d, [0, cropTop, cropLeft, 0], [
        d.shape[0],
        d.shape[1] - cropTop - cropBottom,
        d.shape[2] - cropLeft - cropRight,
        d.shape[3],
      ]);
      top = Math.max(0, top);
      left = Math.max(0, left);
      bottom = Math.max(0, bottom);
      right = Math.max(0, right);
    }
    // Kernel flipped in space, in/out channels swapped: [kh, kw, Co, Ci].
    const wf = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(d, wf, 1, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  });
}

/**
 * Gradient of a conv2d with respect to its kernel, from one forward conv2d
 * whose reduction axis is the batch.
 *
 * @param x `[N, H, W, Ci]` input of the forward conv.
 * @param dy `[N, Ho, Wo, Co]` output gradient.
 * @param kSize `[kh, kw]` kernel size.
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  kSize: readonly [number, number],
  stride: readonly [number, number],
  pad: Pad2d,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = kSize;
    const ci = x.shape[3], co = dy.shape[3];
    const xt = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H, W, N]
    const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, N, Co]
    const r = tf.conv2d(
      xt,
      dyt,
      1,
      [[0, 0], [pad[0][0], pad[0][1]], [pad[1][0], pad[1][1]], [0, 0]],
      "NHWC",
      [stride[0], stride[1]],
    ); // [Ci, kh', kw', Co], kh' >= kh
    const rc = r.shape[1] === kh && r.shape[2] === kw
      ? r
      : tf.slice(r, [0, 0, 0, 0], [ci, kh, kw, co]);
    return tf.transpose(rc, [1, 2, 0, 3]) as tf.Tensor4D; // [kh, kw, Ci, Co]
  });
}

/**
 * A 2D convolution (NHWC input, `[kh, kw, Ci, Co]` kernel) whose gradients
 * are computed by forward convolutions (see the module doc). Same values as
 * `tf.conv2d`; gradients right and fast on the cpu, wasm and webgpu backends.
 *
 * @param x `[N, H, W, Ci]` input.
 * @param w `[kh, kw, Ci, Co]` kernel.
 * @param opts Stride, explicit padding, whether `x` needs a gradient.
 * @returns `[N, Ho, Wo, Co]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { conv2d } from "./conv_exact.ts";
 * await tf.setBackend("cpu");
 * const x = tf.ones([1, 5, 5, 1]) as tf.Tensor4D;
 * const w = tf.ones([3, 3, 1, 2]) as tf.Tensor4D;
 * const y = conv2d(x, w, { stride: [2, 2], pad: [[1, 1], [1, 1]] });
 * if (!(y.shape.join() === "1,3,3,2")) throw new Error("example check failed");
 * ```
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, opts: Conv2dOptions = {}): tf.Tensor4D {
  const stride = opts.stride ?? [1, 1];
  const pad = opts.pad ?? [[0, 0], [0, 0]];
  const tfPad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [pad[0][0], pad[0][1]],
    [pad[1][0], pad[1][1]],
    [0, 0],
  ];
  // webgpu: our WGSL kernels (./webgpu/), the same values and gradient contract.
  if (useOwnConv()) return ownConv2d(x, w, stride, pad, opts.inputGrad !== false);
  const kSize = [w.shape[0], w.shape[1]] as const;
  const inShape = x.shape;
  if (opts.inputGrad === false) {
    const f = customGrad(([wi], save) => {
      save([x]);
      return {
        value: tf.conv2d(x, wi as tf.Tensor4D, [stride[0], stride[1]], tfPad),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          conv2dFilterGrad(saved[0] as tf.Tensor4D, dy as tf.Tensor4D, kSize, stride, pad),
      };
    });
    return f(w) as tf.Tensor4D;
  }
  const f = customGrad(([xi, wi], save) => {
    save([xi!, wi!]);
    return {
      value: tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, [stride[0], stride[1]], tfPad),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [
          conv2dInputGrad(dy as tf.Tensor4D, ws, inShape, stride, pad),
          conv2dFilterGrad(xs, dy as tf.Tensor4D, kSize, stride, pad),
        ];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}

/**
 * Identity in the forward pass, zero gradient (TF.js has no stopGradient).
 *
 * @param x Any tensor.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = customGrad(([xi]) => ({
    value: tf.clone(xi!),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return f(x) as T;
}

/** The gradient function of {@link customGrad}: one gradient per input. */
export type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/**
 * Typed wrapper of `tf.customGrad`: `f` receives the input tensors as an array
 * and the save function, and returns the value and its gradient function.
 *
 * @param f Forward computation with its gradient.
 * @returns A function of the input tensors.
 */
export function customGrad(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFunc },
): (...inputs: tf.Tensor[]) => tf.Tensor {
  const g = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as tf.Tensor[], save);
  });
  return (...inputs: tf.Tensor[]) => g(...inputs);
}

/**
 * `x @ w^T` for a PyTorch-layout weight `w` `[out, in]` (nn.Linear, or a 1x1
 * convolution), with gradients from non-transposed matrix products and
 * explicit transposes: `dx = dy @ w`, `dw = dy^T @ x` (the wasm backend's
 * matMul with a transposed operand is up to 30 times slower).
 *
 * @param x `[N, in]`.
 * @param w `[out, in]`.
 * @returns `[N, out]`.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const f = customGrad(([xi, wi], save) => {
    save([xi!, wi!]);
    return {
      value: tf.matMul(xi as tf.Tensor2D, tf.transpose(wi!) as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [
          tf.matMul(dy as tf.Tensor2D, ws),
          tf.matMul(tf.transpose(dy) as tf.Tensor2D, xs),
        ];
      },
    };
  });
  return f(x, w) as tf.Tensor2D;
}
