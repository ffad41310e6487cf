/**
 * Classifier head: max over the n tokens -> `[d, h', w']` -> flatten (PyTorch
 * order: channel, row, column) -> dropout -> dense `dense` -> ReLU -> dropout
 * -> dense C. PyTorch names: `classifier.fc1` (`[dense, d h' w']`) and
 * `classifier.fc2` (`[C, dense]`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGrad, linear } from "./ops/conv_exact.ts";
import type { ParamStore } from "./infra/params.ts";

/** Adds `classifier.fc1` and `classifier.fc2`. */
export function addClassifier(p: ParamStore, flat: number, dense: number, classes: number): void {
  p.addAffine("classifier.fc1", [dense, flat]);
  p.addAffine("classifier.fc2", [classes, dense]);
}

/** Names of the head's weights (trained alone when the backbone is frozen). */
export const CLASSIFIER_WEIGHTS: readonly string[] = [
  "classifier.fc1.weight",
  "classifier.fc1.bias",
  "classifier.fc2.weight",
  "classifier.fc2.bias",
];

/**
 * Max over axis 1 of `[b, n, f]` -> `[b, f]`; the gradient goes to the first
 * maximum (argmax one-hot), like `torch.max(dim)`. (TF.js's tf.max gradient
 * builds an equality mask with the wasm Equal kernel, ten times slower here;
 * tf.maxPool3d is not used: the wasm MaxPool3D kernel gives wrong maxima on
 * small shapes, e.g. [2, 4, 3, 3, 5] pooled over 4.)
 */
export function maxOverTokens(x: tf.Tensor3D): tf.Tensor2D {
  // On webgpu, tf.max's own gradient (an equality mask) is fast and right,
  // while an int32 one-hot cast to float32 then transposed reads back as
  // zeros there (the cast keeps the int bits).
  if (tf.getBackend() === "webgpu") return tf.max(x, 1) as tf.Tensor2D;
  const n = x.shape[1];
  const f = customGrad(([xi], save) => {
    const idx = tf.argMax(xi!, 1); // [b, f] int32
    save([idx]);
    return {
      value: tf.max(xi!, 1),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const oh = tf.cast(tf.oneHot(saved[0]! as tf.Tensor2D, n), "float32"); // [b, f, n]
        const mask = tf.transpose(oh, [0, 2, 1]); // [b, n, f]
        return tf.mul(mask, tf.expandDims(dy, 1));
      },
    };
  });
  return f(x) as tf.Tensor2D;
}

/**
 * Runs the head.
 *
 * @param x Tokens `[batch, n, h', w', d]`.
 * @param dropout Dropout rate, applied when `seeds` is given.
 * @param seeds Seeds of the two dropout masks; null = no dropout.
 * @returns Logits `[batch, C]`.
 */
export function classifier(
  x: tf.Tensor,
  p: ParamStore,
  dropout: number,
  seeds: [number, number] | null,
): tf.Tensor2D {
  const [b, n, h, w, d] = x.shape as [number, number, number, number, number];
  const pooled = tf.transpose(
    tf.reshape(maxOverTokens(tf.reshape(x, [b, n, h * w * d]) as tf.Tensor3D), [b, h, w, d]),
    [0, 3, 1, 2],
  ); // [b, d, h', w']
  let z = tf.reshape(pooled, [b, -1]) as tf.Tensor2D; // PyTorch flatten order
  if (seeds && dropout > 0) z = tf.dropout(z, dropout, undefined, seeds[0]) as tf.Tensor2D;
  z = tf.relu(
    tf.add(linear(z, p.get("classifier.fc1.weight") as tf.Tensor2D), p.get("classifier.fc1.bias")),
  ) as tf.Tensor2D;
  if (seeds && dropout > 0) z = tf.dropout(z, dropout, undefined, seeds[1]) as tf.Tensor2D;
  return tf.add(
    linear(z, p.get("classifier.fc2.weight") as tf.Tensor2D),
    p.get("classifier.fc2.bias"),
  ) as tf.Tensor2D;
}
