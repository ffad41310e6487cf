/**
 * Type Ia supernovae: a SALT2-like analytic spectro-photometric model.
 *
 * - Standardisation (Tripp 1998): M_B = -19.3 - alpha x1 + beta c + dM,
 *   alpha = 0.14, beta = 3.1 (Betoule et al. 2014, A&A 568, A22: alpha 0.141,
 *   beta 3.10), intrinsic scatter dM ~ N(0, 0.12).
 * - Stretch x1 ~ N(0, 1) and colour c ~ N(0, 0.1) (close to the SDSS/SNLS
 *   populations of Scolnic & Kessler 2016, ApJ 822, L35, without their tails).
 *   The time axis is stretched by s = 0.98 + 0.091 x1 + 0.003 x1^2 - 0.00075 x1^3
 *   (Guy et al. 2007, A&A 466, 11, SALT2 x1 to SiFTO-like stretch).
 * - Rest-frame light-curve shape per wavelength (model choice, tuned to the
 *   well-known features; a test measures them): B rise 18 days from explosion
 *   (Hayden et al. 2010, ApJ 712, 350: 17.4 +- 0.4 d), Delta m15(B) about 1.1,
 *   V peaking 1-2 d after B, I and z peaking about 3 d before B with a second
 *   maximum 25-30 days after B (Hamuy et al. 1996, AJ 112, 2438; Kasen 2006,
 *   ApJ 649, 939), R a shoulder near +22 d, late decline about 0.015 mag/day
 *   in B.
 * - Peculiar sub-classes in the volume-limited fractions of Li et al. 2011
 *   (MNRAS 412, 1441, LOSS: normal 70 %, 91bg-like 15 %, 91T-like 9 %,
 *   02cx-like = Iax 5 %; rounded), each off the Tripp relation (model
 *   choices after the review of Taubenberger 2017, Handbook of Supernovae):
 *   91bg-like M_B N(-17.6, 0.4), fast (x1 N(-2.5, 0.3)) and red (c N(0.45,
 *   0.1)); 91T-like M_B N(-19.55, 0.2), slow (x1 N(1, 0.4)) and blue (c
 *   N(-0.05, 0.05)); Iax M_B uniform in -18.5..-14.5 (Foley et al. 2013, ApJ
 *   767, 57: -14.2 to -18.9), x1 N(-1.5, 0.7), c N(0.1, 0.1).
 * - Spectrum at B maximum: a 11,000 K blackbody, suppressed below 4,000 A by
 *   metal-line blanketing ((lambda/4000)^2.5); the colour c applies the law
 *   CL(lambda) = 3.515 ((4400/lambda)^1.5 - 1) mag per unit c, which is 0 at B
 *   and -1 at V (so c is E(B-V)-like) and 1.44 at U (similar in shape to the
 *   SALT2 colour law; model choice).
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { planckNu, restBandB, type RestSpectrum, uvSuppression } from "./sed.ts";

/** Peak absolute B magnitude of a standard (x1 = 0, c = 0) SN Ia. */
export const SNIA_M0 = -19.3;
/** Tripp stretch coefficient (Betoule+2014). */
export const SNIA_ALPHA = 0.14;
/** Tripp colour coefficient (Betoule+2014). */
export const SNIA_BETA = 3.1;
/** Intrinsic magnitude scatter after standardisation. */
export const SNIA_SIGMA_INT = 0.12;
/** Rest-frame days from explosion to B maximum for s = 1 (Hayden+2010). */
export const SNIA_RISE_DAYS = 18;
/** Temperature of the blackbody at B maximum, K (model choice). */
export const SNIA_T_PEAK = 11000;

/** Parameters of one SN Ia. */
export interface SnIaParams {
  /** SALT2-like stretch parameter. */
  x1: number;
  /** SALT2-like colour parameter. */
  c: number;
  /** Peak absolute magnitude in rest-frame B (AB), after Tripp and scatter. */
  mB: number;
  /** Sub-class: Ia (normal), Ia-91bg, Ia-91T or Iax (default Ia). */
  subclass?: SnIaSubclass;
}

/** SN Ia sub-classes. */
export type SnIaSubclass = "Ia" | "Ia-91bg" | "Ia-91T" | "Iax";

/** Volume-limited fractions of the sub-classes (Li et al. 2011, rounded). */
export const SNIA_SUBCLASS_MIX: readonly { subclass: SnIaSubclass; fraction: number }[] = [
  { subclass: "Ia", fraction: 0.71 },
  { subclass: "Ia-91bg", fraction: 0.15 },
  { subclass: "Ia-91T", fraction: 0.09 },
  { subclass: "Iax", fraction: 0.05 },
];

/** Draws x1, c and M_B of a SN Ia of the given sub-class (see the module comment). */
export function drawSnIaSubclassParams(rng: Rng, subclass: SnIaSubclass): SnIaParams {
  const clip = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));
  switch (subclass) {
    case "Ia":
      return { ...drawSnIaParams(rng), subclass };
    case "Ia-91bg":
      return {
        x1: clip(rng.normal(-2.5, 0.3), -3.5, -1.5),
        c: clip(rng.normal(0.45, 0.1), 0.2, 0.8),
        mB: rng.normal(-17.6, 0.4),
        subclass,
      };
    case "Ia-91T":
      return {
        x1: clip(rng.normal(1, 0.4), 0, 2.5),
        c: clip(rng.normal(-0.05, 0.05), -0.2, 0.1),
        mB: rng.normal(-19.55, 0.2),
        subclass,
      };
    case "Iax":
      return {
        x1: clip(rng.normal(-1.5, 0.7), -3, 0.5),
        c: clip(rng.normal(0.1, 0.1), -0.1, 0.4),
        mB: rng.uniform(-18.5, -14.5),
        subclass,
      };
  }
}

/** Draws x1, c and M_B for one SN Ia. */
export function drawSnIaParams(rng: Rng): SnIaParams {
  const x1 = Math.max(-3, Math.min(3, rng.normal(0, 1)));
  const c = Math.max(-0.3, Math.min(0.5, rng.normal(0, 0.1)));
  const mB = SNIA_M0 - SNIA_ALPHA * x1 + SNIA_BETA * c + rng.normal(0, SNIA_SIGMA_INT);
  return { x1, c, mB };
}

/** Time stretch of the light curve for stretch parameter x1 (Guy+2007). */
export function stretchOf(x1: number): number {
  return 0.98 + 0.091 * x1 + 0.003 * x1 * x1 - 0.00075 * x1 * x1 * x1;
}

/** Rest-frame days from explosion to B maximum for stretch parameter x1. */
export function snIaRiseDays(x1: number): number {
  return SNIA_RISE_DAYS * stretchOf(x1);
}

/** Light-curve shape parameters at one anchor wavelength. */
interface Anchor {
  lambda: number;
  /** Time of the primary maximum relative to B maximum, days. */
  tMax: number;
  /** Late-time slope of the fast component, mag/day. */
  beta1: number;
  /** Flux fraction of the slow component at maximum. */
  tail: number;
  /** Late-time slope of the slow component, mag/day. */
  beta2: number;
  /** Second-maximum amplitude relative to the primary peak. */
  a2: number;
  /** Time of the second maximum relative to B maximum, days. */
  t2: number;
  /** Width (sigma) of the second maximum, days. */
  w2: number;
  /** Normalisation so that the shape is 1 at B maximum. */
  norm: number;
}

/** Days over which the decline turns from quadratic (at the peak) to linear in magnitude. */
const U0 = 5;

// lambda, tMax, beta1, tail, beta2, a2, t2, w2 (model choice, see the module comment;
// the measured Delta m15 and second maxima are listed in docs/simulator.md).
const ANCHOR_TABLE: readonly (readonly number[])[] = [
  [2500, -2.5, 0.16, 0.10, 0.022, 0, 0, 1],
  [3500, -2.0, 0.15, 0.12, 0.020, 0, 0, 1],
  [4400, 0.0, 0.13, 0.17, 0.015, 0, 0, 1],
  [5500, 1.5, 0.077, 0.30, 0.025, 0.05, 22, 7],
  [6500, 0.0, 0.09, 0.25, 0.028, 0.22, 22, 7],
  [8000, -3.0, 0.10, 0.20, 0.030, 0.42, 27, 7],
  [9500, -3.0, 0.10, 0.20, 0.030, 0.5, 29, 8],
  [12000, -3.0, 0.10, 0.20, 0.030, 0.5, 29, 8],
];

/**
 * The primary light curve (1 at its maximum): a t^2 fireball rise
 * x^2 exp(2 (1 - x)) with x = t / t_peak from explosion, then two declining
 * components whose magnitudes grow as beta u^2 / (u + u0) (u = days after
 * the peak: quadratic at the peak, linear later).
 */
function primary(a: Anchor, p: number): number {
  const tPeak = SNIA_RISE_DAYS + a.tMax;
  const t = p + SNIA_RISE_DAYS;
  if (t <= 0) return 0;
  if (t <= tPeak) {
    const x = t / tPeak;
    return x * x * Math.exp(2 * (1 - x));
  }
  const u = t - tPeak, q = u * u / (u + U0);
  return (1 - a.tail) * Math.pow(10, -0.4 * a.beta1 * q) +
    a.tail * Math.pow(10, -0.4 * a.beta2 * q);
}

function rawShape(a: Anchor, p: number): number {
  const t = p + SNIA_RISE_DAYS;
  if (t <= 0) return 0;
  // The second maximum grows in over the first 10 days, so nothing precedes explosion.
  return primary(a, p) + a.a2 * Math.exp(-0.5 * ((p - a.t2) / a.w2) ** 2) * Math.min(1, t / 10);
}

const ANCHORS: Anchor[] = ANCHOR_TABLE.map((row) => {
  const [lambda, tMax, beta1, tail, beta2, a2, t2, w2] = row as number[];
  const a: Anchor = {
    lambda: lambda!,
    tMax: tMax!,
    beta1: beta1!,
    tail: tail!,
    beta2: beta2!,
    a2: a2!,
    t2: t2!,
    w2: w2!,
    norm: 1,
  };
  a.norm = 1 / rawShape(a, 0);
  return a;
});

/**
 * Rest-frame light-curve shape at wavelength `lambda` (Angstrom) and phase `p`
 * (rest-frame days from B maximum, already divided by the stretch): 1 at
 * p = 0 for every wavelength, 0 before explosion (p = -18). Linear
 * interpolation between anchor wavelengths.
 */
export function snIaShape(lambda: number, p: number): number {
  if (p <= -SNIA_RISE_DAYS) return 0;
  const first = ANCHORS[0]!, last = ANCHORS[ANCHORS.length - 1]!;
  if (lambda <= first.lambda) return first.norm * rawShape(first, p);
  if (lambda >= last.lambda) return last.norm * rawShape(last, p);
  let k = 1;
  while (ANCHORS[k]!.lambda < lambda) k++;
  const a = ANCHORS[k - 1]!, b = ANCHORS[k]!;
  const f = (lambda - a.lambda) / (b.lambda - a.lambda);
  return (1 - f) * a.norm * rawShape(a, p) + f * b.norm * rawShape(b, p);
}

/** Colour law in magnitudes per unit c (0 at 4400 A, -1 at 5500 A). */
export function snIaColourLaw(lambda: number): number {
  return 3.515 * (Math.pow(4400 / lambda, 1.5) - 1);
}

/** Spectral shape at B maximum for c = 0 (unnormalised f_nu). */
function peakSed(lambda: number): number {
  return planckNu(lambda, SNIA_T_PEAK) * uvSuppression(lambda, 4000, 2.5);
}

/** Amplitude that makes the rest-frame B magnitude at B maximum equal M_B. */
function snIaAmplitude(p: SnIaParams): number {
  const atPeak = restBandB((l) =>
    peakSed(l) * Math.pow(10, -0.4 * p.c * snIaColourLaw(l)) * snIaShape(l, 0)
  );
  return Math.pow(10, -0.4 * (p.mB - 22.5)) / atPeak;
}

/**
 * A SN Ia as a function of rest-frame phase: returns the rest-frame spectrum
 * (F10, nanomaggies at 10 pc) at `phase` rest-frame days from B maximum
 * (the stretch is applied inside).
 *
 * @example
 * ```ts
 * import { snIaModel } from "./sn_ia.ts";
 * import { restBandB } from "./sed.ts";
 * const model = snIaModel({ x1: 0, c: 0, mB: -19.3 });
 * const mB = 22.5 - 2.5 * Math.log10(restBandB(model(0))); // -19.3
 * ```
 */
export function snIaModel(p: SnIaParams): (phase: number) => RestSpectrum {
  const amp = snIaAmplitude(p);
  const s = stretchOf(p.x1);
  // The time-independent factor depends on the wavelength only; the same few rest wavelengths
  // (band samples / (1 + z)) recur at every time, so it is cached.
  const constant = new Map<number, number>();
  const factor = (lambda: number): number => {
    let c = constant.get(lambda);
    if (c === undefined) {
      c = amp * peakSed(lambda) * Math.pow(10, -0.4 * p.c * snIaColourLaw(lambda));
      constant.set(lambda, c);
    }
    return c;
  };
  return (phase: number) => {
    const ph = phase / s;
    return (lambda: number) => factor(lambda) * snIaShape(lambda, ph);
  };
}
