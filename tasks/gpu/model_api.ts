/**
 * The model as the GPU check uses it: ConvEntion from `lib/model` (its
 * presets, its PyTorch-convention initialisation from a seed, its gradient
 * registrations), seen through the training loop's `TrainableModel`
 * interface.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "../../lib/model/gradients.ts";
import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import type { ModelInput } from "../../lib/model/types.ts";
import type { TrainableModel } from "../../lib/train/models.ts";
import type { RawInput } from "./inputs.ts";

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

/** TF.js's op gradients are registered by importing lib/model/gradients.ts (above). */
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
