/**
 * Typed errors of the model layer.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

/** A model configuration that cannot be built (shapes that do not fit, bad values). */
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

/** A batch whose shape or dtype does not match the model. */
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

/** The loss of a training step is NaN or infinite; the step was not applied. */
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

/** A weights file that is malformed or does not match the model. */
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
