/**
 * One optimisation step for any {@link TrainableModel}: forward in training
 * mode, loss (cross-entropy or focal, optional class weights), gradients of
 * the optimised variables, a finiteness check, then the optimiser update.
 * A NaN or infinite loss throws {@link NonFiniteLossError} before any
 * weight changes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { ConventionError } from "../errors.ts";
import type { TrainableModel } from "./models.ts";
import type { Adam } from "./optimizer.ts";
import type { LossName } from "./config.ts";

/** Thrown when the loss (or a gradient) is NaN or infinite; no weight was changed. */
export class NonFiniteLossError extends ConventionError {
  /** The loss value seen. */
  readonly loss: number;
  /**
   * @param loss The loss value.
   * @param message Where it happened.
   * @param hint What to do.
   */
  constructor(loss: number, message: string, hint?: string) {
    super(message, { hint });
    this.name = "NonFiniteLossError";
    this.loss = loss;
  }
}

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
 * `CrossEntropyLoss(weight=...)`.
 */
export function lossOf(logits: tf.Tensor2D, labels: tf.Tensor1D, opts: LossOptions): tf.Scalar {
  return tf.tidy(() => {
    const c = logits.shape[1];
    const onehot = tf.oneHot(tf.cast(labels, "int32"), c) as tf.Tensor2D; // [B, C]
    const logp = tf.logSoftmax(logits); // [B, C]
    const logpTrue = tf.sum(tf.mul(onehot, logp), 1); // [B]
    let per: tf.Tensor = tf.neg(logpTrue);
    if (opts.loss === "focal") {
      const gamma = opts.gamma ?? 2;
      const pTrue = tf.exp(logpTrue);
      per = tf.mul(tf.pow(tf.sub(1, pTrue), gamma), per);
    }
    if (opts.classWeights && opts.classWeights.length) {
      const w = tf.sum(tf.mul(onehot, tf.tensor1d([...opts.classWeights], "float32")), 1);
      return tf.div(tf.sum(tf.mul(per, w)), tf.sum(w)) as tf.Scalar;
    }
    return tf.mean(per) as tf.Scalar;
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
 * dropout seed; only the optimiser's variables change.
 *
 * @param model The model.
 * @param optimizer Optimiser over (a subset of) the model's variables, keyed as `model.weights()`.
 * @param input Model input (not disposed).
 * @param labels Class per row `[B]` (not disposed).
 * @param opts Loss and the dropout seed.
 * @throws {NonFiniteLossError} when the loss or a gradient is NaN/inf (weights unchanged).
 */
export function trainStep<I>(
  model: TrainableModel<I>,
  optimizer: Adam,
  input: I,
  labels: tf.Tensor1D,
  opts: LossOptions & { seed: number },
): StepResult {
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
  try {
    const loss = value.dataSync()[0]!;
    const correct = (correctT as tf.Scalar | null)?.dataSync()[0] ?? 0;
    if (!Number.isFinite(loss)) {
      throw new NonFiniteLossError(loss, `loss is ${loss}`);
    }
    const finite = tf.tidy(() => {
      const parts = Object.values(grads).map((g) => tf.sum(tf.mul(g, 0)));
      return parts.length ? tf.addN(parts).dataSync()[0]! : 0;
    });
    if (!Number.isFinite(finite)) {
      throw new NonFiniteLossError(loss, `a gradient is NaN or infinite (loss ${loss})`);
    }
    const byVarName = new Map<string, tf.Tensor>();
    names.forEach((n, i) => {
      const g = grads[vars[i]!.name];
      if (g) byVarName.set(n, g);
    });
    optimizer.apply(byVarName);
    return { loss, correct };
  } finally {
    value.dispose();
    (correctT as tf.Scalar | null)?.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}
