/**
 * The uncertainty of an evaluation's metrics: the accuracy's exact
 * (Clopper-Pearson) and Wilson 95 % intervals, and seeded bootstrap
 * intervals over objects of balanced accuracy, macro F1 and per-class
 * recall; plus the SN Ia selection metrics with Wilson intervals on their
 * efficiency and purity. Computed once per evaluation and stored in
 * `eval/metrics.json` beside the point values.
 *
 * @module
 */
import {
  type BootstrapIntervals,
  bootstrapIntervals,
  type BootstrapOptions,
  clopperPearsonInterval,
  type Interval,
  sniaClassIndex,
  type SniaMetrics,
  sniaMetrics,
  wilsonInterval,
} from "./stats/mod.ts";

/** Intervals of the metrics of one evaluation. */
export interface MetricIntervals {
  /** Confidence level (0.95). */
  level: number;
  /** Accuracy, exact Clopper-Pearson interval. */
  accuracyClopperPearson: Interval;
  /** Accuracy, Wilson score interval. */
  accuracyWilson: Interval;
  /** Bootstrap over objects (accuracy, balanced accuracy, macro F1, recall per class). */
  bootstrap: BootstrapIntervals;
}

/** SN Ia metrics with Wilson intervals on the selections' efficiency and purity. */
export interface SniaReport extends SniaMetrics {
  /** Class name taken as SN Ia. */
  className: string;
  /** Wilson intervals: efficiency and purity at the argmax and at the threshold. */
  intervals: {
    argmaxEfficiency: Interval;
    argmaxPurity: Interval;
    thresholdEfficiency: Interval;
    thresholdPurity: Interval;
  };
}

/** The default bootstrap: 2000 resamples, seed 1. */
export const DEFAULT_BOOTSTRAP: Required<Omit<BootstrapOptions, "level">> = {
  resamples: 2000,
  seed: 1,
};

/**
 * The intervals of an evaluation from its labels and argmax predictions.
 *
 * @param labels True class per object.
 * @param preds Predicted class per object.
 * @param c Number of classes.
 * @param opts Bootstrap resamples and seed.
 */
export function metricIntervals(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  c: number,
  opts: BootstrapOptions = {},
): MetricIntervals {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === preds[i]) right++;
  const n = labels.length;
  return {
    level: 0.95,
    accuracyClopperPearson: clopperPearsonInterval(right, n),
    accuracyWilson: wilsonInterval(right, n),
    bootstrap: bootstrapIntervals(labels, preds, c, { ...DEFAULT_BOOTSTRAP, ...opts }),
  };
}

/**
 * The SN Ia report of an evaluation, or null when no class is named like
 * SN Ia (`SNIa`, `Ia`, `SN Ia`).
 *
 * @param labels True class per object.
 * @param probs Probability rows.
 * @param classes Class names.
 * @param threshold Threshold on P(Ia) (default 0.5).
 */
export function sniaReport(
  labels: ArrayLike<number>,
  probs: readonly ArrayLike<number>[],
  classes: readonly string[],
  threshold = 0.5,
): SniaReport | null {
  const k = sniaClassIndex(classes);
  if (k < 0) return null;
  const m = sniaMetrics(labels, probs, k, { threshold });
  return {
    ...m,
    className: classes[k]!,
    intervals: {
      argmaxEfficiency: wilsonInterval(m.argmax.truePositives, m.argmax.positives),
      argmaxPurity: wilsonInterval(m.argmax.truePositives, m.argmax.selected),
      thresholdEfficiency: wilsonInterval(m.atThreshold.truePositives, m.atThreshold.positives),
      thresholdPurity: wilsonInterval(m.atThreshold.truePositives, m.atThreshold.selected),
    },
  };
}
