/**
 * Exact ROC AUC for one binary problem (one class against the rest).
 *
 * The area under the ROC curve built with every distinct score as a
 * threshold and joined by straight segments (trapezoid rule) equals the
 * Mann-Whitney statistic with tied scores counted one half:
 * `AUC = (sum of positive midranks - P (P + 1) / 2) / (P N)`. Tied scores
 * between a positive and a negative therefore give the diagonal segment of
 * the trapezoid, as in scikit-learn's `roc_auc_score`.
 *
 * @module
 */

/**
 * ROC AUC of `scores` for the binary labels `positive` (true = positive).
 * Returns `null` when either class is absent (the AUC is undefined).
 *
 * @param scores A score per sample; higher means more likely positive.
 * @param positive Whether each sample is positive.
 * @example
 * ```ts
 * import { rocAuc } from "./roc_auc.ts";
 * rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]); // 0.75
 * ```
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  const n = scores.length;
  if (positive.length !== n) {
    throw new RangeError(`rocAuc: ${n} scores but ${positive.length} labels`);
  }
  let nPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => scores[a]! - scores[b]!);
  // Sum of the (1-based) midranks of the positives.
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midrank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (positive[order[k]!]) rankSum += midrank;
    i = j + 1;
  }
  return (rankSum - nPos * (nPos + 1) / 2) / (nPos * nNeg);
}

/** One point of a ROC curve. */
export interface RocPoint {
  /** False-positive rate. */
  fpr: number;
  /** True-positive rate. */
  tpr: number;
  /** The score threshold (score >= threshold is called positive). */
  threshold: number;
}

/**
 * The ROC curve: one point per distinct score (descending thresholds), starting
 * at (0, 0). Returns an empty list when either class is absent.
 *
 * @param scores A score per sample; higher means more likely positive.
 * @param positive Whether each sample is positive.
 */
export function rocCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): RocPoint[] {
  const n = scores.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return [];
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => scores[b]! - scores[a]!);
  const out: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0, fp = 0, i = 0;
  while (i < n) {
    const s = scores[order[i]!]!;
    while (i < n && scores[order[i]!] === s) {
      if (positive[order[i]!]) tp++;
      else fp++;
      i++;
    }
    out.push({ fpr: fp / nNeg, tpr: tp / nPos, threshold: s });
  }
  return out;
}
