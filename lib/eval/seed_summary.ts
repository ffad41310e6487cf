/**
 * Several training seeds of one model on the same split, summarised: the
 * per-seed values of accuracy, balanced accuracy and macro F1, their mean and
 * sample standard deviation.
 *
 * @module
 */
import type { Metrics } from "./metrics.ts";

/** The test metrics of one seed. */
export interface SeedValue {
  /** Training (initialisation) seed. */
  seed: number;
  /** Accuracy. */
  accuracy: number;
  /** Balanced accuracy. */
  balancedAccuracy: number;
  /** Macro F1. */
  macroF1: number;
  /** Test objects. */
  n: number;
  /** Run folder. */
  run: string;
}

/** Mean and sample standard deviation (n - 1; 0 for one value). */
export interface MeanSd {
  /** Mean. */
  mean: number;
  /** Sample standard deviation. */
  sd: number;
}

/** The summary of several seeds. */
export interface SeedSummary {
  /** One entry per seed, in seed order. */
  perSeed: SeedValue[];
  /** Accuracy over seeds. */
  accuracy: MeanSd;
  /** Balanced accuracy over seeds. */
  balancedAccuracy: MeanSd;
  /** Macro F1 over seeds. */
  macroF1: MeanSd;
}

/** Mean and sample standard deviation of `xs`. */
export function meanSd(xs: readonly number[]): MeanSd {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const v = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, sd: Math.sqrt(v) };
}

/**
 * Summarises the metrics of several seeds.
 *
 * @example
 * ```ts
 * import { summarizeSeeds } from "./seed_summary.ts";
 * const m = (accuracy: number) => ({ accuracy, balancedAccuracy: accuracy, macroF1: accuracy, n: 10 });
 * const s = summarizeSeeds([{ seed: 1, run: "a", metrics: m(0.8) }, { seed: 2, run: "b", metrics: m(0.6) }]);
 * console.log(s.accuracy); // mean 0.7, sd 0.1414
 * ```
 */
export function summarizeSeeds(
  runs: readonly {
    seed: number;
    run: string;
    metrics: Pick<Metrics, "accuracy" | "balancedAccuracy" | "macroF1" | "n">;
  }[],
): SeedSummary {
  const perSeed = runs.map((r) => ({
    seed: r.seed,
    accuracy: r.metrics.accuracy,
    balancedAccuracy: r.metrics.balancedAccuracy,
    macroF1: r.metrics.macroF1,
    n: r.metrics.n,
    run: r.run,
  })).sort((a, b) => a.seed - b.seed);
  return {
    perSeed,
    accuracy: meanSd(perSeed.map((s) => s.accuracy)),
    balancedAccuracy: meanSd(perSeed.map((s) => s.balancedAccuracy)),
    macroF1: meanSd(perSeed.map((s) => s.macroF1)),
  };
}

/** `79.3 ± 2.1 (77.6, 81.0, ...)` in percent. */
export function seedCell(m: MeanSd, values: readonly number[]): string {
  return `${(100 * m.mean).toFixed(1)} ± ${(100 * m.sd).toFixed(1)} (${
    values.map((v) => (100 * v).toFixed(1)).join(", ")
  })`;
}
