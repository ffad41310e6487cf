/**
 * Seeded bootstrap over objects: percentile intervals of the statistics of a
 * confusion matrix (accuracy, balanced accuracy, macro F1, per-class recall),
 * and the paired bootstrap of an accuracy difference between two classifiers
 * on the same objects (the same resampled objects for both).
 *
 * Each resample draws n object indices with replacement from
 * `Rng.derive(seed, "eval/bootstrap")`; the interval is the (alpha/2,
 * 1 - alpha/2) percentile of the resampled statistic (type-7 quantile, as
 * numpy's default). Same seed, same data: same interval.
 *
 * @module
 */
import { Rng } from "../../util/rng.ts";
import type { Interval } from "./binomial.ts";
import { confusionOf, confusionStats } from "./confusion_stats.ts";

/** Options of the bootstrap functions. */
export interface BootstrapOptions {
  /** Resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

/** Bootstrap intervals of the confusion-matrix statistics. */
export interface BootstrapIntervals {
  /** Resamples drawn. */
  resamples: number;
  /** Seed used. */
  seed: number;
  /** Accuracy. */
  accuracy: Interval;
  /** Balanced accuracy. */
  balancedAccuracy: Interval;
  /** Macro F1. */
  macroF1: Interval;
  /** Recall per class (null for a class with no support in the data). */
  recall: (Interval | null)[];
}

/** Type-7 quantile of sorted values (linear interpolation, numpy's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h), hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function percentile(values: number[], level: number): Interval {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const a = (1 - level) / 2;
  return { lo: quantileSorted(s, a), hi: quantileSorted(s, 1 - a) };
}

/** Multiplicity of each object in each resample: calls `visit(counts)` per resample. */
function resampleCounts(
  n: number,
  opts: BootstrapOptions,
  visit: (counts: Uint32Array) => void,
): void {
  const rng = Rng.derive(opts.seed ?? 1, "eval/bootstrap");
  const counts = new Uint32Array(n);
  for (let r = 0; r < (opts.resamples ?? 2000); r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(rng.next() * n)]!++;
    visit(counts);
  }
}

/**
 * Percentile bootstrap intervals of accuracy, balanced accuracy, macro F1 and
 * per-class recall, resampling objects.
 *
 * @param labels True class per object.
 * @param preds Predicted class per object.
 * @param c Number of classes.
 * @param opts Resamples, seed, level.
 * @example
 * ```ts
 * import { bootstrapIntervals } from "./bootstrap.ts";
 * const b = bootstrapIntervals([0, 0, 1, 1], [0, 1, 1, 1], 2, { resamples: 200, seed: 3 });
 * console.log(b.accuracy, b.balancedAccuracy, b.recall);
 * ```
 */
export function bootstrapIntervals(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  c: number,
  opts: BootstrapOptions = {},
): BootstrapIntervals {
  const n = labels.length;
  const acc: number[] = [], bal: number[] = [], f1: number[] = [];
  const rec: number[][] = Array.from({ length: c }, () => []);
  resampleCounts(n, opts, (w) => {
    const s = confusionStats(confusionOf(labels, preds, c, w));
    acc.push(s.accuracy);
    bal.push(s.balancedAccuracy);
    f1.push(s.macroF1);
    s.recall.forEach((r, k) => rec[k]!.push(r));
  });
  const level = opts.level ?? 0.95;
  const support = confusionStats(confusionOf(labels, preds, c)).recall;
  return {
    resamples: opts.resamples ?? 2000,
    seed: opts.seed ?? 1,
    accuracy: percentile(acc, level),
    balancedAccuracy: percentile(bal, level),
    macroF1: percentile(f1, level),
    recall: rec.map((r, k) => Number.isNaN(support[k]!) ? null : percentile(r, level)),
  };
}

/** The paired difference of two accuracies on the same objects. */
export interface PairedDifference {
  /** Accuracy of A minus accuracy of B (observed). */
  difference: number;
  /** Paired bootstrap percentile interval of the difference. */
  interval: Interval;
  /** Resamples drawn. */
  resamples: number;
  /** Seed used. */
  seed: number;
}

/**
 * Paired bootstrap of acc(A) - acc(B) on the same objects: each resample
 * draws the same objects for both classifiers.
 *
 * @param rightA Whether A classified object i right.
 * @param rightB Whether B classified object i right.
 * @param opts Resamples, seed, level.
 */
export function pairedAccuracyDifference(
  rightA: ArrayLike<boolean>,
  rightB: ArrayLike<boolean>,
  opts: BootstrapOptions = {},
): PairedDifference {
  const n = rightA.length;
  if (rightB.length !== n) {
    throw new RangeError(`pairedAccuracyDifference: ${n} vs ${rightB.length} objects`);
  }
  const d = Array.from({ length: n }, (_, i) => (rightA[i] ? 1 : 0) - (rightB[i] ? 1 : 0));
  const diffs: number[] = [];
  resampleCounts(n, opts, (w) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i]! * d[i]!;
    diffs.push(n ? s / n : 0);
  });
  return {
    difference: n ? d.reduce((a, b) => a + b, 0) / n : 0,
    interval: percentile(diffs, opts.level ?? 0.95),
    resamples: opts.resamples ?? 2000,
    seed: opts.seed ?? 1,
  };
}
