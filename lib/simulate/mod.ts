/**
 * The Stripe 82 survey simulator (SDSS-II Supernova Survey, 2005-2007):
 * realistic ugriz image time series of SNe Ia, other SNe, AGN and variable
 * stars, written as FITS files plus a catalogue (docs/simulator.md).
 *
 * @example
 * ```ts
 * import { simulateObject } from "./mod.ts";
 * const obj = simulateObject(4, { objects: 30, seed: 2 });
 * console.log(obj.id, obj.label, obj.trueClass, obj.frames.length);
 * ```
 *
 * @module
 */
export {
  type SimFrame,
  type SimulatedObject,
  simulateObject,
  type SimulateObjectOptions,
} from "./object.ts";
export {
  type SimulateOptions,
  simulateSurvey,
  type SurveyManifest,
  type SurveySummary,
} from "./survey.ts";
export { DEFAULT_SURVEY, ensureDefaultSurvey } from "./default_survey.ts";
export { exampleFigure, stampStripSvg, type StripOptions } from "./figure.ts";
export { SIMULATOR_VERSION } from "./write.ts";
export type { ObjectParams, SimClass } from "./params.ts";
export type { Epoch, Night } from "./cadence.ts";
export type { HostParams } from "./host.ts";
export type { SnIaParams } from "./sn_ia.ts";
export type { CcParams, CcSubtype } from "./sn_cc.ts";
export type { AgnParams } from "./agn.ts";
export type { VariableParams, VariableSubtype } from "./variable_star.ts";
