/**
 * The confusion-matrix statistics that the bootstrap resamples: accuracy,
 * balanced accuracy, macro F1 and per-class recall, with the same conventions
 * as {@link ../metrics.ts} (balanced accuracy over the classes present in the
 * labels, macro F1 over the classes present in the labels or the predictions,
 * 0 for an undefined precision, recall or F1).
 *
 * @module
 */

/** Point statistics of one confusion matrix. */
export interface ConfusionStats {
  /** Objects. */
  n: number;
  /** Fraction right. */
  accuracy: number;
  /** Mean recall over classes with support. */
  balancedAccuracy: number;
  /** Mean F1 over classes with support or predictions. */
  macroF1: number;
  /** Recall per class (NaN for a class with no support). */
  recall: number[];
}

/** A confusion matrix `[true][predicted]` from labels and predictions. */
export function confusionOf(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  c: number,
  weights?: ArrayLike<number>,
): number[][] {
  if (labels.length !== preds.length) {
    throw new RangeError(`confusionOf: ${labels.length} labels but ${preds.length} predictions`);
  }
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]!]![preds[i]!]! += weights ? weights[i]! : 1;
  return m;
}

/** The statistics of a confusion matrix `[true][predicted]`. */
export function confusionStats(m: readonly (readonly number[])[]): ConfusionStats {
  const c = m.length;
  let n = 0, right = 0, recallSum = 0, present = 0, f1Sum = 0, f1Classes = 0;
  const recall: number[] = [];
  for (let k = 0; k < c; k++) {
    let support = 0, predicted = 0;
    for (let j = 0; j < c; j++) {
      support += m[k]![j]!;
      predicted += m[j]![k]!;
    }
    const tp = m[k]![k]!;
    n += support;
    right += tp;
    const r = support ? tp / support : NaN;
    recall.push(r);
    if (support) {
      recallSum += r;
      present++;
    }
    if (support || predicted) {
      const p = predicted ? tp / predicted : 0;
      const rr = support ? r : 0;
      f1Sum += p + rr > 0 ? 2 * p * rr / (p + rr) : 0;
      f1Classes++;
    }
  }
  return {
    n,
    accuracy: n ? right / n : 0,
    balancedAccuracy: present ? recallSum / present : 0,
    macroF1: f1Classes ? f1Sum / f1Classes : 0,
    recall,
  };
}
