/**
 * Variable stars (point sources, no host): RR Lyrae, eclipsing binaries and
 * irregular (stochastic) variables.
 *
 * - RR Lyrae (Sesar et al. 2010, ApJ 708, 717, Stripe 82: periods, amplitudes,
 *   colours, halo distances): 75 % RRab (period 0.45-0.8 d, g amplitude
 *   0.6-1.2 mag, saw-tooth: fast rise over 15 % of the cycle), 25 % RRc
 *   (0.25-0.42 d, 0.3-0.55 mag, sinusoidal). Mean AB colours u-g 1.15,
 *   g-r 0.2, r-i 0.05, i-z 0.0 (+-0.05 scatter); absolute r 0.6 at distances
 *   log-uniform in 5-100 kpc (halo density ~ r^-3), so r = 14.1-20.6.
 *   Amplitudes relative to g: u 1.2, r 0.77, i 0.64, z 0.6 (model choice,
 *   decreasing to the red as observed).
 * - Eclipsing binaries: period log-uniform 0.25-10 d, primary eclipse depth
 *   0.1-1.0 mag, secondary 5-80 % of it and deeper in the red, Gaussian
 *   eclipses 0.02-0.06 of the period (doubled below 1 d) plus ellipsoidal
 *   variation up to 0.15 mag below 1 d (model choice).
 * - Irregular: red stars (g-r 1.0-1.5) with a damped random walk in
 *   magnitude, tau 5-60 d, SF_inf 0.1-0.4 mag in r, larger in the blue
 *   (model choice).
 * - Field stars (eclipsing and irregular): r from 15 to 21.5 with counts rising
 *   as 10^(0.25 m) (model choice, high-latitude star counts), main-sequence
 *   colours along the stellar locus (Covey et al. 2007, AJ 134, 2398,
 *   approximated by polynomials in g-r).
 * - Dwarf novae (CV) and flaring M dwarfs: lib/simulate/eruptive.ts.
 * - Mix (model choice): RR Lyrae 30 %, eclipsing 35 %, irregular 15 %,
 *   dwarf novae 8 %, flaring M dwarfs 12 %.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { dampedRandomWalk } from "./agn.ts";
import type { EruptiveParams } from "./eruptive.ts";
import { bandModel, SDSS_BANDS } from "./sdss.ts";

/** Sub-types of the Variable class. */
export type VariableSubtype = "RRLyrae" | "EB" | "irregular" | "CV" | "flare";

/** Sub-types and their fractions (model choice). */
export const VARIABLE_MIX: readonly { subtype: VariableSubtype; fraction: number }[] = [
  { subtype: "RRLyrae", fraction: 0.3 },
  { subtype: "EB", fraction: 0.35 },
  { subtype: "irregular", fraction: 0.15 },
  { subtype: "CV", fraction: 0.08 },
  { subtype: "flare", fraction: 0.12 },
];

/** Parameters of one variable star. */
export interface VariableParams {
  /** Sub-type. */
  subtype: VariableSubtype;
  /** Finer class: RRab, RRc, EB, irregular. */
  kind: string;
  /** Mean AB magnitude per band (before Galactic extinction). */
  meanMag: Record<string, number>;
  /** Period in days (0 for irregular). */
  period: number;
  /** Phase at MJD 0, in cycles. */
  phase0: number;
  /** Amplitude per band (peak-to-peak for RR Lyrae, eclipse depth for EB, SF_inf for irregular). */
  amp: Record<string, number>;
  /** EB: secondary depth per band; otherwise 0. */
  amp2: Record<string, number>;
  /** EB: eclipse width (sigma, in phase); irregular: tau in days. */
  width: number;
  /** EB: ellipsoidal amplitude (mag). */
  ellipsoidal: number;
  /** CV and flare stars: the outburst / flare model. */
  eruptive?: EruptiveParams;
}

function fieldStarMag(rng: Rng): number {
  // Inverse CDF of a density proportional to 10^(0.25 m) on [15, 21.5].
  const k = 0.25 * Math.LN10, lo = 15, hi = 21.5;
  const u = rng.next();
  return Math.log(Math.exp(k * lo) + u * (Math.exp(k * hi) - Math.exp(k * lo))) / k;
}

function locusColours(gr: number, rMag: number): Record<string, number> {
  const ug = 0.65 + 1.4 * gr;
  const ri = 0.02 + 0.1 * gr + 0.35 * gr * gr;
  const iz = 0.5 * ri - 0.02;
  return { u: rMag + gr + ug, g: rMag + gr, r: rMag, i: rMag - ri, z: rMag - ri - iz };
}

const zeros = () => Object.fromEntries(SDSS_BANDS.map((b) => [b, 0])) as Record<string, number>;

function drawEruptive(rng: Rng, subtype: "CV" | "flare"): VariableParams {
  const key = rng.nextUint32();
  if (subtype === "CV") {
    const r = rng.uniform(18, 22);
    const ug = rng.uniform(0, 0.4), gr = rng.uniform(-0.1, 0.4);
    const ri = rng.uniform(0, 0.3), iz = rng.uniform(0, 0.2);
    const eruptive: EruptiveParams = {
      kind: "CV",
      key,
      recurrence: rng.uniform(20, 200),
      amplitude: rng.uniform(2, 5),
      ratio: { u: 1, g: 1, r: 0.9, i: 0.8, z: 0.7 },
      duration: rng.uniform(2, 10),
      decline: rng.uniform(0.3, 1),
    };
    return {
      subtype,
      kind: "CV",
      meanMag: { u: r + gr + ug, g: r + gr, r, i: r - ri, z: r - ri - iz },
      period: 0,
      phase0: 0,
      amp: zeros(),
      amp2: zeros(),
      width: 0,
      ellipsoidal: 0,
      eruptive,
    };
  }
  const gr = rng.uniform(1.3, 1.6);
  return {
    subtype,
    kind: "flare",
    meanMag: locusColours(gr, rng.uniform(16, 21)),
    period: 0,
    phase0: 0,
    amp: zeros(),
    amp2: zeros(),
    width: 0,
    ellipsoidal: 0,
    eruptive: {
      kind: "flare",
      key,
      recurrence: 0,
      amplitude: 0,
      ratio: { u: 1, g: 0.45, r: 0.2, i: 0.1, z: 0.05 },
      duration: rng.uniform(0.01, 0.05),
      decline: 0,
    },
  };
}

/** Draws a variable star of the given sub-type. */
export function drawVariableParams(rng: Rng, subtype: VariableSubtype): VariableParams {
  if (subtype === "CV" || subtype === "flare") return drawEruptive(rng, subtype);
  if (subtype === "RRLyrae") {
    const ab = rng.bernoulli(0.75);
    const period = ab ? rng.uniform(0.45, 0.8) : rng.uniform(0.25, 0.42);
    const ampG = ab ? rng.uniform(0.6, 1.2) : rng.uniform(0.3, 0.55);
    const distKpc = 5 * Math.pow(20, rng.next());
    const r = 0.6 + 5 * Math.log10(distKpc * 100);
    const gr = 0.2 + rng.normal(0, 0.05), ug = 1.15 + rng.normal(0, 0.05);
    const ri = 0.05 + rng.normal(0, 0.03), iz = rng.normal(0, 0.03);
    const ratio: Record<string, number> = { u: 1.2, g: 1, r: 0.77, i: 0.64, z: 0.6 };
    return {
      subtype,
      kind: ab ? "RRab" : "RRc",
      meanMag: { u: r + gr + ug, g: r + gr, r, i: r - ri, z: r - ri - iz },
      period,
      phase0: rng.next(),
      amp: Object.fromEntries(SDSS_BANDS.map((b) => [b, ampG * ratio[b]!])),
      amp2: zeros(),
      width: 0,
      ellipsoidal: 0,
    };
  }
  if (subtype === "EB") {
    const period = 0.25 * Math.pow(40, rng.next());
    const gr = rng.uniform(0.2, 1.3);
    const d1 = rng.uniform(0.1, 1.0), f2 = rng.uniform(0.05, 0.8);
    const lr = bandModel("r").lambda;
    return {
      subtype,
      kind: "EB",
      meanMag: locusColours(gr, fieldStarMag(rng)),
      period,
      phase0: rng.next(),
      amp: Object.fromEntries(SDSS_BANDS.map((b) => [b, d1])),
      amp2: Object.fromEntries(
        SDSS_BANDS.map((b) => [b, Math.min(d1, d1 * f2 * Math.pow(bandModel(b).lambda / lr, 0.6))]),
      ),
      width: rng.uniform(0.02, 0.06) * (period < 1 ? 2 : 1),
      ellipsoidal: period < 1 ? rng.uniform(0, 0.15) : 0,
    };
  }
  const gr = rng.uniform(1.0, 1.5);
  const sf = rng.uniform(0.1, 0.4);
  const lr = bandModel("r").lambda;
  return {
    subtype,
    kind: "irregular",
    meanMag: locusColours(gr, fieldStarMag(rng)),
    period: 0,
    phase0: 0,
    amp: Object.fromEntries(
      SDSS_BANDS.map((b) => [b, sf * Math.pow(bandModel(b).lambda / lr, -0.5)]),
    ),
    amp2: zeros(),
    width: rng.uniform(5, 60),
    ellipsoidal: 0,
  };
}

function wrapPhase(x: number): number {
  const f = x - Math.floor(x);
  return f > 0.5 ? f - 1 : f;
}

/**
 * Magnitude offsets of a variable star from its mean, per band, at the given
 * times: returns a function (band, index of the time) -> offset in mag.
 *
 * @param p The star.
 * @param mjds Increasing times (days), one per band-frame or per epoch.
 * @param rng Seeded generator (used by irregular variables only).
 */
export function variableOffsets(
  p: VariableParams,
  mjds: ArrayLike<number>,
  rng: Rng,
): (band: string, index: number) => number {
  if (p.subtype === "irregular") {
    const drive = dampedRandomWalk(mjds, p.width, 1, rng);
    return (band, i) => drive[i]! * p.amp[band]!;
  }
  return (band, i) => {
    const phase = mjds[i]! / p.period + p.phase0;
    const f = phase - Math.floor(phase);
    if (p.subtype === "RRLyrae") {
      // 0 at maximum light; mean removed (saw-tooth and sinusoid both average 0.5).
      const s = p.kind === "RRab"
        ? (f < 0.85 ? f / 0.85 : (1 - f) / 0.15)
        : 0.5 * (1 - Math.cos(2 * Math.PI * f));
      return p.amp[band]! * (s - 0.5);
    }
    const d1 = wrapPhase(f), d2 = wrapPhase(f - 0.5);
    return p.amp[band]! * Math.exp(-0.5 * (d1 / p.width) ** 2) +
      p.amp2[band]! * Math.exp(-0.5 * (d2 / p.width) ** 2) +
      p.ellipsoidal * 0.5 * (1 - Math.cos(4 * Math.PI * f));
  };
}
