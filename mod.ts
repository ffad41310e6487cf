/**
 * ConvEntion for Deno: classify astronomical objects (SNe Ia, other SNe, AGN,
 * variable stars) from time series of telescope images with the ConvEntion
 * model (convolutional attention, Bairouk et al. 2022/2023) on TensorFlow.js.
 *
 * The library reads FITS images and survey alerts, simulates a Stripe 82-like
 * survey, reformats series per band, trains in two stages and evaluates.
 *
 * @module
 */
export { ConventionError, UsageError } from "./lib/errors.ts";

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
// The in-memory form of an object
export { DEFAULT_CLASSES, type Frame, type ObjectSeries } from "./lib/survey/series.ts";
