/**
 * Statistics of an evaluation: binomial intervals and McNemar's test,
 * the seeded bootstrap, SN Ia selection metrics and temperature scaling.
 *
 * @module
 */
export * from "./binomial.ts";
export * from "./confusion_stats.ts";
export * from "./bootstrap.ts";
export * from "./snia.ts";
export * from "../../train/temperature.ts";
