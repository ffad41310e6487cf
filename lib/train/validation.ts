/**
 * The validation numbers the training loop needs each epoch (loss, accuracy,
 * balanced accuracy, macro F1), with the same conventions as
 * `lib/eval/metrics.ts` (which a test checks), kept here so that training
 * does not depend on the evaluation layer.
 *
 * @module
 */

/** Validation summary of one epoch. */
export interface ValidationScores {
  /** Number of objects. */
  n: number;
  /** Mean cross-entropy of the true class. */
  loss: number;
  /** Fraction correct (argmax). */
  accuracy: number;
  /** Mean recall over classes present in the labels. */
  balancedAccuracy: number;
  /** Mean F1 over classes present in the labels or the predictions. */
  macroF1: number;
}

/**
 * Scores from labels, argmax predictions and the summed loss.
 *
 * @param labels True class per object.
 * @param preds Predicted class per object.
 * @param lossSum Sum over objects of the loss.
 * @param numClasses Number of classes.
 */
export function validationScores(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  lossSum: number,
  numClasses: number,
): ValidationScores {
  const n = labels.length;
  const tp = new Array<number>(numClasses).fill(0);
  const support = new Array<number>(numClasses).fill(0);
  const predicted = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!, p = preds[i]!;
    support[y]!++;
    predicted[p]!++;
    if (y === p) tp[y]!++;
  }
  let correct = 0, recallSum = 0, present = 0, f1Sum = 0, f1Classes = 0;
  for (let k = 0; k < numClasses; k++) {
    correct += tp[k]!;
    const precision = predicted[k]! ? tp[k]! / predicted[k]! : 0;
    const recall = support[k]! ? tp[k]! / support[k]! : 0;
    if (support[k]! > 0) {
      recallSum += recall;
      present++;
    }
    if (support[k]! > 0 || predicted[k]! > 0) {
      f1Sum += precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
      f1Classes++;
    }
  }
  return {
    n,
    loss: n ? lossSum / n : NaN,
    accuracy: n ? correct / n : 0,
    balancedAccuracy: present ? recallSum / present : 0,
    macroF1: f1Classes ? f1Sum / f1Classes : 0,
  };
}
