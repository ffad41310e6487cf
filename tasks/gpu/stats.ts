/**
 * Small numeric helpers of the GPU check: medians of step times and the
 * backend-equivalence comparison (error relative to a tensor's largest
 * magnitude).
 *
 * @module
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("Median of an empty list");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The comparison of one tensor computed on two backends. */
export interface TensorComparison {
  /** Largest |reference| value (the scale of the tolerance). */
  maxAbsRef: number;
  /** Largest |candidate - reference|. */
  maxAbsDiff: number;
  /** maxAbsDiff / max(maxAbsRef, tiny): the error relative to the tensor's scale. */
  relErr: number;
  /** Whether relErr <= tol and every value is finite. */
  ok: boolean;
  /** Number of non-finite values in the candidate. */
  nonFinite: number;
}

/**
 * Compares a candidate tensor with a reference, relative to the reference's
 * largest magnitude (the model's backend-equivalence rule).
 *
 * @param candidate Values from the backend under test (e.g. webgpu).
 * @param reference Values from the reference backend (cpu).
 * @param tol Relative tolerance (1e-4 in the project).
 */
export function compareTensors(
  candidate: ArrayLike<number>,
  reference: ArrayLike<number>,
  tol: number,
): TensorComparison {
  if (candidate.length !== reference.length) {
    throw new RangeError(`Length mismatch: ${candidate.length} vs ${reference.length}`);
  }
  let maxAbsRef = 0;
  let maxAbsDiff = 0;
  let nonFinite = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = candidate[i]!;
    if (!Number.isFinite(c)) {
      nonFinite++;
      continue;
    }
    maxAbsRef = Math.max(maxAbsRef, Math.abs(r));
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(c - r));
  }
  // An all-zero reference (e.g. a gradient that is exactly 0) compares absolutely.
  const relErr = maxAbsDiff / Math.max(maxAbsRef, 1e-30);
  const ok = nonFinite === 0 && (maxAbsDiff === 0 || relErr <= tol);
  return { maxAbsRef, maxAbsDiff, relErr, ok, nonFinite };
}

/**
 * Extrapolated wall time of a full training from a measured step time:
 * ceil(objects / batch) steps per epoch times epochs (training steps only:
 * no evaluation or data loading).
 */
export function extrapolateTraining(
  msPerStep: number,
  objects: number,
  epochs: number,
  batch: number,
): { stepsPerEpoch: number; steps: number; minutes: number } {
  const stepsPerEpoch = Math.ceil(objects / batch);
  const steps = stepsPerEpoch * epochs;
  return { stepsPerEpoch, steps, minutes: (steps * msPerStep) / 60_000 };
}

/** Accuracy and balanced accuracy of predictions. */
export function accuracies(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  classes: number,
): {
  accuracy: number;
  balanced: number;
} {
  let correct = 0;
  const tp = new Array<number>(classes).fill(0), count = new Array<number>(classes).fill(0);
  for (let i = 0; i < truth.length; i++) {
    const y = truth[i]!;
    count[y] = (count[y] ?? 0) + 1;
    if (pred[i] === y) {
      correct++;
      tp[y] = (tp[y] ?? 0) + 1;
    }
  }
  const recalls = count.map((c, k) => (c > 0 ? tp[k]! / c : NaN)).filter((r) => !Number.isNaN(r));
  return {
    accuracy: truth.length > 0 ? correct / truth.length : NaN,
    balanced: recalls.length > 0 ? recalls.reduce((a, b) => a + b, 0) / recalls.length : NaN,
  };
}
