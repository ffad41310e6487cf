/**
 * The data pipeline: sources (simulator layout, manifest CSV, folder of
 * FITS), ingest into a packed store with a problem report, reformatting
 * (paper §3.1), per-band normalisation, two-stage splits, balanced augmented
 * epochs and the batch loader. See docs/data.md.
 *
 * @module
 */
// Sources (lib/survey)
export { BandMap, type BandMapConfig, DEFAULT_BANDS } from "../survey/bands.ts";
export {
  memorySource,
  type ObjectSource,
  type Problem,
  type ProblemKind,
  type SourceItem,
} from "../survey/source.ts";
export { simulatedSource, type SimulatedSourceOptions } from "../survey/simulated.ts";
export { manifestSource, type ManifestSourceOptions } from "../survey/manifest.ts";
export { folderSource, type FolderSourceOptions } from "../survey/folder.ts";
export {
  detectSourceKind,
  openSource,
  registerSource,
  type SourceDetector,
  sourceKinds,
  type SourceOpener,
  type SourceOptions,
} from "../survey/open_source.ts";
// Ingest and the store
export {
  ingest,
  type IngestOptions,
  type IngestReport,
  type ProblemCount,
  summaryLine,
} from "./ingest.ts";
export {
  openStore,
  type OpenStoreOptions,
  openStoreSync,
  Store,
  StoreError,
  type StoreObject,
} from "./store.ts";
export type { StoreDtype, StoreIndex, StoreLayout, StoreObjectEntry } from "./store_format.ts";
// Batches
export type { Batch } from "./batch.ts";
export {
  type BatchStream,
  epochBatches,
  type EpochOptions,
  evalBatches,
  type LoaderOptions,
  planEpoch,
} from "./loader.ts";
export {
  checkSplit,
  loadSplit,
  makeSplit,
  saveSplit,
  type Split,
  type SplitObject,
  type SplitOptions,
  type StageSplit,
  trainingIds,
} from "./split.ts";
export {
  computeNormalization,
  loadNormalization,
  type Normalization,
  type NormalizationOptions,
  saveNormalization,
} from "./normalization.ts";
export {
  type ClassTarget,
  epochPlan,
  planCounts,
  type PlanEntry,
  type PlanOptions,
} from "./balance.ts";
export { type AugmentConfig, DEFAULT_AUGMENT } from "./augment.ts";
export { DEFAULT_TRUNCATE, type TruncateConfig, truncatedCount } from "./truncate.ts";
export {
  brightestFrame,
  DEFAULT_LENGTH,
  type ReformatOptions,
  reformatSeries,
  selectEvalWindow,
  selectTrainWindow,
  type TrainWindowOptions,
} from "./reformat.ts";
export { brightnessScore, fitStamp, type FittedStamp } from "./stamp.ts";
