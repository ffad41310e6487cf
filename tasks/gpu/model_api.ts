/**
 * The model as the GPU check uses it: ConvEntion from `lib/model` (its
 * presets, its PyTorch-convention initialisation from a seed, its gradient
 * registrations), seen through the training loop's `TrainableModel`
 * interface.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "../../lib/model/ops/gradients.ts";
import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import { Adam, type AdamOptions } from "../../lib/model/infra/optimizer.ts";
import { type StepResult, trainableWeights, trainStep } from "../../lib/model/infra/train_step.ts";
import type { ModelInput } from "../../lib/model/types.ts";
import type { TrainableModel } from "../../lib/train/models.ts";
import { type RawInput, syntheticInput } from "./inputs.ts";

/** Where the model comes from (recorded in the JSON). */
export const MODEL_SOURCE = "lib/model createConvEntion";

/** Model input tensors. */
export type CheckInput = ModelInput;

/** A model with its input shape. */
export interface CheckModel {
  model: TrainableModel<CheckInput>;
  /** Frames per object l. */
  length: number;
  /** Stamp side. */
  size: number;
}

/** Input shape and parameter count of a preset (builds it once on the active backend). */
export function presetShape(preset: string): { length: number; size: number; paramCount: number } {
  const m = createCheckModel(preset, 1);
  const r = { length: m.length, size: m.size, paramCount: m.model.paramCount() };
  m.model.dispose();
  return r;
}

/** TF.js's op gradients are registered by importing lib/model/ops/gradients.ts (above). */
export function registerGradients(): void {}

/** Creates the preset's ConvEntion, initialised from `seed`. */
export function createCheckModel(preset: string, seed: number): CheckModel {
  if (!(preset in PRESETS)) throw new RangeError(`Unknown preset ${preset}`);
  const model = createConvEntion(preset as keyof typeof PRESETS, seed);
  return { model, length: model.config.length, size: model.config.stamp };
}

/** Tensors of a raw input (the caller disposes them). */
export function inputTensors(raw: RawInput): CheckInput {
  return {
    frames: tf.tensor4d(raw.frames, [raw.batch, raw.length, raw.size, raw.size]),
    bands: tf.tensor2d(raw.bands, [raw.batch, raw.length], "int32"),
  };
}

/**
 * The check's optimiser: Adam, lr 1e-3, over the model's trainable weights,
 * with the training loop's default update (`auto`: the fused kernels on
 * webgpu).
 */
export function checkOptimizer(m: CheckModel, update: AdamOptions["update"] = "auto"): Adam {
  return new Adam(trainableWeights(m.model), { lr: 1e-3, update });
}

/** A model, its optimiser and one synthetic batch, with the training step over them. */
export interface StepSetup {
  m: CheckModel;
  opt: Adam;
  input: CheckInput;
  labels: tf.Tensor1D;
  /** One training step (lib/model's `trainStep`, cross-entropy), dropout seeds 1, 2, ... */
  step(): Promise<StepResult>;
  /** Frees the batch, the optimiser and the model. */
  dispose(): void;
}

/** The preset's model (seed 11), {@link checkOptimizer} and a synthetic batch of `batch` objects. */
export function stepSetup(
  preset: string,
  batch: number,
  update: AdamOptions["update"] = "auto",
): StepSetup {
  const m = createCheckModel(preset, 11);
  const opt = checkOptimizer(m, update);
  const raw = syntheticInput(batch, m.length, m.size, 100 + batch);
  const input = inputTensors(raw);
  const labels = tf.tensor1d(raw.labels, "int32");
  let seed = 1;
  return {
    m,
    opt,
    input,
    labels,
    step: () => trainStep(m.model, opt, input, labels, { loss: "cross-entropy", seed: seed++ }),
    dispose: () => {
      tf.dispose([input.frames, input.bands, labels]);
      opt.dispose();
      m.model.dispose();
    },
  };
}
