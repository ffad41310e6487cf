/**
 * Sersic profiles as mixtures of concentric Gaussians (the idea of Hogg &
 * Lang 2013, PASP 125, 719): the profile I(r) = exp(-b_n ((r/r_e)^(1/n) - 1))
 * is fitted, for any index n, by non-negative amplitudes on a fixed ladder of
 * log-spaced Gaussian widths, minimising the flux-weighted squared error
 * (weight 2 pi r dr) out to 8 r_e (the profile is truncated there, as Hogg &
 * Lang truncate theirs). A mixture convolved with a Gaussian PSF mixture is
 * again a Gaussian mixture, so hosts render analytically.
 *
 * @module
 */
import { nnls } from "./nnls.ts";
import { SERSIC_TABLE } from "./sersic_table.ts";

/** One circular Gaussian component of a unit-flux profile, lengths in units of r_e. */
export interface MixtureComponent {
  /** Fraction of the total flux (the amplitudes sum to 1). */
  amp: number;
  /** Variance in units of r_e^2. */
  variance: number;
}

/** b_n of the Sersic profile (Ciotti & Bertin 1999 asymptotic series; exact to 1e-6 for n >= 0.5). */
export function sersicB(n: number): number {
  return 2 * n - 1 / 3 + 4 / (405 * n) + 46 / (25515 * n * n) + 131 / (1148175 * n * n * n) -
    2194697 / (30690717750 * n * n * n * n);
}

/** Surface brightness of a Sersic profile at radius r (units of r_e), 1 at r = r_e. */
export function sersicProfile(r: number, n: number): number {
  return Math.exp(-sersicB(n) * (Math.pow(r, 1 / n) - 1));
}

/** Truncation radius of the fitted profiles, in r_e. */
export const SERSIC_TRUNCATION = 8;
const LADDER_MIN = -3.2; // log10 of the smallest sigma (r_e)
const LADDER_MAX = 0.9; // log10 of the largest sigma (r_e)
const LADDER_SIZE = 14;
/** Components carrying less than this fraction of the flux are dropped and the rest refitted. */
const MIN_AMP = 2e-3;

const cache = new Map<number, MixtureComponent[]>();

/**
 * Fits the unit-flux Gaussian mixture of a Sersic profile of index `n` (the
 * fit behind {@link sersicMixture}; about 50 ms).
 */
export function fitSersicMixture(n: number): MixtureComponent[] {
  // Radial sample points: a log-spaced inner part resolves the cusp of high-n profiles,
  // a linear part covers the body; weights are 2 pi r dr (flux weighting).
  const rs: number[] = [], ws: number[] = [];
  const nLog = 120;
  const rLogMin = 1e-4, rLogMax = 0.2;
  for (let i = 0; i < nLog; i++) {
    const a = rLogMin * Math.pow(rLogMax / rLogMin, i / nLog);
    const b = rLogMin * Math.pow(rLogMax / rLogMin, (i + 1) / nLog);
    rs.push(Math.sqrt(a * b));
    ws.push(2 * Math.PI * Math.sqrt(a * b) * (b - a));
  }
  const nLin = 480, rEnd = SERSIC_TRUNCATION * 1.5;
  for (let i = 0; i < nLin; i++) {
    const a = rLogMax + (rEnd - rLogMax) * i / nLin,
      b = rLogMax + (rEnd - rLogMax) * (i + 1) / nLin;
    rs.push((a + b) / 2);
    ws.push(2 * Math.PI * ((a + b) / 2) * (b - a));
  }
  // Normalise the truncated profile to unit flux so amplitudes are flux fractions.
  let total = 0;
  for (let j = 0; j < rs.length; j++) {
    if (rs[j]! <= SERSIC_TRUNCATION) total += sersicProfile(rs[j]!, n) * ws[j]!;
  }
  let sigmas: number[] = [];
  for (let k = 0; k < LADDER_SIZE; k++) {
    sigmas.push(Math.pow(10, LADDER_MIN + (LADDER_MAX - LADDER_MIN) * k / (LADDER_SIZE - 1)));
  }
  for (let pass = 0; pass < 4; pass++) {
    const m = rs.length, kk = sigmas.length;
    const a = new Float64Array(m * kk), b = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const sw = Math.sqrt(ws[j]!);
      const r = rs[j]!;
      b[j] = r <= SERSIC_TRUNCATION ? sw * sersicProfile(r, n) / total : 0;
      for (let k = 0; k < kk; k++) {
        const v = sigmas[k]! * sigmas[k]!;
        a[j * kk + k] = sw * Math.exp(-r * r / (2 * v)) / (2 * Math.PI * v);
      }
    }
    const x = nnls(a, m, kk, b);
    let sum = 0;
    for (let k = 0; k < kk; k++) sum += x[k]!;
    const keep = sigmas.flatMap((s, k) => x[k]! / sum >= MIN_AMP ? [s] : []);
    if (keep.length === kk || pass === 3) {
      const comps = sigmas.flatMap((s, k) =>
        x[k]! > 0 ? [{ amp: x[k]! / sum, variance: s * s }] : []
      );
      const s2 = comps.reduce((t, c) => t + c.amp, 0);
      for (const c of comps) c.amp /= s2;
      // Rescale so that the mixture's half-light radius is exactly 1 r_e (truncation at 8 r_e
      // moves it inwards by up to 8 % for n = 4).
      const rh = mixtureHalfLightRadius(comps);
      for (const c of comps) c.variance /= rh * rh;
      return comps;
    }
    sigmas = keep;
  }
  throw new Error("unreachable");
}

/**
 * The unit-flux Gaussian mixture approximating a Sersic profile of index `n`
 * (lengths in units of the half-light radius), for n rounded to 0.1. The
 * fits for n = 0.5 to 6 are tabulated in sersic_table.ts (regenerate with
 * `deno run lib/simulate/sersic.ts`; a test checks the table against fresh
 * fits).
 *
 * @param n Sersic index, 0.5 to 6.
 */
export function sersicMixture(n: number): readonly MixtureComponent[] {
  if (!(n >= 0.5 && n <= 6)) throw new RangeError(`Sersic index ${n} outside 0.5..6`);
  const key = Math.round(n * 10);
  let m = cache.get(key);
  if (!m) {
    const row = SERSIC_TABLE[key - 5];
    m = row
      ? row.map(([amp, variance]) => ({ amp: amp!, variance: variance! }))
      : fitSersicMixture(key / 10);
    cache.set(key, m);
  }
  return m;
}

/** Radius (units of r_e) enclosing half the flux of a circular mixture. */
export function mixtureHalfLightRadius(mix: readonly MixtureComponent[]): number {
  const enclosed = (r: number) =>
    mix.reduce((s, c) => s + c.amp * (1 - Math.exp(-r * r / (2 * c.variance))), 0);
  let lo = 0, hi = 20;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (enclosed(mid) < 0.5) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

if (import.meta.main) {
  // Prints sersic_table.ts: the fits for n = 0.5, 0.6, ..., 6.
  const rows: string[] = [];
  for (let k = 5; k <= 60; k++) {
    const m = fitSersicMixture(k / 10);
    rows.push(
      `  // n = ${(k / 10).toFixed(1)}\n  [${
        m.map((c) => `[${c.amp}, ${c.variance}]`).join(", ")
      }],`,
    );
  }
  console.log(`/**
 * Tabulated Sersic mixtures for n = 0.5, 0.6, ..., 6 ([flux fraction,
 * variance in r_e^2] per component), generated by
 * \`deno run lib/simulate/sersic.ts > lib/simulate/sersic_table.ts\`.
 *
 * @module
 */

/** Row k holds n = 0.5 + 0.1 k. */
export const SERSIC_TABLE: readonly (readonly (readonly number[])[])[] = [
${rows.join("\n")}
];`);
}
