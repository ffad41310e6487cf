/**
 * Typed errors of the model layer.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

/**
 * A model configuration that cannot be built (shapes that do not fit, bad values).
 *
 * @example
 * ```ts
 * import { PRESETS } from "./config.ts";
 * import { ModelConfigError } from "./errors.ts";
 * import { summarize } from "./summary.ts";
 * try {
 *   summarize({ ...PRESETS.tiny, length: 13 }); // not a multiple of the group size 3
 * } catch (e) {
 *   if (!(e instanceof ModelConfigError)) throw e;
 *   console.log(e.message); // Model config: length 13 is not a multiple of group 3
 * }
 * ```
 */
export class ModelConfigError extends ConventionError {
  /**
   * Creates the error.
   *
   * @param message What is wrong with which configuration field.
   * @param options `hint` and `cause`.
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "ModelConfigError";
  }
}

/**
 * A batch whose shape or dtype does not match the model.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../train/backend.ts";
 * import { createConvEntion } from "./convention.ts";
 * import { ModelInputError } from "./errors.ts";
 * await selectBackend("cpu", { quiet: true });
 * const model = createConvEntion("tiny"); // expects [batch, 12, 12, 12]
 * const frames = tf.zeros([1, 10, 12, 12]) as tf.Tensor4D;
 * const bands = tf.ones([1, 10], "int32") as tf.Tensor2D;
 * try {
 *   model.apply({ frames, bands }, { training: false });
 * } catch (e) {
 *   if (!(e instanceof ModelInputError)) throw e;
 *   console.log(e.message, e.hint);
 * }
 * tf.dispose([frames, bands]);
 * model.dispose();
 * ```
 */
export class ModelInputError extends ConventionError {
  /**
   * Creates the error.
   *
   * @param message What was wrong with which input tensor.
   * @param options `hint` and `cause`.
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "ModelInputError";
  }
}

/**
 * The loss of a training step is NaN or infinite; the step was not applied.
 *
 * @example A batch with NaN pixels: the step throws and the model is unchanged
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../train/backend.ts";
 * import { createConvEntion } from "./convention.ts";
 * import { NonFiniteLossError } from "./errors.ts";
 * import { Adam } from "./infra/optimizer.ts";
 * import { trainableWeights, trainStep } from "./infra/train_step.ts";
 * await selectBackend("cpu", { quiet: true });
 * const model = createConvEntion("tiny", 1);
 * const opt = new Adam(trainableWeights(model), { lr: 1e-3 });
 * const frames = tf.fill([2, 12, 12, 12], NaN) as tf.Tensor4D;
 * const bands = tf.ones([2, 12], "int32") as tf.Tensor2D;
 * const labels = tf.tensor1d([0, 1], "int32");
 * try {
 *   await trainStep(model, opt, { frames, bands }, labels);
 * } catch (e) {
 *   if (!(e instanceof NonFiniteLossError)) throw e;
 *   if (!(Number.isNaN(e.loss))) throw new Error("example check failed");
 * }
 * tf.dispose([frames, bands, labels]);
 * opt.dispose();
 * model.dispose();
 * ```
 */
export class NonFiniteLossError extends ConventionError {
  /** The offending loss value. */
  readonly loss: number;

  /**
   * Creates the error.
   *
   * @param loss The NaN or infinite loss.
   * @param options `hint` and `cause`.
   */
  constructor(loss: number, options: { hint?: string; cause?: unknown } = {}) {
    super(`Training loss is ${loss}; the step was not applied`, {
      hint: options.hint ??
        "lower the learning rate, check the input normalisation, or resume from the last checkpoint",
      cause: options.cause,
    });
    this.name = "NonFiniteLossError";
    this.loss = loss;
  }
}

/**
 * A weights file that is malformed or does not match the model.
 *
 * @example Weights of a 4-class model do not load into a 3-class one
 * ```ts
 * import { selectBackend } from "../train/backend.ts";
 * import { ConvEntion, createConvEntion, PRESETS } from "./convention.ts";
 * import { WeightsError } from "./errors.ts";
 * import { loadWeights, saveWeights } from "./infra/safetensors.ts";
 * await selectBackend("cpu", { quiet: true });
 * const dir = await Deno.makeTempDir();
 * const four = createConvEntion("tiny");
 * const three = new ConvEntion({ ...PRESETS.tiny, numClasses: 3 });
 * await saveWeights(four, `${dir}/tiny.safetensors`);
 * try {
 *   await loadWeights(three, `${dir}/tiny.safetensors`);
 * } catch (e) {
 *   if (!(e instanceof WeightsError)) throw e;
 *   console.log(e.message); // ...: tensor ... has shape [4,16], the model expects [3,16]
 * }
 * four.dispose();
 * three.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class WeightsError extends ConventionError {
  /**
   * Creates the error.
   *
   * @param message What is wrong, naming the file and tensor.
   * @param options `hint` and `cause`.
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "WeightsError";
  }
}
