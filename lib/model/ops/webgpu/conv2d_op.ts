/**
 * The model's 2D convolution on webgpu with our kernels: forward, input
 * gradient and kernel gradient are the three kernels of this folder, tied
 * together by a custom gradient (the same contract as `conv_exact.ts`'s
 * `conv2d`, which calls this on webgpu unless our kernels are switched off).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { convGeometry } from "./conv_geometry.ts";
import { gpuConv2d, gpuConv2dFilterGrad, gpuConv2dInputGrad } from "./conv_kernels.ts";

/**
 * `[n, ho, wo, co]` convolution of `x` `[n, h, w, ci]` with `w` `[kh, kw, ci, co]`.
 *
 * @param stride `[sh, sw]`.
 * @param pad `[[top, bottom], [left, right]]`.
 * @param inputGrad Whether `x` gets a gradient (false: `x` is a constant).
 */
export function ownConv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: readonly [number, number],
  pad: readonly (readonly [number, number])[],
  inputGrad: boolean,
): tf.Tensor4D {
  const g = convGeometry(x.shape, w.shape, stride, pad);
  if (!inputGrad) {
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [wi, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([x]);
      return {
        value: gpuConv2d(x, wi as tf.Tensor4D, g),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          gpuConv2dFilterGrad(saved[0] as tf.Tensor4D, dy as tf.Tensor4D, g),
      };
    });
    return f(w) as tf.Tensor4D;
  }
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: gpuConv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, g),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [
          gpuConv2dInputGrad(dy as tf.Tensor4D, ws, g),
          gpuConv2dFilterGrad(xs, dy as tf.Tensor4D, g),
        ];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}
