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
 * `useLightCurveData` (lib/baselines/lc_data.ts; built once per store by lc_cache.ts).
 *
 * The same epochs for every model: the loader cuts light-curve models' batches to the window of
 * ConvEntion's preset of the same name (`l` = 99 paper, 48 cpu, 12 tiny band-frames; 4 x 4
 * stamps, unused), and SuperNNova and SITS-BERT keep only the photometry of the band-frames of
 * each row (lib/baselines/lc_window.ts): the random training windows, the evaluation window
 * around the brightest frame and the early-classification cuts are the image models'. SCONE's
 * heatmaps are fitted once per object on its evaluation window (`heatmapsForStore({ frames })`),
 * so SCONE cannot be cut early (`cuttable: false`).
 *
 * This registration is composition, above `lib/train` and `lib/baselines` (which stay pure
 * models): the entry points import it (main.ts for the CLI, compare_all.ts), and data-parallel
 * replica workers import it through each entry's `module`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { UsageError } from "../errors.ts";
import type { Batch } from "../data/batch.ts";
import { registerModel, type TrainableModel } from "../train/models.ts";
import { disposeImageInput, imageInput } from "../train/builtin_models.ts";
import { loadWeights, saveWeights } from "../model/infra/safetensors.ts";
import type { Classifier, ModelInput } from "../baselines/types.ts";
import { CNN_LSTM_PRESETS, createCnnLstm } from "../baselines/cnn_lstm.ts";
import { CNN_GRU_PRESETS, createCnnGru } from "../baselines/cnn_gru.ts";
import type { ImageRnn, ImageRnnConfig } from "../baselines/image_rnn.ts";
import { SuperNnova, type SuperNnovaConfig, superNnovaConfig } from "../baselines/supernnova.ts";
import { SitsBert, type SitsBertConfig, sitsBertConfig } from "../baselines/sits_bert.ts";
import { Scone, SCONE_PRESETS, type SconeConfig } from "../baselines/scone.ts";
import { encodeLightCurves, lcFeatureCount } from "../baselines/lc_features.ts";
import { lcModelInput } from "../baselines/lc_input.ts";
import { currentLightCurveData, lightCurveData } from "../baselines/lc_data.ts";
import { LC_PRESETS } from "../baselines/lc_presets.ts";
import { windowLightCurve } from "../baselines/lc_window.ts";
import { PRESETS } from "../model/config.ts";

let currentEpochs = 0;
let currentFrames = PRESETS.cpu.length;

/** Bayesian variant: stronger dropout, since it is the posterior approximation. */
const BAYES_DROPOUT = 0.1;

function preset<T extends string>(name: string, presets: Record<T, unknown>, model: string): T {
  const known = Object.keys(presets);
  if (!known.includes(name)) {
    throw new UsageError(`Unknown ${model} preset "${name}"; presets: ${known.join(", ")}.`);
  }
  return name as T;
}

/**
 * The band-frames a light-curve model of preset `preset` sees: the window of ConvEntion's preset
 * of that name (48 for an unknown one, the cpu preset's).
 *
 * @param preset The light-curve model's preset.
 */
export function lightCurveFrames(preset: string): number {
  return (PRESETS as Record<string, { length: number }>)[preset]?.length ?? PRESETS.cpu.length;
}

/** The loader window the light-curve models ask for: the frames to read photometry from. */
const lcWindow = () => ({ length: currentFrames, size: 4 });

/** How the light-curve sequence models' epochs are chosen, in words. */
const lcWindowText = () =>
  `the photometry of the image models' ${currentFrames} band-frames ` +
  `(around the brightest; at most ${currentEpochs} nights)`;

function lcInput(batch: Batch, model: string): ModelInput {
  const data = lightCurveData(model);
  const bands = data.lightCurves.bands;
  const lcs = batch.ids.map((id, row) =>
    windowLightCurve(data.lightCurves.get(id), batch, row, bands)
  );
  return lcModelInput(
    encodeLightCurves(lcs, {
      bands: data.lightCurves.bands,
      fluxScale: data.lightCurves.fluxScale,
      maxEpochs: currentEpochs,
    }),
  );
}

function heatmapInput(batch: Batch): ModelInput {
  const data = lightCurveData("scone");
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
      const p = preset(spec.preset, presets, name);
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
    module: import.meta.url,
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
      const p = preset(spec.preset, LC_PRESETS, name);
      const cfg = superNnovaConfig({
        featureCount: lcFeatureCount(spec.bands.length),
        maxEpochs: 48,
        ...LC_PRESETS[p].snn,
        ...(bayesian ? { bayesian: true, dropout: BAYES_DROPOUT } : {}),
        numClasses: spec.numClasses,
        ...(spec.options as Partial<SuperNnovaConfig>),
      });
      currentEpochs = cfg.maxEpochs;
      currentFrames = lightCurveFrames(p);
      return new SuperNnova(cfg, spec.seed);
    },
    inputShape: lcWindow,
    window: lcWindowText,
    adapter: (batch) => lcInput(batch, name),
    disposeInput: disposeImageInput,
    headWeights: () => ["output_layer.weight", "output_layer.bias"],
    save: saveAs,
    load: loadFrom,
    module: import.meta.url,
  });
}

registerModel<ModelInput>({
  name: "sits-bert",
  label: "SITS-BERT",
  input: "light curves",
  presets: Object.keys(LC_PRESETS),
  create(spec) {
    const p = preset(spec.preset, LC_PRESETS, "sits-bert");
    const cfg = sitsBertConfig({
      featureCount: lcFeatureCount(spec.bands.length),
      maxEpochs: 48,
      ...LC_PRESETS[p].bert,
      numClasses: spec.numClasses,
      ...(spec.options as Partial<SitsBertConfig>),
    });
    currentEpochs = cfg.maxEpochs;
    currentFrames = lightCurveFrames(p);
    return new SitsBert(cfg, spec.seed);
  },
  inputShape: lcWindow,
  window: lcWindowText,
  adapter: (batch) => lcInput(batch, "sits-bert"),
  disposeInput: disposeImageInput,
  headWeights: () => ["classifier.weight", "classifier.bias"],
  save: saveAs,
  load: loadFrom,
  module: import.meta.url,
});

registerModel<ModelInput>({
  name: "scone",
  label: "SCONE (CNN on GP heatmaps)",
  input: "light curves",
  presets: Object.keys(SCONE_PRESETS),
  create(spec) {
    const p = preset(spec.preset, SCONE_PRESETS, "scone");
    const maps = currentLightCurveData()?.heatmaps;
    const cfg: SconeConfig = {
      ...SCONE_PRESETS[p],
      ...(maps ? { wavelengthBins: maps.wavelengthBins, dayBins: maps.dayBins } : {}),
      numClasses: spec.numClasses,
      ...(spec.options as Partial<SconeConfig>),
    };
    currentFrames = lightCurveFrames(p);
    return new Scone(cfg, spec.seed);
  },
  inputShape: () => ({ length: 1, size: 4 }),
  window: () => `GP heatmap of the photometry of the image models' ${currentFrames} band-frames`,
  cuttable: false,
  adapter: heatmapInput,
  disposeInput: disposeImageInput,
  headWeights: () => ["fc2.weight", "fc2.bias"],
  save: saveAs,
  load: loadFrom,
  module: import.meta.url,
});
