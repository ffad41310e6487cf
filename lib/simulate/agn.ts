/**
 * Active galactic nuclei: a damped random walk (Ornstein-Uhlenbeck process)
 * in magnitude at the nucleus of a host galaxy (Kelly, Bechtold & Siemiginowska
 * 2009, ApJ 698, 895; MacLeod et al. 2010, ApJ 721, 1014, on Stripe 82
 * quasars).
 *
 * - Rest-frame time scale tau: log-normal, median 200 d, sigma(ln) 0.5
 *   (MacLeod+2010: tau ~ 200 d); observed tau = tau_rest (1 + z).
 * - Asymptotic structure function SF_inf in r: log-normal, median 0.2 mag,
 *   sigma(ln) 0.35 (MacLeod+2010: SF_inf ~ 0.2 mag).
 * - One driving process for all bands, scaled per band by
 *   (lambda_rest / lambda_rest,r)^-0.479 (MacLeod+2010: SF_inf proportional
 *   to lambda_rf^-0.479), so the nucleus is bluer when brighter.
 * - Structure function SF(dt) = SF_inf sqrt(1 - exp(-|dt| / tau)); the
 *   process has variance SF_inf^2 / 2.
 * - Nucleus spectrum: f_nu proportional to nu^-0.5 (Vanden Berk et al. 2001,
 *   AJ 122, 549: alpha_nu = -0.44), with the Lyman-alpha forest removing half
 *   the flux below 1216 A rest and everything below 912 A.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";

/**
 * Draws a damped random walk at the given times: x(t) with mean 0, variance
 * SF_inf^2 / 2 and correlation exp(-|dt| / tau), exactly (not by Euler steps).
 *
 * @param times Increasing times (days).
 * @param tau Damping time scale (days, same frame as `times`).
 * @param sfInf Asymptotic structure function (mag).
 * @param rng The seeded generator.
 * @returns The process at `times`.
 *
 * @example
 * ```ts
 * import { dampedRandomWalk } from "./agn.ts";
 * import { Rng } from "../util/rng.ts";
 * const x = dampedRandomWalk([0, 1, 2, 10], 200, 0.2, new Rng(1));
 * ```
 */
export function dampedRandomWalk(
  times: ArrayLike<number>,
  tau: number,
  sfInf: number,
  rng: Rng,
): Float64Array {
  const out = new Float64Array(times.length);
  const sigma = sfInf / Math.SQRT2;
  let x = rng.normal(0, sigma);
  for (let i = 0; i < times.length; i++) {
    if (i > 0) {
      const dt = times[i]! - times[i - 1]!;
      if (dt < 0) throw new RangeError("dampedRandomWalk: times must be increasing");
      const a = Math.exp(-dt / tau);
      x = a * x + sigma * Math.sqrt(Math.max(0, 1 - a * a)) * rng.normal();
    }
    out[i] = x;
  }
  return out;
}

/** The DRW structure function SF(dt) = SF_inf sqrt(1 - exp(-|dt| / tau)). */
export function drwStructureFunction(dt: number, tau: number, sfInf: number): number {
  return sfInf * Math.sqrt(1 - Math.exp(-Math.abs(dt) / tau));
}

/** Wavelength exponent of SF_inf (MacLeod+2010). */
export const AGN_SF_LAMBDA_POWER = -0.479;

/** Parameters of one AGN nucleus. */
export interface AgnParams {
  /** Rest-frame damping time, days. */
  tauRest: number;
  /** SF_inf in observed r, mag. */
  sfInfR: number;
  /** Mean observed r magnitude of the nucleus (before Galactic extinction). */
  meanMagR: number;
}

/** Draws the variability parameters and the mean nucleus magnitude. */
export function drawAgnParams(rng: Rng, meanMagR: number): AgnParams {
  return {
    tauRest: 200 * Math.exp(rng.normal(0, 0.5)),
    sfInfR: Math.min(0.6, 0.2 * Math.exp(rng.normal(0, 0.35))),
    meanMagR,
  };
}

/** Quasar-like continuum f_nu ~ lambda^0.5 with a Lyman-alpha forest, relative to 1 at `lambdaRef`. */
export function agnContinuum(lambdaRest: number, lambdaRef: number): number {
  let f = Math.pow(lambdaRest / lambdaRef, 0.5);
  if (lambdaRest < 912) f = 0;
  else if (lambdaRest < 1216) f *= 0.5;
  return f;
}
