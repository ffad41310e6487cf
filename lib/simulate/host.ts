/**
 * Host galaxies: Sersic profiles whose brightness and angular size follow
 * the redshift.
 *
 * - Absolute rest-frame r magnitude (AB): SN Ia hosts N(-20.8, 1.0),
 *   core-collapse hosts N(-20.3, 1.0), AGN hosts N(-21.3, 0.7), truncated to
 *   [-23, -17.5] (model choice around M* of the r-band luminosity function,
 *   Blanton et al. 2003, ApJ 592, 819: M* - 5 log h = -20.44, i.e. about
 *   -21.2 for h = 0.7).
 * - Spectrum: f_nu proportional to lambda^beta with a smoothed 4000 A break of
 *   depth D (model choice): early types (n > 2.5) beta 2.5, D 0.38 (AB
 *   g-r 0.75, u-g 1.8 at z = 0); late types beta 1.35, D 0.58 (g-r 0.4,
 *   u-g 1.0). The K-correction follows from redshifting this spectrum.
 * - Sersic index: SN Ia hosts uniform 1-4, core-collapse hosts 1-2.5 (star
 *   forming discs), AGN hosts 2-4 (bulges).
 * - Half-light radius: log-normal, median 3.5 kpc (L/L*)^0.3, sigma(ln) 0.35
 *   (after Shen et al. 2003, MNRAS 343, 978), converted to arcsec with the
 *   angular-diameter distance and clipped to 0.5"-3" (issue 4).
 * - Axis ratio uniform 0.3-1, position angle uniform.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { kpcPerArcsec } from "./cosmology.ts";
import type { RestSpectrum } from "./sed.ts";
import { sersicMixture } from "./sersic.ts";

/** Which kind of object a host belongs to (sets its luminosity and profile distributions). */
export type HostKind = "SNIa" | "SNOther" | "AGN";

/** A host galaxy. */
export interface HostParams {
  /** Sersic index. */
  n: number;
  /** Half-light radius along the major axis, arcsec. */
  reArcsec: number;
  /** Axis ratio b/a. */
  q: number;
  /** Position angle of the major axis, radians from +x towards +y. */
  pa: number;
  /** Absolute rest-frame r magnitude (AB). */
  absMagR: number;
  /** Power-law slope of f_nu in lambda. */
  beta: number;
  /** Depth of the 4000 A break (flux ratio blue/red). */
  breakDepth: number;
}

function truncNormal(rng: Rng, mean: number, sd: number, lo: number, hi: number): number {
  for (;;) {
    const x = rng.normal(mean, sd);
    if (x >= lo && x <= hi) return x;
  }
}

/** Draws a host galaxy for an object of kind `kind` at redshift `z`. */
export function drawHost(rng: Rng, kind: HostKind, z: number): HostParams {
  const absMagR = kind === "SNIa"
    ? truncNormal(rng, -20.8, 1.0, -23, -17.5)
    : kind === "SNOther"
    ? truncNormal(rng, -20.3, 1.0, -23, -17.5)
    : truncNormal(rng, -21.3, 0.7, -23, -17.5);
  const n = kind === "SNIa"
    ? rng.uniform(1, 4)
    : kind === "SNOther"
    ? rng.uniform(1, 2.5)
    : rng.uniform(2, 4);
  const early = n > 2.5;
  const lum = Math.pow(10, -0.4 * (absMagR + 21.2));
  const reKpc = 3.5 * Math.pow(lum, 0.3) * Math.exp(rng.normal(0, 0.35));
  const reArcsec = Math.max(0.5, Math.min(3, reKpc / kpcPerArcsec(z)));
  return {
    n,
    reArcsec,
    q: rng.uniform(0.3, 1),
    pa: rng.uniform(0, Math.PI),
    absMagR,
    beta: early ? 2.5 : 1.35,
    breakDepth: early ? 0.38 : 0.58,
  };
}

/** Rest-frame spectrum of the host (F10, nanomaggies at 10 pc), equal to M_r at 6166 A. */
export function hostSpectrum(h: HostParams): RestSpectrum {
  const shape = (l: number) =>
    Math.pow(l / 6166, h.beta) *
    (h.breakDepth + (1 - h.breakDepth) / (1 + Math.exp(-(l - 4000) / 100)));
  const norm = Math.pow(10, -0.4 * (h.absMagR - 22.5)) / shape(6166);
  return (l: number) => norm * shape(l);
}

/**
 * Draws a position (arcsec, relative to the host centre) following the
 * host's light: a mixture component chosen by its flux, then a Gaussian draw
 * in the component's ellipse; positions beyond 3 r_e are redrawn.
 */
export function drawOffsetInHost(rng: Rng, h: HostParams): { dx: number; dy: number } {
  const mix = sersicMixture(h.n);
  for (;;) {
    const k = rng.weighted(mix.map((c) => c.amp));
    const s = Math.sqrt(mix[k]!.variance) * h.reArcsec;
    const u = rng.normal(0, s), v = rng.normal(0, s * h.q);
    if (u * u + (v * v) / (h.q * h.q) > 9 * h.reArcsec * h.reArcsec) continue;
    const c = Math.cos(h.pa), sn = Math.sin(h.pa);
    return { dx: u * c - v * sn, dy: u * sn + v * c };
  }
}
