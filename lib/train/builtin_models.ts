/**
 * The models every run can use by name: ConvEntion (`convention`, presets
 * paper, paper-g, cpu, tiny). Baselines register here too (one
 * `registerModel` call each), so `train`, `eval`, `predict` and `compare`
 * know them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { UsageError } from "../errors.ts";
import type { Batch } from "../data/batch.ts";
import { type ConvEntion, createConvEntion, PRESETS } from "../model/convention.ts";
import type { ConvEntionConfig } from "../model/config.ts";
import { CLASSIFIER_WEIGHTS } from "../model/classifier.ts";
import { loadWeights, saveWeights } from "../model/infra/safetensors.ts";
import type { ModelInput } from "../model/types.ts";
import { registerModel, type TrainableModel } from "./models.ts";

/** Turns a loader batch into ConvEntion's input tensors `[B, l, h, w]` and `[B, l]`. */
export function imageInput(batch: Batch): ModelInput {
  const { batchSize: b, length: l, height: h, width: w } = batch;
  return {
    frames: tf.tensor4d(batch.frames, [b, l, h, w], "float32"),
    bands: tf.tensor2d(batch.bands, [b, l], "int32"),
  };
}

/** Disposes what {@link imageInput} made. */
export function disposeImageInput(input: ModelInput): void {
  input.frames.dispose();
  input.bands.dispose();
}

registerModel<ModelInput>({
  name: "convention",
  label: "ConvEntion",
  input: "images",
  presets: Object.keys(PRESETS),
  create(spec) {
    const base = (PRESETS as Record<string, ConvEntionConfig>)[spec.preset];
    if (!base) {
      throw new UsageError(
        `Unknown ConvEntion preset "${spec.preset}"; presets: ${Object.keys(PRESETS).join(", ")}.`,
      );
    }
    if (spec.bands.length >= base.bandRows) {
      throw new UsageError(
        `The data have ${spec.bands.length} bands; the band embedding has ${base.bandRows} rows ` +
          `(row 0 = padding), so at most ${base.bandRows - 1} bands.`,
      );
    }
    const config: ConvEntionConfig = {
      ...structuredClone(base),
      ...(spec.options as Partial<ConvEntionConfig>),
      bands: [...spec.bands],
      numClasses: spec.numClasses,
    };
    return createConvEntion(config, spec.seed);
  },
  inputShape: (m) => {
    const c = (m as unknown as ConvEntion).config;
    return { length: c.length, size: c.stamp };
  },
  adapter: imageInput,
  disposeInput: disposeImageInput,
  headWeights: () => [...CLASSIFIER_WEIGHTS],
  save: (m: TrainableModel<ModelInput>, path, metadata) =>
    saveWeights(m as unknown as ConvEntion, path, metadata),
  load: (m: TrainableModel<ModelInput>, path) => loadWeights(m as unknown as ConvEntion, path),
});
