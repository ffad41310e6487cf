/**
 * Classification metrics from true labels and predicted class probabilities:
 * accuracy, balanced accuracy, per-class precision / recall / F1, macro F1,
 * confusion matrix, one-vs-rest ROC AUC, expected calibration error and log
 * loss.
 *
 * Conventions (the same as scikit-learn's defaults, so numbers compare):
 * - the predicted class is the argmax of the probabilities (first on ties);
 * - precision of a class never predicted, recall of a class with no sample and
 *   F1 with precision + recall = 0 are 0;
 * - balanced accuracy is the mean recall over classes present in the labels;
 * - macro F1 and macro ROC AUC average over the classes present in the labels
 *   or the predictions (F1) / with both positives and negatives (AUC);
 * - ECE uses 15 equal-width confidence bins.
 *
 * @module
 */
import { rocAuc } from "./roc_auc.ts";
import { type CalibrationBin, expectedCalibrationError } from "./calibration.ts";
import type { MetricIntervals, SniaReport } from "./intervals.ts";

/** How an evaluation was made. */
export interface EvalProtocol {
  /** The test set (e.g. `paper protocol: 10 % of confirmed objects (split seed 1)`). */
  testSet: string;
  /** The epochs each object showed the model (e.g. `48 frames around the brightest`). */
  window: string;
  /** Training seed of the run. */
  seed: number;
  /** Days after the first epoch the series were cut at (absent: not cut). */
  cutDays?: number;
}

/** Temperature scaling applied to the probabilities, and the metrics before it. */
export interface CalibrationInfo {
  /** The temperature dividing the logits (fitted on the validation objects). */
  temperature: number;
  /** Validation objects it was fitted on. */
  fittedOn: number;
  /** ECE of the unscaled probabilities (T = 1). */
  eceBefore: number;
  /** Log loss of the unscaled probabilities. */
  logLossBefore: number;
  /** Reliability table of the unscaled probabilities. */
  calibrationBefore: CalibrationBin[];
}

/** Metrics of one class. */
export interface ClassMetrics {
  /** Class name. */
  name: string;
  /** Number of samples of this class (true label). */
  support: number;
  /** Number of samples predicted as this class. */
  predicted: number;
  /** TP / (TP + FP); 0 when never predicted. */
  precision: number;
  /** TP / (TP + FN); 0 when no sample. */
  recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  f1: number;
  /** One-vs-rest ROC AUC of this class's probability; null when undefined. */
  rocAuc: number | null;
}

/** All metrics of one evaluation. */
export interface Metrics {
  /** Number of samples. */
  n: number;
  /** Class names, in class-index order. */
  classes: string[];
  /** Fraction of correct argmax predictions. */
  accuracy: number;
  /** Mean recall over classes present in the labels. */
  balancedAccuracy: number;
  /** Mean F1 over classes present in the labels or the predictions. */
  macroF1: number;
  /** Support-weighted mean F1. */
  weightedF1: number;
  /** Mean one-vs-rest ROC AUC over classes where it is defined; null if none. */
  macroRocAuc: number | null;
  /** Expected calibration error (15 equal-width bins on the max probability). */
  ece: number;
  /** Number of bins used for {@link Metrics.ece}. */
  eceBins: number;
  /** Per-bin reliability table behind the ECE. */
  calibration: CalibrationBin[];
  /** Mean negative log-likelihood of the true class (probabilities clipped at 1e-15). */
  logLoss: number;
  /** Per-class metrics, in class-index order. */
  perClass: ClassMetrics[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** 95 % intervals (set by the evaluation; absent in metrics files made before them). */
  intervals?: MetricIntervals;
  /** SN Ia efficiency, purity, AUC (null when the classes have no SN Ia). */
  snia?: SniaReport | null;
  /** What was evaluated, how (set by the evaluation). */
  protocol?: EvalProtocol;
  /** Temperature scaling behind the probabilities (absent: unscaled). */
  temperatureScaling?: CalibrationInfo;
}

/** Index of the largest value of `row` (the first one on ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/**
 * Computes every metric from labels and probabilities.
 *
 * @param labels True class index per sample (0..C-1).
 * @param probs Class probabilities per sample: an array of rows, or a flat
 *   row-major array of N x C values.
 * @param classes Class names (C of them).
 * @example
 * ```ts
 * import { computeMetrics } from "./metrics.ts";
 * const m = computeMetrics([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]], ["a", "b"]);
 * m.accuracy; // 2/3
 * m.confusion; // [[1, 0], [1, 1]]
 * ```
 */
export function computeMetrics(
  labels: ArrayLike<number>,
  probs: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
  classes: readonly string[],
): Metrics {
  const n = labels.length;
  const c = classes.length;
  const rows = toRows(probs, n, c);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= c) {
      throw new RangeError(`computeMetrics: label ${y} of sample ${i} is not in 0..${c - 1}`);
    }
  }
  const pred = rows.map((r) => argmax(r));
  const confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < n; i++) confusion[labels[i]!]![pred[i]!]!++;

  let correct = 0;
  for (let k = 0; k < c; k++) correct += confusion[k]![k]!;
  const perClass: ClassMetrics[] = [];
  for (let k = 0; k < c; k++) {
    const tp = confusion[k]![k]!;
    let support = 0, predicted = 0;
    for (let j = 0; j < c; j++) {
      support += confusion[k]![j]!;
      predicted += confusion[j]![k]!;
    }
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
    const scores = rows.map((r) => r[k]!);
    const positive = Array.from(labels, (y) => y === k);
    perClass.push({
      name: classes[k]!,
      support,
      predicted,
      precision,
      recall,
      f1,
      rocAuc: rocAuc(scores, positive),
    });
  }
  const present = perClass.filter((p) => p.support > 0);
  const presentOrPredicted = perClass.filter((p) => p.support > 0 || p.predicted > 0);
  const aucs = perClass.map((p) => p.rocAuc).filter((a): a is number => a !== null);
  const cal = expectedCalibrationError(
    rows.map((r, i) => r[pred[i]!]!),
    pred.map((p, i) => p === labels[i]),
    15,
  );
  let nll = 0;
  for (let i = 0; i < n; i++) nll -= Math.log(Math.max(1e-15, rows[i]![labels[i]!]!));
  return {
    n,
    classes: [...classes],
    accuracy: n ? correct / n : 0,
    balancedAccuracy: mean(present.map((p) => p.recall)),
    macroF1: mean(presentOrPredicted.map((p) => p.f1)),
    weightedF1: n ? perClass.reduce((s, p) => s + p.f1 * p.support, 0) / n : 0,
    macroRocAuc: aucs.length ? mean(aucs) : null,
    ece: cal.ece,
    eceBins: cal.bins,
    calibration: cal.table,
    logLoss: n ? nll / n : 0,
    perClass,
    confusion,
  };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function toRows(
  probs: ArrayLike<number> | ArrayLike<ArrayLike<number>>,
  n: number,
  c: number,
): ArrayLike<number>[] {
  if (probs.length === n * c && (n === 0 || typeof probs[0] === "number")) {
    const flat = probs as ArrayLike<number>;
    return Array.from({ length: n }, (_, i) => {
      const r = new Float64Array(c);
      for (let k = 0; k < c; k++) r[k] = flat[i * c + k]!;
      return r;
    });
  }
  if (probs.length !== n) {
    throw new RangeError(`computeMetrics: ${n} labels but ${probs.length} probability rows`);
  }
  const rows = Array.from(probs as ArrayLike<ArrayLike<number>>);
  for (let i = 0; i < n; i++) {
    if (rows[i]!.length !== c) {
      throw new RangeError(
        `computeMetrics: row ${i} has ${rows[i]!.length} probabilities for ${c} classes`,
      );
    }
  }
  return rows;
}
