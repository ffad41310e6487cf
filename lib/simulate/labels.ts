/**
 * Labels as in the paper's data (Bairouk et al., Table 1): class counts,
 * spectroscopic confirmation and photometric labels.
 *
 * - Catalogue labels keep the paper's proportions for any survey size:
 *   AGN 906, SN Ia 1988, Variable 3225, SN other 2130 of 8249 (largest
 *   remainder rounding).
 * - Confirmed: 540/1988 of the SN Ia labels and 89/2130 of the SN other
 *   labels; AGN and variables are all confirmed. Confirmed SNe are chosen
 *   like real follow-up, favouring bright objects: weighted sampling without
 *   replacement (Efraimidis & Spirakis 2006 keys u^(1/w)) with weight
 *   w = 1 / (1 + exp((r_peak - 20.5) / 0.4)) + 0.001 (a spectroscopic limit
 *   near r = 20.5-21; model choice).
 * - The plan's photometric labels of unconfirmed SNe are wrong with
 *   probability `photometricErrorRate` (default 8 %; Ia <-> other), errors
 *   favouring faint objects (weight 1 + max(0, r_peak - 20)), and the true
 *   class counts are set so that these labels would match the paper's counts.
 *   Since simulator 2.0 the catalogue label of an unconfirmed object is the
 *   photometric classifier's instead (lib/simulate/photo_class.ts, applied in
 *   `renderObject`); the plan's label remains only where no difference images
 *   are made.
 *
 * @module
 */
import { Rng } from "../util/rng.ts";
import type { SimClass } from "./params.ts";

/** The paper's classes in order, and their Table 1 counts. */
export const PAPER_COUNTS: readonly { cls: SimClass; count: number; confirmed: number }[] = [
  { cls: "AGN", count: 906, confirmed: 906 },
  { cls: "SNIa", count: 1988, confirmed: 540 },
  { cls: "Variable", count: 3225, confirmed: 3225 },
  { cls: "SNOther", count: 2130, confirmed: 89 },
];

/** Total number of objects of the paper's data set. */
export const PAPER_TOTAL = 8249;

/** Splits `n` objects over the paper's classes by largest remainder. */
export function classCounts(n: number): Record<SimClass, number> {
  const exact = PAPER_COUNTS.map((c) => (n * c.count) / PAPER_TOTAL);
  const base = exact.map(Math.floor);
  let left = n - base.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) =>
    b[0] - a[0] || a[1] - b[1]
  );
  for (const [, i] of order) {
    if (left <= 0) break;
    base[i] = base[i]! + 1;
    left--;
  }
  return Object.fromEntries(PAPER_COUNTS.map((c, i) => [c.cls, base[i]!])) as Record<
    SimClass,
    number
  >;
}

/** The labelling plan of a survey. */
export interface SurveyPlan {
  /** True class per object index. */
  trueClass: SimClass[];
  /** Catalogue label per object (spectroscopic if confirmed, else photometric). */
  label: SimClass[];
  /** Spectroscopic confirmation per object. */
  confirmed: boolean[];
}

/** Counts that define a plan. */
export interface PlanCounts {
  /** Catalogue label counts. */
  catalog: Record<SimClass, number>;
  /** True class counts. */
  truth: Record<SimClass, number>;
  /** Confirmed SN Ia and SN other. */
  confirmedIa: number;
  confirmedOther: number;
  /** True Ia labelled other, true other labelled Ia (unconfirmed). */
  iaToOther: number;
  otherToIa: number;
}

/** Computes the class, confirmation and mislabelling counts for `n` objects. */
export function planCounts(n: number, errorRate: number): PlanCounts {
  if (!(errorRate >= 0 && errorRate < 0.5)) {
    throw new RangeError(`photometric error rate ${errorRate} must be in [0, 0.5)`);
  }
  const catalog = classCounts(n);
  const confirmedIa = Math.round(catalog.SNIa * 540 / 1988);
  const confirmedOther = Math.round(catalog.SNOther * 89 / 2130);
  const pIa = catalog.SNIa - confirmedIa, pO = catalog.SNOther - confirmedOther;
  const u = pIa + pO;
  // Labelled Ia = T_Ia (1 - e) + T_O e  =>  T_Ia = (pIa - e U) / (1 - 2 e).
  const tIa = Math.min(u, Math.max(0, Math.round((pIa - errorRate * u) / (1 - 2 * errorRate))));
  const tO = u - tIa;
  let iaToOther = Math.round(errorRate * tIa);
  let otherToIa = pIa - (tIa - iaToOther);
  if (otherToIa < 0) {
    iaToOther -= otherToIa;
    otherToIa = 0;
  }
  if (otherToIa > tO) {
    iaToOther -= otherToIa - tO;
    otherToIa = tO;
  }
  return {
    catalog,
    truth: {
      AGN: catalog.AGN,
      SNIa: confirmedIa + tIa,
      Variable: catalog.Variable,
      SNOther: confirmedOther + tO,
    },
    confirmedIa,
    confirmedOther,
    iaToOther,
    otherToIa,
  };
}

/** Assigns the true class of every object index (a seeded shuffle of the true counts). */
export function assignTrueClasses(n: number, seed: number, errorRate: number): SimClass[] {
  const c = planCounts(n, errorRate).truth;
  const out: SimClass[] = [];
  for (const cls of ["AGN", "SNIa", "Variable", "SNOther"] as SimClass[]) {
    for (let i = 0; i < c[cls]; i++) out.push(cls);
  }
  return Rng.derive(seed, "classes").shuffle(out);
}

/** What the plan needs to know about each SN (from its parameters). */
export interface SnSelectionInfo {
  /** Peak model r magnitude. */
  peakMagR: number;
  /** Uniform draws from the object's own stream. */
  confirmDraw: number;
  mislabelDraw: number;
}

function topByKey(indices: number[], key: (i: number) => number, k: number): Set<number> {
  const sorted = [...indices].sort((a, b) => key(b) - key(a) || a - b);
  return new Set(sorted.slice(0, k));
}

/**
 * Builds the labelling plan.
 *
 * @param n Number of objects.
 * @param seed Survey seed.
 * @param errorRate Photometric mislabelling rate among unconfirmed SNe.
 * @param info Selection information of the SN at a given index.
 */
export function buildPlan(
  n: number,
  seed: number,
  errorRate: number,
  info: (index: number) => SnSelectionInfo,
): SurveyPlan {
  const counts = planCounts(n, errorRate);
  const trueClass = assignTrueClasses(n, seed, errorRate);
  const label = [...trueClass];
  const confirmed = trueClass.map((c) => c === "AGN" || c === "Variable");
  const ia = trueClass.flatMap((c, i) => c === "SNIa" ? [i] : []);
  const other = trueClass.flatMap((c, i) => c === "SNOther" ? [i] : []);
  const infos = new Map<number, SnSelectionInfo>();
  for (const i of [...ia, ...other]) infos.set(i, info(i));
  // Efraimidis-Spirakis: the k largest u^(1/w) are a weighted sample without replacement.
  const confirmKey = (i: number) => {
    const s = infos.get(i)!;
    const w = 1 / (1 + Math.exp((s.peakMagR - 20.5) / 0.4)) + 0.001;
    return Math.log(Math.max(s.confirmDraw, 1e-300)) / w;
  };
  const mislabelKey = (i: number) => {
    const s = infos.get(i)!;
    const w = 1 + Math.max(0, (Number.isFinite(s.peakMagR) ? s.peakMagR : 24) - 20);
    return Math.log(Math.max(s.mislabelDraw, 1e-300)) / w;
  };
  const confIa = topByKey(ia, confirmKey, counts.confirmedIa);
  const confO = topByKey(other, confirmKey, counts.confirmedOther);
  for (const i of confIa) confirmed[i] = true;
  for (const i of confO) confirmed[i] = true;
  const flipIa = topByKey(ia.filter((i) => !confIa.has(i)), mislabelKey, counts.iaToOther);
  const flipO = topByKey(other.filter((i) => !confO.has(i)), mislabelKey, counts.otherToIa);
  for (const i of flipIa) label[i] = "SNOther";
  for (const i of flipO) label[i] = "SNIa";
  return { trueClass, label, confirmed };
}
