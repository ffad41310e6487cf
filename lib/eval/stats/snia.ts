/**
 * SN Ia selection metrics as supernova cosmology uses them (one class
 * against the rest): efficiency (recall) and purity (precision) of the Ia
 * sample taken at the argmax or at a probability threshold, the Ia-vs-rest
 * ROC AUC, and the purity reached at a given efficiency (90 % by default).
 *
 * @module
 */
import { rocAuc, rocCurve } from "../roc_auc.ts";

/** Efficiency and purity of one selection. */
export interface Selection {
  /** Objects selected (called Ia). */
  selected: number;
  /** True Ia among them. */
  truePositives: number;
  /** True Ia in the data. */
  positives: number;
  /** truePositives / positives (NaN without Ia). */
  efficiency: number;
  /** truePositives / selected (NaN when nothing is selected). */
  purity: number;
}

/** The SN Ia metrics of one evaluation. */
export interface SniaMetrics {
  /** Class index taken as Ia. */
  classIndex: number;
  /** Selection by argmax. */
  argmax: Selection;
  /** Threshold on P(Ia) of {@link SniaMetrics.atThreshold}. */
  threshold: number;
  /** Selection by P(Ia) >= threshold. */
  atThreshold: Selection;
  /** Ia-vs-rest ROC AUC of P(Ia) (null without Ia or without non-Ia). */
  rocAuc: number | null;
  /** The efficiency asked for {@link SniaMetrics.purityAtEfficiency}. */
  targetEfficiency: number;
  /** Purity at the highest threshold reaching the target efficiency (null without Ia). */
  purityAtEfficiency: number | null;
}

function selection(selected: ArrayLike<boolean>, isIa: ArrayLike<boolean>): Selection {
  let sel = 0, tp = 0, pos = 0;
  for (let i = 0; i < isIa.length; i++) {
    if (isIa[i]) pos++;
    if (selected[i]) {
      sel++;
      if (isIa[i]) tp++;
    }
  }
  return {
    selected: sel,
    truePositives: tp,
    positives: pos,
    efficiency: pos ? tp / pos : NaN,
    purity: sel ? tp / sel : NaN,
  };
}

/**
 * Purity at the highest P(Ia) threshold whose efficiency reaches `target`.
 *
 * @param scores P(Ia) per object.
 * @param isIa Whether each object is a true Ia.
 * @param target Efficiency to reach (0..1).
 */
export function purityAtEfficiency(
  scores: ArrayLike<number>,
  isIa: ArrayLike<boolean>,
  target = 0.9,
): number | null {
  let pos = 0;
  for (let i = 0; i < isIa.length; i++) if (isIa[i]) pos++;
  if (pos === 0) return null;
  const neg = isIa.length - pos;
  const curve = rocCurve(scores, isIa);
  if (curve.length === 0) return 1; // every object is Ia
  for (const p of curve) {
    if (p.tpr >= target - 1e-12) {
      const tp = p.tpr * pos, fp = p.fpr * neg;
      return tp / (tp + fp);
    }
  }
  return null;
}

/**
 * SN Ia efficiency and purity at the argmax and at a threshold, ROC AUC, and
 * purity at 90 % efficiency.
 *
 * @param labels True class per object.
 * @param probs Probability rows (one per object).
 * @param iaClass Index of the SN Ia class.
 * @param opts Threshold on P(Ia) (default 0.5) and target efficiency (default 0.9).
 * @example
 * ```ts
 * import { sniaMetrics } from "./snia.ts";
 * const m = sniaMetrics([1, 1, 0, 0], [[0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.9, 0.1]], 1);
 * console.log(m.argmax.efficiency, m.argmax.purity); // 0.5 0.5
 * ```
 */
export function sniaMetrics(
  labels: ArrayLike<number>,
  probs: readonly ArrayLike<number>[],
  iaClass: number,
  opts: { threshold?: number; targetEfficiency?: number } = {},
): SniaMetrics {
  const isIa = Array.from(labels, (y) => y === iaClass);
  const scores = probs.map((r) => r[iaClass]!);
  const byArgmax = probs.map((r) => {
    let best = 0;
    for (let k = 1; k < r.length; k++) if (r[k]! > r[best]!) best = k;
    return best === iaClass;
  });
  const threshold = opts.threshold ?? 0.5;
  const target = opts.targetEfficiency ?? 0.9;
  return {
    classIndex: iaClass,
    argmax: selection(byArgmax, isIa),
    threshold,
    atThreshold: selection(scores.map((s) => s >= threshold), isIa),
    rocAuc: rocAuc(scores, isIa),
    targetEfficiency: target,
    purityAtEfficiency: purityAtEfficiency(scores, isIa, target),
  };
}

/** The index of the SN Ia class among `classes` (`SNIa`, `Ia`, `SN Ia`...), or -1. */
export function sniaClassIndex(classes: readonly string[]): number {
  return classes.findIndex((c) => /^(sn)?[\s_-]?ia$/i.test(c.trim()));
}
