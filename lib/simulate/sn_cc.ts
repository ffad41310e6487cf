/**
 * Core-collapse and other non-Ia supernovae ("SN other"): types II-P, IIn and
 * Ib/c as cooling blackbody photospheres.
 *
 * Each subtype has a rest-frame V-band light-curve shape Delta m_V(t) and a
 * photospheric temperature T(t) (t = rest-frame days since explosion); the
 * spectrum is a blackbody at T(t) scaled to the V shape, with an ultraviolet
 * line-blanketing suppression, and finally normalised so that the brightest
 * rest-frame B magnitude equals the drawn peak M_B.
 *
 * Peak magnitudes (B band, mean and dispersion): II-P -16.8 +- 0.97, IIn
 * -18.6 +- 1.0, Ib/c -17.5 +- 1.0, after Richardson et al. 2014 (AJ 147, 118;
 * their IIn and Ibc dispersions, 1.48 and 1.2-1.4, are reduced to 1.0 here),
 * truncated at 2 sigma. Time scales (model choices after Anderson et al. 2014,
 * ApJ 786, 67 and Sanders et al. 2015, ApJ 799, 208 for II-P; Kiewe et al.
 * 2012, ApJ 744, 10 for IIn; Drout et al. 2011, ApJ 741, 97 for Ib/c): II-P
 * rise 7-15 d, plateau 80-120 d with 0-0.012 mag/day, a 1.5-2.5 mag drop over
 * about 20 d, then the 56Co tail at 0.0098 mag/day; IIn rise 15-40 d and
 * slow linear declines of 0.008-0.03 mag/day; Ib/c rise 10-15 d, fast decline
 * (Delta m15(V) about 0.8) and a tail at 0.02 mag/day. Temperatures fall from
 * about 14,000 K (II-P), 11,000 K (IIn) and 8,500 K (Ib/c) to 5,000-7,500 K.
 *
 * Observed mix of the class (model choice): II-P 65 % (standing for
 * II-P/L/b), IIn 10 %, Ib/c 25 %. Volume-limited rates (Li et al. 2011,
 * MNRAS 412, 1441: Ib/c 19 % and II 57 % of all SNe, IIn about 9 % of the
 * SNe II) give II 75 %, IIn 7 %, Ib/c 25 % of core-collapse SNe; a magnitude
 * limit favours the luminous IIn, so they are given 10 % of a magnitude-
 * limited sample here. The sub-type is fixed first; the detection cut then
 * acts on redshift and brightness only (params.ts).
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { planckNu, restBandB, type RestSpectrum, uvSuppression } from "./sed.ts";

/** Sub-types of "SN other". */
export type CcSubtype = "II-P" | "IIn" | "Ibc";

/** Sub-types and their fractions in the (detected) SN other class (model choice, see above). */
export const CC_MIX: readonly { subtype: CcSubtype; fraction: number }[] = [
  { subtype: "II-P", fraction: 0.65 },
  { subtype: "IIn", fraction: 0.1 },
  { subtype: "Ibc", fraction: 0.25 },
];

/** Parameters of one core-collapse supernova. */
export interface CcParams {
  /** Sub-type. */
  subtype: CcSubtype;
  /** Peak absolute rest-frame B magnitude (AB). */
  mB: number;
  /** Rest-frame days from explosion to V maximum. */
  rise: number;
  /** Fast-decline or plateau slope, mag/day. */
  slope: number;
  /** II-P: plateau length in days; Ibc: tail fraction; IIn: unused (0). */
  extra: number;
  /** II-P: size of the drop off the plateau, mag. */
  drop: number;
  /** Initial photospheric temperature, K. */
  t0: number;
  /** Final photospheric temperature, K. */
  t1: number;
  /** Cooling time scale, days. */
  tauT: number;
}

function truncNormal(rng: Rng, mean: number, sd: number, k = 2): number {
  for (;;) {
    const x = rng.normal(mean, sd);
    if (Math.abs(x - mean) <= k * sd) return x;
  }
}

/** Draws the parameters of a core-collapse SN of the given sub-type. */
export function drawCcParams(rng: Rng, subtype: CcSubtype): CcParams {
  switch (subtype) {
    case "II-P":
      return {
        subtype,
        mB: truncNormal(rng, -16.8, 0.97),
        rise: rng.uniform(7, 15),
        slope: rng.uniform(0, 0.012),
        extra: rng.uniform(80, 120),
        drop: rng.uniform(1.5, 2.5),
        t0: rng.uniform(12000, 16000),
        t1: rng.uniform(5000, 6000),
        tauT: rng.uniform(12, 25),
      };
    case "IIn":
      return {
        subtype,
        mB: truncNormal(rng, -18.6, 1.0),
        rise: rng.uniform(15, 40),
        slope: rng.uniform(0.008, 0.03),
        extra: 0,
        drop: 0,
        t0: rng.uniform(10000, 12000),
        t1: rng.uniform(6500, 8000),
        tauT: rng.uniform(40, 80),
      };
    case "Ibc":
      return {
        subtype,
        mB: truncNormal(rng, -17.5, 1.0),
        rise: rng.uniform(10, 15),
        slope: rng.uniform(0.05, 0.09),
        extra: rng.uniform(0.12, 0.22),
        drop: 0,
        t0: rng.uniform(7500, 9500),
        t1: rng.uniform(4500, 5500),
        tauT: rng.uniform(15, 25),
      };
  }
}

/** Rest-frame V-band magnitude offset from the V maximum at `t` days since explosion. */
export function ccShapeV(p: CcParams, t: number): number {
  if (t <= 0) return Infinity;
  if (t <= p.rise) {
    const x = t / p.rise;
    return -2.5 * Math.log10(x * x * Math.exp(2 * (1 - x)));
  }
  const u = t - p.rise;
  switch (p.subtype) {
    case "II-P": {
      // Plateau with a slow slope, a logistic drop of `drop` mag at the plateau end
      // (width 4 d), then the 56Co tail at 0.0098 mag/day.
      const end = p.extra;
      const plateau = p.slope * u;
      const dropFrac = 1 / (1 + Math.exp(-(t - end) / 4));
      const tail = Math.max(0, t - end) * 0.0098;
      return plateau + p.drop * dropFrac + tail;
    }
    case "IIn":
      return p.slope * u * u / (u + 10);
    case "Ibc": {
      const q = u * u / (u + 5);
      const f = (1 - p.extra) * Math.pow(10, -0.4 * p.slope * q) +
        p.extra * Math.pow(10, -0.4 * 0.02 * q);
      return -2.5 * Math.log10(f);
    }
  }
}

/** Photospheric temperature (K) at `t` days since explosion. */
export function ccTemperature(p: CcParams, t: number): number {
  return p.t1 + (p.t0 - p.t1) * Math.exp(-Math.max(0, t) / p.tauT);
}

function uvCut(p: CcParams, lambda: number): number {
  switch (p.subtype) {
    case "II-P":
      return uvSuppression(lambda, 4000, 2);
    case "IIn":
      return uvSuppression(lambda, 3500, 1);
    case "Ibc":
      return uvSuppression(lambda, 4500, 3);
  }
}

/**
 * A core-collapse SN as a function of rest-frame days since explosion:
 * returns the rest-frame spectrum (F10, nanomaggies at 10 pc), normalised so
 * that the peak rest-frame B magnitude is `p.mB`.
 */
export function ccModel(p: CcParams): (t: number) => RestSpectrum {
  const unscaled = (t: number): RestSpectrum => {
    const temp = ccTemperature(p, t);
    const fv = Math.pow(10, -0.4 * ccShapeV(p, t));
    const ref = planckNu(5500, temp) * uvCut(p, 5500);
    return (lambda: number) => fv * planckNu(lambda, temp) * uvCut(p, lambda) / ref;
  };
  // Brightest rest-frame B (always within the first 60 days: the V maximum is at most
  // 40 days and B peaks earlier as the photosphere cools): a 2-day grid, then a
  // golden-section search.
  let best = 0, tb = 1;
  for (let t = 1; t <= 61; t += 2) {
    const f = restBandB(unscaled(t));
    if (f > best) {
      best = f;
      tb = t;
    }
  }
  let lo = Math.max(0.05, tb - 2), hi = tb + 2;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 25; i++) {
    const m1 = hi - g * (hi - lo), m2 = lo + g * (hi - lo);
    if (restBandB(unscaled(m1)) > restBandB(unscaled(m2))) hi = m2;
    else lo = m1;
  }
  best = Math.max(best, restBandB(unscaled((lo + hi) / 2)));
  const amp = Math.pow(10, -0.4 * (p.mB - 22.5)) / best;
  return (t: number) => {
    if (t <= 0) return () => 0;
    const s = unscaled(t);
    return (lambda: number) => amp * s(lambda);
  };
}
