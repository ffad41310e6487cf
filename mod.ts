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
