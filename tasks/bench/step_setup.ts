/**
 * One training step on synthetic data, as every step benchmark times it
 * (`bench model`, `bench webgpu` and the GPU check): the preset's ConvEntion
 * from `lib/model`, Adam (lr 1e-3), a seeded synthetic batch in the loader's
 * layout and lib/model's `trainStep` (cross-entropy).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "../../lib/model/ops/gradients.ts";
import { createConvEntion, type PresetName, PRESETS } from "../../lib/model/convention.ts";
import { Adam, type AdamOptions } from "../../lib/model/infra/optimizer.ts";
import { type StepResult, trainableWeights, trainStep } from "../../lib/model/infra/train_step.ts";
import type { ModelInput } from "../../lib/model/types.ts";
import { type Batch, emptyBatch } from "../../lib/data/batch.ts";
import { Rng } from "../../lib/util/rng.ts";
import { imageInput } from "../../lib/train/builtin_models.ts";

/**
 * A deterministic synthetic loader batch: frames N(0, 1), band ids 1..`bands`, the last
 * 0..l/4 frames of each series padding (band 0, zero frames, mask 0), labels uniform.
 */
export function syntheticBatch(
  batch: number,
  length: number,
  size: number,
  seed: number,
  bands = 5,
  classes = 4,
): Batch {
  const rng = Rng.derive(seed, "gpu-check-input");
  const x = emptyBatch(batch, length, size, size);
  const px = size * size;
  for (let b = 0; b < batch; b++) {
    const real = length - rng.int(0, Math.floor(length / 4));
    for (let t = 0; t < real; t++) {
      x.bands[b * length + t] = rng.int(1, bands);
      x.mask[b * length + t] = 1;
      const base = (b * length + t) * px;
      for (let i = 0; i < px; i++) x.frames[base + i] = rng.normal();
    }
    x.labels[b] = rng.int(0, classes - 1);
  }
  return x;
}

/** The model tensors of a batch (lib's `imageInput`) and its labels; the caller disposes them. */
export function batchTensors(x: Batch): { input: ModelInput; labels: tf.Tensor1D } {
  return { input: imageInput(x), labels: tf.tensor1d(x.labels, "int32") };
}

/** A model, its optimiser and one synthetic batch, with the training step over them. */
export interface StepSetup {
  model: ReturnType<typeof createConvEntion>;
  opt: Adam;
  /** The batch in the loader's layout (for lib/train/data_parallel.ts). */
  batch: Batch;
  input: ModelInput;
  labels: tf.Tensor1D;
  /** One training step (lib/model's `trainStep`, cross-entropy), dropout seeds 1, 2, ... */
  step(): Promise<StepResult>;
  /** Frees the batch, the optimiser and the model. */
  dispose(): void;
}

/**
 * The preset's model (seed 11), Adam with `update` (`auto`: the fused kernels on webgpu;
 * `device`: TF.js ops) and a synthetic batch of `batch` objects.
 */
export function stepSetup(
  preset: PresetName,
  batch: number,
  update: AdamOptions["update"] = "auto",
): StepSetup {
  if (!(preset in PRESETS)) throw new RangeError(`Unknown preset ${preset}`);
  const model = createConvEntion(preset, 11);
  const opt = new Adam(trainableWeights(model), { lr: 1e-3, update });
  const c = model.config;
  const x = syntheticBatch(batch, c.length, c.stamp, 100 + batch);
  const { input, labels } = batchTensors(x);
  let seed = 1;
  return {
    model,
    opt,
    batch: x,
    input,
    labels,
    step: () => trainStep(model, opt, input, labels, { loss: "cross-entropy", seed: seed++ }),
    dispose: () => {
      tf.dispose([input.frames, input.bands, labels]);
      opt.dispose();
      model.dispose();
    },
  };
}
