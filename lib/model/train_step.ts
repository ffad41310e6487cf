/**
 * One optimisation step and inference logits for any {@link Classifier}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "./gradients.ts";
import { ConventionError } from "../errors.ts";
import { NonFiniteLossError } from "./errors.ts";
import type { Classifier, ModelInput } from "./types.ts";
import type { Optimizer, Scalar, Tensor1D, Tensor2D, Variable } from "./tensor_types.ts";

/** Loss and dropout options of a step. */
export interface StepOptions {
  /** `cross-entropy` (default) or `focal`. */
  loss?: "cross-entropy" | "focal";
  /** Focal-loss gamma (default 2). */
  focalGamma?: number;
  /**
   * Per-class weights; the loss is then the weighted mean sum(w_y l) / sum(w_y),
   * as PyTorch's `CrossEntropyLoss(weight=w)`.
   */
  classWeights?: number[];
  /** Dropout seed of this step. */
  seed?: number;
}

/**
 * Mean loss of logits `[B, C]` for labels `[B]`: cross-entropy, or focal
 * loss `-(1 - p_y)^gamma log p_y`; with class weights, the weighted mean.
 *
 * @param logits `[B, C]`.
 * @param labels `[B]` int32 class indices.
 * @param opts Loss kind, gamma, class weights.
 */
export function lossFn(
  logits: Tensor2D,
  labels: Tensor1D,
  opts: StepOptions = {},
): Scalar {
  return tf.tidy(() => {
    const c = logits.shape[1];
    const onehot = tf.oneHot(tf.cast(labels, "int32"), c); // [B, C]
    const logp = tf.sum(tf.mul(tf.logSoftmax(logits), onehot), 1); // [B] log p_y
    let per = tf.neg(logp);
    if (opts.loss === "focal") {
      const gamma = opts.focalGamma ?? 2;
      per = tf.mul(tf.pow(tf.sub(1, tf.exp(logp)), gamma), per);
    }
    if (opts.classWeights && opts.classWeights.length) {
      if (opts.classWeights.length !== c) {
        throw new RangeError(
          `classWeights has ${opts.classWeights.length} entries for ${c} classes`,
        );
      }
      const w = tf.sum(tf.mul(onehot, tf.tensor1d(opts.classWeights, "float32")), 1); // [B]
      return tf.div(tf.sum(tf.mul(per, w)), tf.sum(w)) as Scalar;
    }
    return tf.mean(per) as Scalar;
  });
}

/** The BatchNorm running statistics (non-trainable weights) of a model. */
function statistics(model: Classifier): Variable[] {
  const trainable = new Set(model.trainableVariables().map((v) => v.name));
  return [...model.weights().values()].filter((v) => !trainable.has(v.name));
}

/**
 * One optimisation step: forward in training mode (dropout from
 * `opts.seed`), loss, gradients of the trainable variables, finite check,
 * optimiser update. Leaves no tensor behind.
 *
 * @param model The model.
 * @param optimizer Any TF.js optimiser (e.g. {@link AdamW} from optimizer.ts).
 * @param input The batch (not disposed).
 * @param labels `[batch]` int32 class indices (not disposed).
 * @param opts Loss, class weights, dropout seed.
 * @returns The batch's mean loss and number of correct argmax predictions
 * (both before the update).
 * @throws NonFiniteLossError when the loss is NaN or infinite; then neither
 * the parameters nor the BatchNorm running statistics change.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../train/backend.ts";
 * import { createConvEntion } from "./convention.ts";
 * import { AdamW } from "./optimizer.ts";
 * import { trainStep } from "./train_step.ts";
 * await selectBackend("cpu", { quiet: true });
 * const model = createConvEntion("tiny", 1);
 * const opt = new AdamW({ learningRate: 1e-3 });
 * const frames = tf.zeros([2, 12, 12, 12]) as tf.Tensor4D;
 * const bands = tf.ones([2, 12], "int32") as tf.Tensor2D;
 * const labels = tf.tensor1d([0, 1], "int32");
 * const { loss } = trainStep(model, opt, { frames, bands }, labels, { seed: 1 });
 * if (!(Number.isFinite(loss))) throw new Error("example check failed");
 * tf.dispose([frames, bands, labels]);
 * opt.dispose();
 * model.dispose();
 * ```
 */
export function trainStep(
  model: Classifier,
  optimizer: Optimizer,
  input: ModelInput,
  labels: Tensor1D,
  opts: StepOptions = {},
): { loss: number; correct: number } {
  if (tf.getBackend() === "webgpu") {
    throw new ConventionError(
      "trainStep reads the loss synchronously, which the webgpu backend cannot do in Deno",
      { hint: "use trainStepAsync on webgpu" },
    );
  }
  const stats = statistics(model);
  const saved = stats.map((v) => tf.clone(v));
  let correctT: Scalar | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(input, { training: true, seed: opts.seed });
    correctT = tf.keep(
      tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, "int32")), "float32")),
    );
    return lossFn(logits, labels, opts);
  }, model.trainableVariables());
  try {
    const loss = value.dataSync()[0]!;
    if (!Number.isFinite(loss)) {
      stats.forEach((v, i) => v.assign(saved[i]!));
      throw new NonFiniteLossError(loss);
    }
    const correct = (correctT as Scalar | null)?.dataSync()[0] ?? 0;
    optimizer.applyGradients(grads);
    return { loss, correct };
  } finally {
    tf.dispose(saved);
    value.dispose();
    (correctT as Scalar | null)?.dispose();
    tf.dispose(Object.values(grads));
  }
}

/**
 * {@link trainStep} for every backend, webgpu included (its data can only be
 * read asynchronously in Deno): the loss is awaited before the update.
 *
 * @returns The batch's mean loss and number of correct predictions (before the update).
 * @throws NonFiniteLossError when the loss is NaN or infinite (nothing changed).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../train/backend.ts";
 * import { createConvEntion } from "./convention.ts";
 * import { AdamW } from "./optimizer.ts";
 * import { trainStepAsync } from "./train_step.ts";
 * await selectBackend("cpu", { quiet: true }); // "webgpu" on a GPU
 * const model = createConvEntion("tiny", 1);
 * const opt = new AdamW({ learningRate: 1e-3 });
 * const frames = tf.randomNormal([4, 12, 12, 12], 0, 1, "float32", 3) as tf.Tensor4D;
 * const bands = tf.ones([4, 12], "int32") as tf.Tensor2D; // every frame in band 1 (u)
 * const labels = tf.tensor1d([0, 1, 2, 3], "int32");
 * for (let step = 0; step < 3; step++) {
 *   const { loss, correct } = await trainStepAsync(model, opt, { frames, bands }, labels, {
 *     seed: step,
 *   });
 *   console.log(step, loss.toFixed(4), correct);
 * }
 * tf.dispose([frames, bands, labels]);
 * opt.dispose();
 * model.dispose();
 * ```
 */
export async function trainStepAsync(
  model: Classifier,
  optimizer: Optimizer,
  input: ModelInput,
  labels: Tensor1D,
  opts: StepOptions = {},
): Promise<{ loss: number; correct: number }> {
  const stats = statistics(model);
  const saved = stats.map((v) => tf.clone(v));
  let correctT: Scalar | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(input, { training: true, seed: opts.seed });
    correctT = tf.keep(
      tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, "int32")), "float32")),
    );
    return lossFn(logits, labels, opts);
  }, model.trainableVariables());
  try {
    const loss = (await value.data())[0]!;
    if (!Number.isFinite(loss)) {
      stats.forEach((v, i) => v.assign(saved[i]!));
      throw new NonFiniteLossError(loss);
    }
    const correct = (await (correctT as Scalar | null)?.data())?.[0] ?? 0;
    optimizer.applyGradients(grads);
    return { loss, correct };
  } finally {
    tf.dispose(saved);
    value.dispose();
    (correctT as Scalar | null)?.dispose();
    tf.dispose(Object.values(grads));
  }
}

/**
 * Logits in inference mode (running statistics, no dropout).
 *
 * @param model The model.
 * @param input The batch (not disposed).
 * @returns `[batch, C]` logits (the caller disposes them).
 * @example Class probabilities of a batch
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../train/backend.ts";
 * import { createConvEntion } from "./convention.ts";
 * import { evalLogits } from "./train_step.ts";
 * await selectBackend("cpu", { quiet: true });
 * const model = createConvEntion("tiny", 1);
 * const frames = tf.zeros([2, 12, 12, 12]) as tf.Tensor4D; // [batch, l, h, w]
 * const bands = tf.ones([2, 12], "int32") as tf.Tensor2D; // [batch, l]
 * const logits = evalLogits(model, { frames, bands }); // [2, 4]
 * const probs = tf.softmax(logits);
 * if (!(probs.shape.join() === "2,4")) throw new Error("example check failed");
 * console.log(await probs.array());
 * tf.dispose([frames, bands, logits, probs]);
 * model.dispose();
 * ```
 */
export function evalLogits(model: Classifier, input: ModelInput): Tensor2D {
  return model.apply(input, { training: false });
}
