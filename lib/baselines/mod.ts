/**
 * The paper's baselines and its Table 2: forced photometry on stamps, 2D Gaussian-process
 * heatmaps, CNN+LSTM / CNN+GRU on image sequences, SuperNNova-like (Bayesian) RNN,
 * SITS-BERT-like transformer and SCONE-like CNN on light curves (the comparison that trains every
 * model with the same machinery is `lib/compare/`). These are pure models; they join the model
 * registry in `lib/compare/register_baselines.ts`.
 *
 * @module
 */
export {
  type Background,
  forcedPhotometry,
  type FramePhotometry,
  type LightCurve,
  lightCurveFromSeries,
  type LightCurveOptions,
  type LightCurvePoint,
  type PhotometryOptions,
  stampBackground,
} from "./photometry.ts";
export { GAUSSIAN, pixelPsf, type PsfComponent, SDSS_DOUBLE_GAUSSIAN } from "./psf.ts";
export {
  BAND_WAVELENGTHS,
  fitGp2d,
  type GpFit,
  type GpFitOptions,
  gpHeatmap,
  type GpKernel,
  gpLogMarginalLikelihood,
  type Heatmap,
  type HeatmapOptions,
} from "./gp_heatmap.ts";
export {
  type HeatmapCacheOptions,
  type HeatmapSet,
  heatmapsForStore,
  type LightCurveCacheOptions,
  type LightCurveSet,
  lightCurvesForStore,
} from "./lc_cache.ts";
export {
  type EncodedLightCurves,
  encodeLightCurves,
  type Epochs,
  groupEpochs,
  type LcEncoding,
  lcFeatureCount,
} from "./lc_features.ts";
export { lcModelInput } from "./lc_input.ts";
export { type CellKind, defineRnn, type RnnDropout, type RnnSpec, runRnn } from "./recurrent.ts";
export { dropout, layerNorm, linear, maskedMean, ParamsModel } from "./layers.ts";
export { ImageRnn, type ImageRnnConfig } from "./image_rnn.ts";
export { CNN_LSTM_PRESETS, createCnnLstm } from "./cnn_lstm.ts";
export { CNN_GRU_PRESETS, createCnnGru } from "./cnn_gru.ts";
export { SuperNnova, type SuperNnovaConfig, superNnovaConfig } from "./supernnova.ts";
export { SitsBert, type SitsBertConfig, sitsBertConfig } from "./sits_bert.ts";
export { Scone, SCONE_PRESETS, type SconeConfig } from "./scone.ts";
export { LC_PRESETS } from "./lc_presets.ts";
export {
  currentLightCurveData,
  type LightCurveData,
  lightCurveData,
  useLightCurveData,
} from "./lc_data.ts";
