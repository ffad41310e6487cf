/**
 * One optimisation step for any {@link TrainableModel}: forward in training
 * mode, loss (cross-entropy or focal, optional class weights), gradients of
 * the optimised variables, a finiteness check, then the optimiser update.
 * A NaN or infinite loss (or gradient) throws `NonFiniteLossError`
 * (lib/model/errors.ts) before any weight changes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { NonFiniteLossError } from "../model/errors.ts";
import type { TrainableModel } from "./models.ts";
import type { Adam } from "./optimizer.ts";
import type { LossName } from "./config.ts";

/** Loss options. */
export interface LossOptions {
  /** Loss function. */
  loss: LossName;
  /** Focal loss gamma (default 2). */
  gamma?: number;
  /** Per-class weights (default: all 1). */
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
 */
export function lossOf(logits: tf.Tensor2D, labels: tf.Tensor1D, opts: LossOptions): tf.Scalar {
  const gamma = opts.loss === "focal" ? (opts.gamma ?? 2) : 0;
  const c = logits.shape[1];
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

/** Result of one step. */
export interface StepResult {
  /** Mean loss of the batch (before the update). */
  loss: number;
  /** Correct argmax predictions in the batch (before the update). */
  correct: number;
}

/**
 * One training step. The forward pass runs in training mode with the given
 * dropout seed; only the optimiser's variables change. The loss, the number
 * of correct predictions and the gradients' finiteness probe are read back
 * asynchronously, together (`await data()`): the webgpu backend cannot read
 * synchronously in Deno (docs/gpu.md), and one wait serves all three.
 *
 * @param model The model.
 * @param optimizer Optimiser over (a subset of) the model's variables, keyed as `model.weights()`.
 * @param input Model input (not disposed).
 * @param labels Class per row `[B]` (not disposed).
 * @param opts Loss and the dropout seed.
 * @throws NonFiniteLossError when the loss or a gradient is NaN/inf (weights unchanged).
 */
export async function trainStep<I>(
  model: TrainableModel<I>,
  optimizer: Adam,
  input: I,
  labels: tf.Tensor1D,
  opts: LossOptions & { seed: number },
): Promise<StepResult> {
  const byName = model.weights();
  const names = optimizer.names();
  const vars = names.map((n) => {
    const v = byName.get(n);
    if (!v) throw new RangeError(`The optimiser's variable ${n} is not a weight of the model`);
    return v;
  });
  let correctT: tf.Scalar | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(input, { training: true, seed: opts.seed });
    correctT = tf.keep(
      tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, "int32")), "float32")),
    );
    return lossOf(logits, labels, opts);
  }, vars);
  // 0 * g is NaN exactly where g is NaN or infinite. Summed with chained adds, not
  // tf.addN, which is wrong on webgpu for 8 or more inputs (docs/gpu.md).
  const finiteT = tf.tidy(() => {
    let acc: tf.Tensor = tf.scalar(0);
    for (const g of Object.values(grads)) acc = tf.add(acc, tf.sum(tf.mul(g, 0)));
    return acc;
  });
  try {
    const [lossA, correctA, finiteA] = await Promise.all([
      value.data(),
      correctT ? (correctT as tf.Scalar).data() : Promise.resolve(new Float32Array([0])),
      finiteT.data(),
    ]);
    const loss = lossA[0]!, correct = correctA[0]!, finite = finiteA[0]!;
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss);
    if (!Number.isFinite(finite)) {
      throw new NonFiniteLossError(loss, {
        cause: new RangeError(`a gradient is NaN or infinite (loss ${loss})`),
      });
    }
    const byVarName = new Map<string, tf.Tensor>();
    names.forEach((n, i) => {
      const g = grads[vars[i]!.name];
      if (g) byVarName.set(n, g);
    });
    optimizer.apply(byVarName);
    return { loss, correct };
  } finally {
    finiteT.dispose();
    value.dispose();
    (correctT as tf.Scalar | null)?.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}
