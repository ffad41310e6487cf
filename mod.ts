/**
 * ConvEntion for Deno: classify astronomical objects (SNe Ia, other SNe, AGN,
 * variable stars) from time series of telescope images with the ConvEntion
 * model (convolutional attention, Bairouk et al. 2022/2023) on TensorFlow.js.
 *
 * The library reads FITS images and ZTF alert packets, simulates a Stripe
 * 82-like survey, reformats series per band (paper §3.1), trains in two
 * stages, evaluates and predicts. The paper's baselines (CNN+LSTM/GRU,
 * SuperNNova-like RNN, SITS-BERT-like transformer, SCONE-like GP-heatmap CNN)
 * share the same machinery.
 *
 * @example Read a FITS stamp, simulate an object and reformat it for the model
 * ```ts
 * import { BandMap, readFits, reformatSeries, simulateObject, writeFits } from "./mod.ts";
 * // A 31x31 stamp with an extension, built in memory (readFitsFile reads the same from a path).
 * const stamp = { bitpix: -32 as const, shape: [31, 31], data: new Float32Array(31 * 31) };
 * const fits = readFits(writeFits([stamp, { ...stamp, header: [["EXTNAME", "SCI"]] }]), "stamp.fits");
 * console.log(fits.hdus.length, fits.hdus[0]!.image!.shape); // 2 [31, 31] (NAXIS1 first)
 * const obj = simulateObject(3, { objects: 20, seed: 1 });
 * const batch = reformatSeries(obj, { bands: new BandMap({ bands: [..."ugriz"] }), length: 99 });
 * console.log(obj.label, batch.frames.length); // 1 x 99 x 32 x 32 values
 * ```
 *
 * @module
 */
export { ConventionError, UsageError } from "./lib/errors.ts";
export { hashSeed, Rng } from "./lib/util/rng.ts";

// FITS I/O
export { FitsError, type FitsErrorLocation } from "./lib/fits/errors.ts";
export { FitsHeader } from "./lib/fits/header.ts";
export {
  imageToFloat32,
  readFits,
  readFitsAsync,
  readFitsFile,
  readFitsFileSync,
  type ReadOptions,
} from "./lib/fits/read.ts";
export { writeFits, type WriteHdu } from "./lib/fits/write.ts";
export { verifyFits, type VerifyProblem, type VerifyReport } from "./lib/fits/verify.ts";
export { type PixelStats, pixelStats } from "./lib/fits/stats.ts";
export type {
  ComplexValue,
  FitsColumn,
  FitsFile,
  FitsImage,
  FitsTable,
  Hdu,
  HduKind,
  HeaderCard,
  HeaderValue,
  PixelArray,
} from "./lib/fits/types.ts";

// Objects and sources
export { DEFAULT_CLASSES, type Frame, type ObjectSeries } from "./lib/survey/series.ts";
export { BandMap, type BandMapConfig, DEFAULT_BANDS } from "./lib/survey/bands.ts";
export {
  memorySource,
  type ObjectSource,
  type Problem,
  type ProblemKind,
  type SourceItem,
} from "./lib/survey/source.ts";
export { simulatedSource, type SimulatedSourceOptions } from "./lib/survey/simulated.ts";
export { manifestSource, type ManifestSourceOptions } from "./lib/survey/manifest.ts";
export { folderSource, type FolderSourceOptions } from "./lib/survey/folder.ts";
export { openSource, type SourceOptions } from "./lib/survey/open_source.ts";

// Rubin Observatory (LSST) alerts: Fink Parquet exports, Confluent-framed and container Avro
export {
  RUBIN_BANDS,
  type RubinAlert,
  RubinAlertError,
  type RubinAlertOptions,
  type RubinMeasurement,
  type RubinValue,
} from "./lib/survey/rubin_alert.ts";
export { loadRubinSchemas, RubinAvroError, type RubinSchemas } from "./lib/survey/rubin_avro.ts";
export {
  type RubinCutout,
  type RubinCutoutName,
  type RubinPlane,
} from "./lib/survey/rubin_cutout.ts";
export {
  listRubinFiles,
  readRubinFile,
  type RubinProblem,
  type RubinReadOptions,
} from "./lib/survey/rubin_files.ts";
export {
  type RubinFrame,
  rubinSeries,
  type RubinSeriesOptions,
  type RubinSeriesReport,
} from "./lib/survey/rubin_series.ts";
export {
  type RubinLightCurve,
  type RubinLightCurveOptions,
  type RubinLightCurvePoint,
  type RubinLightCurveReport,
  rubinLightCurves,
} from "./lib/survey/rubin_lightcurve.ts";
export { rubinSource, type RubinSourceOptions } from "./lib/survey/rubin_source.ts";
export type { RubinLabel } from "./lib/survey/rubin_labels.ts";

// ZTF alert packets
export { readAlertFile, type ReadAlertOptions, readAlertPackets } from "./lib/survey/ztf_packet.ts";
export type { AlertCandidate, AlertPacket, AlertValue } from "./lib/survey/ztf_packet.ts";
export {
  type AlertProblem,
  alertSeries,
  type AlertSeriesOptions,
  type AlertSeriesReport,
  type AlertSeriesResult,
} from "./lib/survey/ztf_series.ts";
export {
  type AlertLightCurve,
  alertLightCurves,
  type LightCurvePoint as AlertLightCurvePoint,
  type LightCurveReport,
} from "./lib/survey/ztf_lightcurve.ts";
export { alertSource, type AlertSourceOptions } from "./lib/survey/ztf_source.ts";
export type { AlertCutout, CutoutLimits, CutoutName } from "./lib/survey/ztf_cutout.ts";
export {
  AvroError,
  type AvroErrorKind,
  type AvroHeader,
  type AvroReadLimits,
} from "./lib/survey/ztf_avro.ts";

// Ingest, packed store, reformatting, splits, batches
export {
  ingest,
  type IngestOptions,
  type IngestReport,
  type ProblemCount,
} from "./lib/data/ingest.ts";
export {
  openStore,
  type OpenStoreOptions,
  Store,
  StoreError,
  type StoreObject,
} from "./lib/data/store.ts";
export type {
  StoreDtype,
  StoreIndex,
  StoreLayout,
  StoreObjectEntry,
} from "./lib/data/store_format.ts";
export type { ClassTarget, PlanEntry } from "./lib/data/balance.ts";
export type { Batch } from "./lib/data/batch.ts";
export { type ReformatOptions, reformatSeries } from "./lib/data/reformat.ts";
export {
  type BatchStream,
  epochBatches,
  type EpochOptions,
  evalBatches,
  type EvalOptions,
  type LoaderOptions,
} from "./lib/data/loader.ts";
export { cutCount, cutSeries, type SeriesCut } from "./lib/data/cut.ts";
export {
  makeSplit,
  type Split,
  type SplitObject,
  type SplitOptions,
  type StageSplit,
} from "./lib/data/split.ts";
export {
  computeNormalization,
  type Normalization,
  type NormalizationOptions,
} from "./lib/data/normalization.ts";
export type { AugmentConfig } from "./lib/data/augment.ts";
export type { TruncateConfig } from "./lib/data/truncate.ts";

// The simulator
export {
  type SimFrame,
  type SimulatedObject,
  simulateObject,
  type SimulateObjectOptions,
} from "./lib/simulate/object.ts";
export type { TemplateImage } from "./lib/simulate/difference.ts";
export type { EruptiveParams } from "./lib/simulate/eruptive.ts";
export { type SimulateOptions, simulateSurvey, type SurveySummary } from "./lib/simulate/survey.ts";
export { DEFAULT_SURVEY, ensureDefaultSurvey } from "./lib/simulate/default_survey.ts";
export type { ObjectParams, SimClass } from "./lib/simulate/params.ts";
export type { Epoch, Night } from "./lib/simulate/cadence.ts";
export type { HostParams } from "./lib/simulate/host.ts";
export type { SnIaParams, SnIaSubclass } from "./lib/simulate/sn_ia.ts";
export type { CcParams, CcSubtype } from "./lib/simulate/sn_cc.ts";
export type { AgnParams } from "./lib/simulate/agn.ts";
export type { VariableParams, VariableSubtype } from "./lib/simulate/variable_star.ts";

// The model
export type {
  Optimizer,
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Variable,
} from "./lib/model/ops/tensor_types.ts";
export type { ApplyOptions, Classifier, ModelInput } from "./lib/model/types.ts";
export {
  type Conv3dSpec,
  ConvEntion,
  type ConvEntionApplyOptions,
  type ConvEntionConfig,
  createConvEntion,
  type PresetName,
  PRESETS,
} from "./lib/model/convention.ts";
export type { Cnn3dLayerGeometry, Geometry, TapGroup } from "./lib/model/config.ts";
export {
  evalLogits,
  type ShardGradients,
  shardGradients,
  type StepModel,
  type StepOptions,
  type StepResult,
  trainableWeights,
  trainStep,
  trainStepAsync,
} from "./lib/model/infra/train_step.ts";
export { lossOf, type LossOptions } from "./lib/model/ops/loss.ts";
export {
  Adam,
  type AdamOptions,
  type AdamState,
  loadOptimizerState,
  saveOptimizerState,
} from "./lib/model/infra/optimizer.ts";
export { loadWeights, saveWeights } from "./lib/model/infra/safetensors.ts";
export { setWeight } from "./lib/model/infra/assign.ts";
export { type LayerSummary, type ModelSummary, summarize } from "./lib/model/summary.ts";
export {
  ModelConfigError,
  ModelInputError,
  NonFiniteLossError,
  WeightsError,
} from "./lib/model/errors.ts";
export {
  type BackendChoice,
  type BackendSelection,
  selectBackend,
  type SelectBackendOptions,
} from "./lib/train/backend.ts";

// Training, prediction, evaluation
export {
  combineShards,
  DataParallel,
  type DataParallelOptions,
  type InputAdapter,
  piecewiseGradients,
  shardSeed,
  splitBatch,
} from "./lib/train/data_parallel.ts";
export {
  explainWasmMemory,
  isWasmMemoryFailure,
  WasmMemoryError,
} from "./lib/train/wasm_memory.ts";
export {
  train,
  TrainingDivergedError,
  type TrainOptions,
  type TrainResult,
} from "./lib/train/train.ts";
export {
  configFromYaml,
  type DataConfig,
  type EvalConfig,
  type LossConfig,
  type LossName,
  type ModelChoice,
  type OptimConfig,
  type OptimizerName,
  type PerClass,
  type SelectMetric,
  type StageConfig,
  type TrainConfig,
  trainPreset,
} from "./lib/train/config.ts";
export {
  type ForwardOptions,
  type InputShape,
  type ModelEntry,
  modelNames,
  type ModelSpec,
  registerModel,
  type TrainableModel,
} from "./lib/train/models.ts";
export { predict, type Prediction, type PredictOptions } from "./lib/train/predict.ts";
export { type PrepareOptions, prepareStore } from "./lib/train/data_source.ts";
export type { EpochLog, EpochRecord } from "./lib/train/metrics_log.ts";
export type { RunInfo, RunTemperature } from "./lib/train/run_dir.ts";
export { type EvaluateOptions, evaluateRun, type Evaluation } from "./lib/eval/evaluate.ts";
export {
  type CalibrationInfo,
  type ClassMetrics,
  computeMetrics,
  type EvalProtocol,
  type Metrics,
} from "./lib/eval/metrics.ts";
export { type MetricIntervals, type SniaReport } from "./lib/eval/intervals.ts";
export type { EarlyRow } from "./lib/eval/early.ts";
export type { PairedComparison } from "./lib/eval/paired.ts";
export type { MeanSd, SeedSummary, SeedValue } from "./lib/eval/seed_summary.ts";
export {
  binomialCdf,
  type BootstrapIntervals,
  bootstrapIntervals,
  type BootstrapOptions,
  clopperPearsonInterval,
  type Interval,
  mcnemarExact,
  mcnemarPaired,
  type McNemarResult,
  pairedAccuracyDifference,
  type PairedDifference,
  purityAtEfficiency,
  type Selection,
  type SniaMetrics,
  sniaMetrics,
  wilsonInterval,
} from "./lib/eval/stats/mod.ts";
export { fitTemperature, type TemperatureFit } from "./lib/train/temperature.ts";
export { rocAuc } from "./lib/eval/roc_auc.ts";
export {
  type Calibration,
  type CalibrationBin,
  expectedCalibrationError,
} from "./lib/eval/calibration.ts";
export { type CompareOptions, compareRuns, type Comparison } from "./lib/eval/compare.ts";
export type { CompareRow } from "./lib/eval/compare_tables.ts";

// The paper's baselines: light curves from stamps, GP heatmaps, the Table 2 comparison
export { type PsfComponent, SDSS_DOUBLE_GAUSSIAN } from "./lib/baselines/psf.ts";
export {
  type Background,
  forcedPhotometry,
  type FramePhotometry,
  type LightCurve,
  lightCurveFromSeries,
  type LightCurveOptions,
  type LightCurvePoint,
  type PhotometryOptions,
} from "./lib/baselines/photometry.ts";
export {
  fitGp2d,
  type GpFit,
  type GpFitOptions,
  gpHeatmap,
  type GpKernel,
  type Heatmap,
  type HeatmapOptions,
} from "./lib/baselines/gp_heatmap.ts";
