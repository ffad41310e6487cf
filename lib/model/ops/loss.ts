/**
 * The training loss: cross-entropy or focal loss, optionally class-weighted,
 * with its gradient written out in closed form.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Scalar, Tensor1D, Tensor2D } from "./tensor_types.ts";

/** Loss functions. */
export type LossName = "cross-entropy" | "focal";

/** Loss options. */
export interface LossOptions {
  /** Loss function (default `cross-entropy`). */
  loss?: LossName;
  /** Focal loss gamma (default 2; ignored by cross-entropy). */
  gamma?: number;
  /**
   * Per-class weights (default: all 1); the loss is then the weighted mean
   * sum(w_y l) / sum(w_y), as PyTorch's `CrossEntropyLoss(weight=w)`.
   */
  classWeights?: readonly number[] | null;
}

/**
 * Mean loss of `logits` `[B, C]` for integer `labels` `[B]`; with class
 * weights, the weighted mean (sum of w_y * loss / sum of w_y), as PyTorch's
 * `CrossEntropyLoss(weight=...)`. Focal loss: `-(1 - p)^gamma log p` with p
 * the probability of the true class.
 *
 * The gradient with respect to the logits is written out in closed form
 * (a custom gradient), so the loss needs no registered TF.js gradient:
 * with s the softmax and p = s_y,
 * `dL_i/dz_k = [gamma p (1-p)^(gamma-1) log p - (1-p)^gamma] (delta_ky - s_k)`
 * (for cross-entropy, gamma = 0: `s_k - delta_ky`), times `w_i / sum(w)`.
 *
 * @param logits `[B, C]`.
 * @param labels `[B]` class indices.
 * @param opts Loss kind, gamma, class weights.
 * @returns The mean loss (a scalar the caller disposes).
 * @throws RangeError when `classWeights` has not C entries.
 *
 * @example Cross-entropy and focal loss of two rows
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../../train/backend.ts";
 * import { lossOf } from "./loss.ts";
 * await selectBackend("cpu", { quiet: true });
 * const logits = tf.tensor2d([[2, 0, 0, 0], [0, 0, 3, 0]]); // [B = 2, C = 4]
 * const labels = tf.tensor1d([0, 1], "int32");
 * const ce = lossOf(logits, labels);
 * const focal = lossOf(logits, labels, { loss: "focal", gamma: 2 });
 * const [a, b] = [(await ce.data())[0]!, (await focal.data())[0]!];
 * if (!(b < a && a > 0)) throw new Error("example check failed");
 * tf.dispose([logits, labels, ce, focal]);
 * ```
 */
export function lossOf(logits: Tensor2D, labels: Tensor1D, opts: LossOptions = {}): Scalar {
  const gamma = opts.loss === "focal" ? (opts.gamma ?? 2) : 0;
  const c = logits.shape[1];
  if (opts.classWeights && opts.classWeights.length && opts.classWeights.length !== c) {
    throw new RangeError(`classWeights has ${opts.classWeights.length} entries for ${c} classes`);
  }
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(labels, "int32"), c); // [B, C]
    const weights = opts.classWeights && opts.classWeights.length
      ? tf.sum(tf.mul(onehot, tf.tensor1d([...opts.classWeights], "float32")), 1) // [B]
      : tf.onesLike(tf.cast(labels, "float32")); // [B]
    const f = tf.customGrad((z, y, w, save) => {
      const zz = z as tf.Tensor2D, yy = y as tf.Tensor2D, ww = w as tf.Tensor1D;
      const logp = tf.logSoftmax(zz); // [B, C]
      const logpTrue = tf.sum(tf.mul(yy, logp), 1); // [B]
      const pTrue = tf.exp(logpTrue); // [B]
      const focal = gamma > 0 ? tf.pow(tf.sub(1, pTrue), gamma) : tf.onesLike(pTrue); // [B]
      const per = tf.neg(tf.mul(focal, logpTrue)); // [B]
      const wsum = tf.sum(ww);
      (save as (t: tf.Tensor[]) => void)([yy, ww, logp, logpTrue, pTrue, wsum]);
      return {
        value: tf.div(tf.sum(tf.mul(per, ww)), wsum),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sy, sw, slogp, slogpTrue, spTrue, swsum] = saved as [
            tf.Tensor2D,
            tf.Tensor1D,
            tf.Tensor2D,
            tf.Tensor1D,
            tf.Tensor1D,
            tf.Scalar,
          ];
          const soft = tf.exp(slogp); // [B, C]
          let coef: tf.Tensor = tf.neg(tf.onesLike(spTrue)); // CE: -(delta - s)
          if (gamma > 0) {
            const q = tf.sub(1, spTrue); // 1 - p
            coef = tf.sub(
              tf.mul(tf.mul(gamma, tf.mul(spTrue, tf.pow(q, gamma - 1))), slogpTrue),
              tf.pow(q, gamma),
            );
          }
          const scale = tf.mul(tf.div(sw, swsum), tf.mul(coef, dy)); // [B]
          const dz = tf.mul(tf.sub(sy, soft), tf.reshape(scale, [-1, 1])); // [B, C]
          return [dz, tf.zerosLike(sy), tf.zerosLike(sw)] as tf.Tensor[];
        },
      };
    });
    return f(logits, onehot, weights) as tf.Scalar;
  });
}
