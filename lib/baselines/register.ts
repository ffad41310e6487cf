/**
 * The baselines of the paper's Table 2 in the model registry (lib/train/models.ts), so that
 * `train`, `eval`, `predict` and `compare` run them with the same splits, seeds, balancing, two
 * stages and metrics as ConvEntion:
 *
 * | registry name | label | input | presets |
 * |---|---|---|---|
 * | `cnn-lstm` | CNN+LSTM | images | paper, cpu, tiny |
 * | `cnn-gru` | CNN+GRU | images | paper, cpu, tiny |
 * | `supernnova` | SuperNNova RNN | light curves | paper, cpu, tiny |
 * | `supernnova-bayes` | SuperNNova Bayesian RNN | light curves | paper, cpu, tiny |
 * | `sits-bert` | SITS-BERT | light curves | paper, cpu, tiny |
 * | `scone` | SCONE (CNN on GP heatmaps) | light curves | paper, cpu, tiny |
 *
 * Image models take the loader's frames. Light-curve models take the object ids of each batch
 * and look their light curves (or GP heatmaps) up in the data set by
 * {@link useLightCurveData} (built once per store by lc_cache.ts); the loader is asked for a
 * minimal frame window since they do not use the pixels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { UsageError } from "../errors.ts";
import type { Batch } from "../data/batch.ts";
import { registerModel, type TrainableModel } from "../train/models.ts";
import { disposeImageInput, imageInput } from "../train/builtin_models.ts";
import { loadWeights, saveWeights } from "../model/infra/safetensors.ts";
import type { Classifier, ModelInput } from "./types.ts";
import { CNN_LSTM_PRESETS, createCnnLstm } from "./cnn_lstm.ts";
import { CNN_GRU_PRESETS, createCnnGru } from "./cnn_gru.ts";
import type { ImageRnn, ImageRnnConfig } from "./image_rnn.ts";
import { SuperNnova, type SuperNnovaConfig, superNnovaConfig } from "./supernnova.ts";
import { SitsBert, type SitsBertConfig, sitsBertConfig } from "./sits_bert.ts";
import { Scone, SCONE_PRESETS, type SconeConfig } from "./scone.ts";
import { encodeLightCurves, lcFeatureCount } from "./lc_features.ts";
import { lcModelInput } from "./lc_input.ts";
import type { HeatmapSet, LightCurveSet } from "./lc_cache.ts";

/** Light curves (and heatmaps) the light-curve models read their inputs from. */
export interface LightCurveData {
  /** The store's light curves. */
  lightCurves: LightCurveSet;
  /** The store's GP heatmaps (needed by `scone` only). */
  heatmaps?: HeatmapSet;
}

let current: LightCurveData | null = null;
let currentEpochs = 0;

/**
 * Sets the light curves the light-curve models use (call before training or evaluating one on
 * a store; `null` clears).
 */
export function useLightCurveData(data: LightCurveData | null): void {
  current = data;
}

function lcData(model: string): LightCurveData {
  if (!current) {
    throw new UsageError(
      `Model "${model}" reads light curves measured from the stamps, and none are loaded.`,
      {
        hint: "Run it through `convention compare --data D --models " + model +
          "`, which measures and caches them next to the store.",
      },
    );
  }
  return current;
}

/** Presets of the light-curve sequence models: sizes and sequence lengths. */
export const LC_PRESETS: Readonly<
  Record<
    "paper" | "cpu" | "tiny",
    { snn: Partial<SuperNnovaConfig>; bert: Partial<SitsBertConfig> }
  >
> = {
  paper: {
    snn: { hidden: 32, layers: 2, maxEpochs: 96, dropout: 0.05, mcSamples: 30 },
    bert: { dModel: 64, heads: 4, layers: 3, ffHidden: 256, maxEpochs: 96, dropout: 0.1 },
  },
  cpu: {
    snn: { hidden: 32, layers: 2, maxEpochs: 32, dropout: 0.05, mcSamples: 10 },
    bert: { dModel: 32, heads: 4, layers: 2, ffHidden: 64, maxEpochs: 32, dropout: 0.1 },
  },
  tiny: {
    snn: { hidden: 6, layers: 1, maxEpochs: 8, dropout: 0.05, mcSamples: 3 },
    bert: { dModel: 8, heads: 2, layers: 1, ffHidden: 8, maxEpochs: 8, dropout: 0.1 },
  },
};

/** Bayesian variant: stronger dropout, since it is the posterior approximation. */
const BAYES_DROPOUT = 0.1;

function preset<T extends string>(name: string, known: readonly T[], model: string): T {
  if (!(known as readonly string[]).includes(name)) {
    throw new UsageError(`Unknown ${model} preset "${name}"; presets: ${known.join(", ")}.`);
  }
  return name as T;
}

/** The loader window the light-curve models ask for (they read light curves, not pixels). */
const LC_WINDOW = { length: 1, size: 4 };

function lcInput(batch: Batch, model: string): ModelInput {
  const data = lcData(model);
  const lcs = batch.ids.map((id) => data.lightCurves.get(id));
  return lcModelInput(
    encodeLightCurves(lcs, {
      bands: data.lightCurves.bands,
      fluxScale: data.lightCurves.fluxScale,
      maxEpochs: currentEpochs,
    }),
  );
}

function heatmapInput(batch: Batch): ModelInput {
  const data = lcData("scone");
  const maps = data.heatmaps;
  if (!maps) throw new UsageError('Model "scone" needs GP heatmaps and none are loaded.');
  const cell = maps.wavelengthBins * maps.dayBins;
  const out = new Float32Array(batch.batchSize * 2 * cell);
  batch.ids.forEach((id, i) => maps.fill(id, out, i * 2 * cell));
  return {
    frames: tf.tensor4d(out, [batch.batchSize, 2, maps.wavelengthBins, maps.dayBins]),
    bands: tf.ones([batch.batchSize, 2], "int32") as tf.Tensor2D,
  };
}

const saveAs = (m: TrainableModel<ModelInput>, path: string, metadata: Record<string, string>) =>
  saveWeights(m as unknown as Classifier, path, metadata);
const loadFrom = (m: TrainableModel<ModelInput>, path: string) =>
  loadWeights(m as unknown as Classifier, path);

for (const cell of ["lstm", "gru"] as const) {
  const presets = cell === "lstm" ? CNN_LSTM_PRESETS : CNN_GRU_PRESETS;
  const name = `cnn-${cell}`;
  registerModel<ModelInput>({
    name,
    label: cell === "lstm" ? "CNN+LSTM" : "CNN+GRU",
    input: "images",
    presets: Object.keys(presets),
    create(spec) {
      const p = preset(spec.preset, Object.keys(presets) as (keyof typeof presets)[], name);
      const make = cell === "lstm" ? createCnnLstm : createCnnGru;
      return make(
        p,
        spec.bands.length,
        spec.numClasses,
        spec.seed,
        spec.options as Partial<ImageRnnConfig>,
      );
    },
    inputShape: (m) => {
      const c = (m as unknown as ImageRnn).config as unknown as ImageRnnConfig;
      return { length: c.length, size: c.size };
    },
    adapter: imageInput,
    disposeInput: disposeImageInput,
    headWeights: () => ["classifier.weight", "classifier.bias"],
    save: saveAs,
    load: loadFrom,
  });
}

for (const bayesian of [false, true]) {
  const name = bayesian ? "supernnova-bayes" : "supernnova";
  registerModel<ModelInput>({
    name,
    label: bayesian ? "SuperNNova Bayesian RNN" : "SuperNNova RNN",
    input: "light curves",
    presets: Object.keys(LC_PRESETS),
    create(spec) {
      const p = preset(spec.preset, Object.keys(LC_PRESETS) as (keyof typeof LC_PRESETS)[], name);
      const cfg = superNnovaConfig({
        featureCount: lcFeatureCount(spec.bands.length),
        maxEpochs: 48,
        ...LC_PRESETS[p].snn,
        ...(bayesian ? { bayesian: true, dropout: BAYES_DROPOUT } : {}),
        numClasses: spec.numClasses,
        ...(spec.options as Partial<SuperNnovaConfig>),
      });
      currentEpochs = cfg.maxEpochs;
      return new SuperNnova(cfg, spec.seed);
    },
    inputShape: () => LC_WINDOW,
    adapter: (batch) => lcInput(batch, name),
    disposeInput: disposeImageInput,
    headWeights: () => ["output_layer.weight", "output_layer.bias"],
    save: saveAs,
    load: loadFrom,
  });
}

registerModel<ModelInput>({
  name: "sits-bert",
  label: "SITS-BERT",
  input: "light curves",
  presets: Object.keys(LC_PRESETS),
  create(spec) {
    const p = preset(
      spec.preset,
      Object.keys(LC_PRESETS) as (keyof typeof LC_PRESETS)[],
      "sits-bert",
    );
    const cfg = sitsBertConfig({
      featureCount: lcFeatureCount(spec.bands.length),
      maxEpochs: 48,
      ...LC_PRESETS[p].bert,
      numClasses: spec.numClasses,
      ...(spec.options as Partial<SitsBertConfig>),
    });
    currentEpochs = cfg.maxEpochs;
    return new SitsBert(cfg, spec.seed);
  },
  inputShape: () => LC_WINDOW,
  adapter: (batch) => lcInput(batch, "sits-bert"),
  disposeInput: disposeImageInput,
  headWeights: () => ["classifier.weight", "classifier.bias"],
  save: saveAs,
  load: loadFrom,
});

registerModel<ModelInput>({
  name: "scone",
  label: "SCONE (CNN on GP heatmaps)",
  input: "light curves",
  presets: Object.keys(SCONE_PRESETS),
  create(spec) {
    const p = preset(
      spec.preset,
      Object.keys(SCONE_PRESETS) as (keyof typeof SCONE_PRESETS)[],
      "scone",
    );
    const maps = current?.heatmaps;
    const cfg: SconeConfig = {
      ...SCONE_PRESETS[p],
      ...(maps ? { wavelengthBins: maps.wavelengthBins, dayBins: maps.dayBins } : {}),
      numClasses: spec.numClasses,
      ...(spec.options as Partial<SconeConfig>),
    };
    return new Scone(cfg, spec.seed);
  },
  inputShape: () => LC_WINDOW,
  adapter: heatmapInput,
  disposeInput: disposeImageInput,
  headWeights: () => ["fc2.weight", "fc2.bias"],
  save: saveAs,
  load: loadFrom,
});
