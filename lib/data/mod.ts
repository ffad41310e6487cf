/**
 * The data pipeline: ingest into a packed store, reformatting (paper §3.1),
 * per-band normalisation, two-stage splits, balanced augmented epochs and
 * the batch loader.
 *
 * @module
 */
export { ingest, type IngestOptions, type IngestReport, summaryLine } from "./ingest.ts";
export { openStore, openStoreSync, Store, StoreError, type StoreObject } from "./store.ts";
export type { StoreDtype, StoreIndex, StoreObjectEntry } from "./store_format.ts";
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
  trainingIds,
} from "./split.ts";
export {
  computeNormalization,
  loadNormalization,
  type Normalization,
  saveNormalization,
} from "./normalization.ts";
export { type ClassTarget, epochPlan, planCounts, type PlanEntry } from "./balance.ts";
export { type AugmentConfig, DEFAULT_AUGMENT } from "./augment.ts";
export {
  DEFAULT_LENGTH,
  type ReformatOptions,
  reformatSeries,
  selectEvalWindow,
  selectTrainWindow,
} from "./reformat.ts";
export { brightnessScore, fitStamp } from "./stamp.ts";
