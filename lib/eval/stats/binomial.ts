/**
 * Exact and score intervals for a binomial proportion (an accuracy k/n) and
 * the exact McNemar test of two classifiers on the same objects.
 *
 * - Wilson score interval (Wilson 1927): the interval of p whose score test
 *   does not reject at level alpha; closed form.
 * - Clopper-Pearson (1934): the exact interval, p_lo with P(X >= k | p_lo) =
 *   alpha/2 and p_hi with P(X <= k | p_hi) = alpha/2 (0 and 1 at the edges),
 *   found by bisection on the binomial tail (summed in log space, exact to
 *   1e-12 for n up to 10^5).
 * - McNemar exact (two-sided binomial on the discordant pairs): with b objects
 *   right by A only and c right by B only, p = min(1, 2 P(X <= min(b, c))) for
 *   X ~ Binomial(b + c, 1/2); 1 when b + c = 0.
 *
 * @module
 */

/** A two-sided confidence interval of a fraction. */
export interface Interval {
  /** Lower bound. */
  lo: number;
  /** Upper bound. */
  hi: number;
}

/** The standard normal quantile of p (1.959964 for p = 0.975). */
export function normalQuantile(p: number): number {
  // Acklam's rational approximation (relative error below 1.15e-9).
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p = ${p} is not in (0, 1)`);
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowP = 0.02425;
  let x: number;
  if (p < lowP) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - lowP) {
    const q = p - 0.5, r = q * q;
    x = (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}

function checkCounts(k: number, n: number, what: string): void {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || k < 0 || k > n) {
    throw new RangeError(`${what}: need integers 0 <= k <= n, got k = ${k}, n = ${n}`);
  }
}

/**
 * Wilson score interval of k successes in n trials (z = 1.959964 for 95 %).
 * n = 0 gives [0, 1].
 *
 * @example
 * ```ts
 * import { wilsonInterval } from "./binomial.ts";
 * const { lo, hi } = wilsonInterval(108, 116); // about [0.8697, 0.9645]
 * ```
 */
export function wilsonInterval(k: number, n: number, level = 0.95): Interval {
  checkCounts(k, n, "wilsonInterval");
  if (n === 0) return { lo: 0, hi: 1 };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = k / n, z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** log(n!) for 0..n, cached. */
const logFactCache: number[] = [0];
function logFact(n: number): number {
  for (let i = logFactCache.length; i <= n; i++) {
    logFactCache.push(logFactCache[i - 1]! + Math.log(i));
  }
  return logFactCache[n]!;
}

/** P(X <= k) for X ~ Binomial(n, p), summed in log space. */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const lp = Math.log(p), lq = Math.log1p(-p);
  let s = 0;
  for (let i = 0; i <= k; i++) {
    s += Math.exp(logFact(n) - logFact(i) - logFact(n - i) + i * lp + (n - i) * lq);
  }
  return Math.min(1, s);
}

/** Bisection for the p in (0, 1) where the decreasing function f crosses `target`. */
function solveDecreasing(f: (p: number) => number, target: number): number {
  let lo = 0, hi = 1;
  for (let it = 0; it < 200 && hi - lo > 1e-15; it++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Clopper-Pearson (exact) interval of k successes in n trials. n = 0 gives [0, 1].
 *
 * @example
 * ```ts
 * import { clopperPearsonInterval } from "./binomial.ts";
 * const { lo, hi } = clopperPearsonInterval(108, 116); // about [0.8686, 0.9698]
 * ```
 */
export function clopperPearsonInterval(k: number, n: number, level = 0.95): Interval {
  checkCounts(k, n, "clopperPearsonInterval");
  if (n === 0) return { lo: 0, hi: 1 };
  const a = (1 - level) / 2;
  // P(X >= k | p) = 1 - cdf(k - 1) increases with p; P(X <= k | p) decreases.
  const lo = k === 0 ? 0 : solveDecreasing((p) => binomialCdf(k - 1, n, p), 1 - a);
  const hi = k === n ? 1 : solveDecreasing((p) => binomialCdf(k, n, p), a);
  return { lo, hi };
}

/** Discordant counts of two classifiers on the same objects. */
export interface McNemarResult {
  /** Objects classified right by A and wrong by B. */
  b: number;
  /** Objects classified wrong by A and right by B. */
  c: number;
  /** Exact two-sided p-value. */
  p: number;
}

/**
 * Exact McNemar p-value from the discordant counts b (A right, B wrong) and c
 * (A wrong, B right): two-sided binomial test of b against Binomial(b + c, 1/2).
 *
 * @example
 * ```ts
 * import { mcnemarExact } from "./binomial.ts";
 * mcnemarExact(0, 3); // 0.25: three objects can never be significant
 * ```
 */
export function mcnemarExact(b: number, c: number): number {
  checkCounts(0, b, "mcnemarExact");
  checkCounts(0, c, "mcnemarExact");
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
}

/**
 * McNemar's test of two classifiers from per-object correctness (same objects,
 * same order).
 *
 * @param rightA Whether A classified object i right.
 * @param rightB Whether B classified object i right.
 */
export function mcnemarPaired(
  rightA: ArrayLike<boolean>,
  rightB: ArrayLike<boolean>,
): McNemarResult {
  if (rightA.length !== rightB.length) {
    throw new RangeError(`mcnemarPaired: ${rightA.length} vs ${rightB.length} objects`);
  }
  let b = 0, c = 0;
  for (let i = 0; i < rightA.length; i++) {
    if (rightA[i] && !rightB[i]) b++;
    else if (!rightA[i] && rightB[i]) c++;
  }
  return { b, c, p: mcnemarExact(b, c) };
}
