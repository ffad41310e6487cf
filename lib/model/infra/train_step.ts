/**
 * One optimisation step for any model (ConvEntion, the baselines, any
 * {@link StepModel}), and inference logits.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "../ops/gradients.ts";
import { NonFiniteLossError } from "../errors.ts";
import { lossOf, type LossOptions } from "../ops/loss.ts";
import type { Adam } from "./optimizer.ts";
import type { ApplyOptions, Classifier, ModelInput } from "../types.ts";
import type { Tensor1D, Tensor2D, Variable } from "../ops/tensor_types.ts";

/**
 * What a training step needs of a model (every {@link Classifier} and the
 * training loop's `TrainableModel` have it).
 */
export interface StepModel<I> {
  /** Logits `[batch, C]` of an input. */
  apply(input: I, opts: ApplyOptions): Tensor2D;
  /** The variables gradients flow to. */
  trainableVariables(): Variable[];
  /** Every weight (BatchNorm running statistics included) by stable name. */
  weights(): Map<string, Variable>;
}

/**
 * The model's trainable variables by their `weights()` name: what an
 * {@link Adam} over the whole model optimises.
 *
 * @param model The model.
 * @returns Name -> variable, in `weights()` order.
 */
export function trainableWeights<I>(model: StepModel<I>): Map<string, Variable> {
  const trainable = new Set(model.trainableVariables());
  return new Map([...model.weights()].filter(([, v]) => trainable.has(v)));
}

/** Loss and dropout options of a step. */
export interface StepOptions extends LossOptions {
  /** Dropout seed of this step. */
  seed?: number;
}

/** Result of one step. */
export interface StepResult {
  /** Mean loss of the batch (before the update). */
  loss: number;
  /** Correct argmax predictions in the batch (before the update). */
  correct: number;
}

/**
 * The training-mode forward pass (dropout from `opts.seed`), the loss
 * ({@link lossOf}) and its gradients for `vars`, and the number of correct
 * argmax predictions: the part that {@link trainStep} and
 * {@link shardGradients} share. The caller disposes the three results.
 */
function lossAndGradients<I>(
  model: StepModel<I>,
  vars: Variable[],
  input: I,
  labels: Tensor1D,
  opts: StepOptions,
): { value: tf.Scalar; grads: tf.NamedTensorMap; correct: tf.Scalar } {
  let correct: tf.Scalar | null = null;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(input, { training: true, seed: opts.seed });
      correct = tf.keep(
        tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, "int32")), "float32")),
      );
      return lossOf(logits, labels, opts);
    }, vars);
    return { value, grads, correct: correct! };
  } catch (e) {
    (correct as tf.Scalar | null)?.dispose();
    throw e;
  }
}

/**
 * One optimisation step: forward in training mode (dropout from
 * `opts.seed`), loss ({@link lossOf}: cross-entropy or focal, optional class
 * weights), gradients of the optimiser's variables, a finiteness check of the
 * loss and of every gradient, then the optimiser update. Leaves no tensor
 * behind.
 *
 * The loss, the number of correct predictions and the gradients' finiteness
 * probe are read back together with one `await data()` each: the webgpu
 * backend cannot read synchronously in Deno (docs/gpu.md), and one wait
 * serves all three. The probe sums `0 * g` over the gradients with chained
 * `tf.add`, not `tf.addN`, which is wrong on webgpu for 8 or more inputs.
 *
 * @param model The model.
 * @param optimizer Optimiser over (a subset of) the model's variables, keyed as `model.weights()`.
 * @param input The batch (not disposed).
 * @param labels `[batch]` class indices (not disposed).
 * @param opts Loss, class weights, dropout seed.
 * @returns The batch's mean loss and number of correct argmax predictions
 * (both before the update).
 * @throws NonFiniteLossError when the loss or a gradient is NaN or infinite;
 * then neither the parameters, nor the optimiser's state, nor the BatchNorm
 * running statistics change.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../../train/backend.ts";
 * import { createConvEntion } from "../convention.ts";
 * import { Adam } from "./optimizer.ts";
 * import { trainableWeights, trainStep } from "./train_step.ts";
 * await selectBackend("cpu", { quiet: true }); // "webgpu" on a GPU
 * const model = createConvEntion("tiny", 1);
 * const opt = new Adam(trainableWeights(model), { lr: 1e-3 });
 * const frames = tf.randomNormal([4, 12, 12, 12], 0, 1, "float32", 3) as tf.Tensor4D;
 * const bands = tf.ones([4, 12], "int32") as tf.Tensor2D; // every frame in band 1 (u)
 * const labels = tf.tensor1d([0, 1, 2, 3], "int32");
 * for (let step = 0; step < 3; step++) {
 *   const { loss, correct } = await trainStep(model, opt, { frames, bands }, labels, {
 *     seed: step,
 *   });
 *   if (!(Number.isFinite(loss))) throw new Error("example check failed");
 *   console.log(step, loss.toFixed(4), correct);
 * }
 * tf.dispose([frames, bands, labels]);
 * opt.dispose();
 * model.dispose();
 * ```
 */
export async function trainStep<I>(
  model: StepModel<I>,
  optimizer: Adam,
  input: I,
  labels: Tensor1D,
  opts: StepOptions = {},
): Promise<StepResult> {
  const byName = model.weights();
  const own = optimizer.variables();
  const names = [...own.keys()];
  const vars = names.map((n) => {
    const v = byName.get(n);
    if (!v || v !== own.get(n)) {
      throw new RangeError(`The optimiser's variable ${n} is not a weight of the model`);
    }
    return v;
  });
  // The BatchNorm running statistics, updated by the training-mode forward pass:
  // kept (clones of small tensors) to be restored if the step is not applied.
  const trainable = new Set(model.trainableVariables());
  const stats = [...byName.values()].filter((v) => !trainable.has(v));
  const saved = stats.map((v) => tf.clone(v));
  const restore = () => stats.forEach((v, i) => v.assign(saved[i]!));
  let correctT: tf.Scalar | null = null;
  let value: tf.Scalar | null = null;
  let grads: tf.NamedTensorMap = {};
  let finiteT: tf.Tensor | null = null;
  try {
    ({ value, grads, correct: correctT } = lossAndGradients(model, vars, input, labels, opts));
    // 0 * g is NaN exactly where g is NaN or infinite. Summed with chained adds, not
    // tf.addN: on webgpu, tf.addN of 8 or more tensors exceeds the device's 8 storage
    // buffers per shader stage and silently returns a stale buffer, and the invalid
    // dispatch drops the other commands of its batch too (docs/gpu.md).
    finiteT = tf.tidy(() => {
      let acc: tf.Tensor = tf.scalar(0);
      for (const g of Object.values(grads)) acc = tf.add(acc, tf.sum(tf.mul(g, 0)));
      return acc;
    });
    const [lossA, correctA, finiteA] = await Promise.all([
      value.data(),
      (correctT as tf.Scalar | null)?.data() ?? Promise.resolve(new Float32Array([0])),
      finiteT.data(),
    ]);
    const loss = lossA[0]!, correct = correctA[0]!, finite = finiteA[0]!;
    if (!Number.isFinite(loss)) {
      restore();
      throw new NonFiniteLossError(loss);
    }
    if (!Number.isFinite(finite)) {
      restore();
      throw new NonFiniteLossError(loss, {
        cause: new RangeError(`a gradient is NaN or infinite (loss ${loss})`),
      });
    }
    const byOptName = new Map<string, tf.Tensor>();
    names.forEach((n, i) => {
      const g = grads[vars[i]!.name];
      if (g) byOptName.set(n, g);
    });
    optimizer.apply(byOptName);
    return { loss, correct };
  } finally {
    tf.dispose(saved);
    finiteT?.dispose();
    value?.dispose();
    (correctT as tf.Scalar | null)?.dispose();
    tf.dispose(Object.values(grads));
  }
}

/** What one replica of a data-parallel step computes on its shard of a batch. */
export interface ShardGradients {
  /** Mean loss of the shard (the weighted mean with class weights). */
  loss: number;
  /** Correct argmax predictions in the shard. */
  correct: number;
  /** Gradient of the shard's mean loss for each requested variable, in request order. */
  grads: Float32Array[];
  /**
   * Every weight that is not trainable (BatchNorm running statistics), in
   * `model.weights()` order, after this shard's training-mode forward pass.
   */
  stats: Float32Array[];
}

/**
 * One replica's part of a data-parallel step (lib/train/data_parallel.ts):
 * the training-mode forward pass of a shard (dropout from `opts.seed`), its
 * loss ({@link lossOf}) and the gradients of the named variables, all read
 * back to the host. Changes no parameter; the forward pass updates the
 * BatchNorm running statistics, which are returned. Leaves no tensor behind.
 * Reads back asynchronously, so it runs on every backend, webgpu included.
 *
 * @param model The model.
 * @param names Names (as in `model.weights()`) of the variables to differentiate.
 * @param input The shard (not disposed).
 * @param labels `[shard]` class indices (not disposed).
 * @param opts Loss, class weights, dropout seed.
 * @returns Loss, correct count, gradients and running statistics.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../../train/backend.ts";
 * import { createConvEntion } from "../convention.ts";
 * import { shardGradients, trainableWeights } from "./train_step.ts";
 * await selectBackend("cpu", { quiet: true });
 * const model = createConvEntion("tiny", 1);
 * const names = [...trainableWeights(model).keys()];
 * const frames = tf.randomNormal([2, 12, 12, 12], 0, 1, "float32", 3) as tf.Tensor4D;
 * const bands = tf.ones([2, 12], "int32") as tf.Tensor2D;
 * const labels = tf.tensor1d([0, 3], "int32");
 * const r = await shardGradients(model, names, { frames, bands }, labels, { seed: 1 });
 * if (!(r.grads.length === names.length && Number.isFinite(r.loss))) {
 *   throw new Error("example check failed");
 * }
 * tf.dispose([frames, bands, labels]);
 * model.dispose();
 * ```
 */
export async function shardGradients<I>(
  model: StepModel<I>,
  names: readonly string[],
  input: I,
  labels: Tensor1D,
  opts: StepOptions = {},
): Promise<ShardGradients> {
  const byName = model.weights();
  const vars = names.map((n) => {
    const v = byName.get(n);
    if (!v) throw new RangeError(`${n} is not a weight of the model`);
    return v;
  });
  const trainable = new Set(model.trainableVariables());
  const stats = [...byName.values()].filter((v) => !trainable.has(v));
  let correctT: tf.Scalar | null = null;
  let value: tf.Scalar | null = null;
  let grads: tf.NamedTensorMap = {};
  try {
    ({ value, grads, correct: correctT } = lossAndGradients(model, vars, input, labels, opts));
    const read = async (t: tf.Tensor) => new Float32Array(await t.data() as Float32Array);
    return {
      loss: (await value.data())[0]!,
      correct: (await (correctT as tf.Scalar | null)?.data())?.[0] ?? 0,
      grads: await Promise.all(vars.map((v) => {
        const g = grads[v.name];
        return g ? read(g) : Promise.resolve(new Float32Array(v.size));
      })),
      stats: await Promise.all(stats.map(read)),
    };
  } finally {
    value?.dispose();
    (correctT as tf.Scalar | null)?.dispose();
    tf.dispose(Object.values(grads));
  }
}

/**
 * The former name of {@link trainStep} (which is asynchronous and runs on
 * every backend, webgpu included).
 *
 * @deprecated Use {@link trainStep}.
 */
export const trainStepAsync: typeof trainStep = trainStep;

/**
 * Logits in inference mode (running statistics, no dropout).
 *
 * @param model The model.
 * @param input The batch (not disposed).
 * @returns `[batch, C]` logits (the caller disposes them).
 * @example Class probabilities of a batch
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../../train/backend.ts";
 * import { createConvEntion } from "../convention.ts";
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
