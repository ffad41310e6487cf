/**
 * Expected calibration error (Guo et al. 2017) with equal-width bins on the
 * confidence (the largest class probability).
 *
 * @module
 */

/** One confidence bin of a reliability diagram. */
export interface CalibrationBin {
  /** Lower edge (excluded, except 0 for the first bin). */
  lo: number;
  /** Upper edge (included). */
  hi: number;
  /** Samples whose confidence falls in the bin. */
  count: number;
  /** Mean confidence of those samples (0 when empty). */
  confidence: number;
  /** Fraction of them classified correctly (0 when empty). */
  accuracy: number;
}

/** Result of {@link expectedCalibrationError}. */
export interface Calibration {
  /** ECE = sum over bins of (count / N) * |accuracy - confidence|. */
  ece: number;
  /** Number of equal-width bins on [0, 1]. */
  bins: number;
  /** Per-bin statistics. */
  table: CalibrationBin[];
}

/**
 * Expected calibration error over `bins` equal-width bins (default 15, as in
 * Guo et al. 2017). Bin b holds confidences in (b/B, (b+1)/B]; a confidence
 * of exactly 0 goes to the first bin.
 *
 * @param confidence Largest predicted probability per sample.
 * @param correct Whether the predicted class (the argmax) was right.
 * @param bins Number of bins.
 * @example
 * ```ts
 * import { expectedCalibrationError } from "./calibration.ts";
 * expectedCalibrationError([0.9, 0.9], [true, false]).ece; // 0.4
 * ```
 */
export function expectedCalibrationError(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 15,
): Calibration {
  const n = confidence.length;
  if (correct.length !== n) {
    throw new RangeError(`expectedCalibrationError: ${n} confidences but ${correct.length} flags`);
  }
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const c = confidence[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    count[b]!++;
    conf[b]! += c;
    if (correct[i]) hits[b]!++;
  }
  let ece = 0;
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const k = count[b]!;
    const meanConf = k ? conf[b]! / k : 0;
    const acc = k ? hits[b]! / k : 0;
    if (n) ece += (k / n) * Math.abs(acc - meanConf);
    table.push({ lo: b / bins, hi: (b + 1) / bins, count: k, confidence: meanConf, accuracy: acc });
  }
  return { ece, bins, table };
}
