/**
 * Small numeric helpers of the GPU check: the backend-equivalence comparison (error relative to a tensor's largest
 * magnitude).
 *
 * @module
 */

/** The comparison of one tensor computed on two backends. */
export interface TensorComparison {
  /** Largest |reference| value (the scale of the tolerance). */
  maxAbsRef: number;
  /** Largest |candidate - reference|. */
  maxAbsDiff: number;
  /** maxAbsDiff / maxAbsRef: the error relative to the tensor's scale (0 for an exact-zero tensor). */
  relErr: number;
  /**
   * The reference is below `zeroAbs` everywhere: a gradient that is exactly zero in exact
   * arithmetic (a conv bias before training-mode BatchNorm, M's bias before the softmax), where
   * both backends give float32 noise; it passes when every candidate value is below `zeroAbs`.
   */
  exactZero: boolean;
  /** Whether it passed and every candidate value is finite. */
  ok: boolean;
  /** Number of non-finite values in the candidate. */
  nonFinite: number;
}

/**
 * Compares a candidate tensor with a reference with the model's
 * backend-equivalence rule: error <= `tol` of the reference's largest
 * magnitude; a reference below `zeroAbs` everywhere is an exact-zero
 * gradient and the candidate must stay below `zeroAbs` too.
 *
 * @param candidate Values from the backend under test (e.g. webgpu).
 * @param reference Values from the reference backend (cpu).
 * @param tol Relative tolerance (1e-4 in the project).
 * @param zeroAbs Absolute level under which a reference is "exactly zero" (1e-6 in the project).
 */
export function compareTensors(
  candidate: ArrayLike<number>,
  reference: ArrayLike<number>,
  tol: number,
  zeroAbs = 1e-6,
): TensorComparison {
  if (candidate.length !== reference.length) {
    throw new RangeError(`Length mismatch: ${candidate.length} vs ${reference.length}`);
  }
  let maxAbsRef = 0, maxAbsCand = 0, maxAbsDiff = 0, nonFinite = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = candidate[i]!;
    if (!Number.isFinite(c)) {
      nonFinite++;
      continue;
    }
    maxAbsRef = Math.max(maxAbsRef, Math.abs(r));
    maxAbsCand = Math.max(maxAbsCand, Math.abs(c));
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(c - r));
  }
  const exactZero = maxAbsRef < zeroAbs;
  const relErr = exactZero ? 0 : maxAbsDiff / maxAbsRef;
  const ok = nonFinite === 0 && (exactZero ? maxAbsCand <= zeroAbs : relErr <= tol);
  return { maxAbsRef, maxAbsDiff, relErr, exactZero, ok, nonFinite };
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
