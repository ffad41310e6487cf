/**
 * Workaround for a TF.js 4.22 gradient bug met when training the `cpu`
 * preset: for an op with several outputs that happens to produce only one
 * (`tf.unstack` of an axis of size 1, `tf.split` into 1 part), the engine
 * hands the gradient function a single tensor instead of an array, and the
 * registered `Unpack` / `SplitV` gradients (`stack(dy)`, `concat(dy)`) throw
 * "Argument tensors passed to stack must be a `Tensor[]`". This module
 * re-registers both gradients with the single tensor wrapped in an array;
 * the numbers are unchanged otherwise.
 *
 * It belongs with the gradient registration of `lib/model/gradients.ts`;
 * it lives here until it moves there.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "../model/gradients.ts";

for (const kernelName of ["Unpack", "SplitV"]) {
  const original = tf.getGradient(kernelName);
  if (original) {
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) =>
        original.gradFunc(Array.isArray(dy) ? dy : [dy] as unknown as tf.Tensor, saved, attrs),
    });
  }
}
