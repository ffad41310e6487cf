/**
 * The point-spread function: the SDSS double-Gaussian model (Stoughton et al.
 * 2002, AJ 123, 485, sect. 4.4.1: PSF = G(sigma1) + b G(sigma2) with peak
 * ratio b about 0.1 and sigma2 about 2 sigma1). Here b = 0.1 and
 * sigma2 = 2.1 sigma1 (model choice); sigma1 is scaled so that the mixture's
 * full width at half maximum equals the epoch's seeing.
 *
 * @module
 */
import { PIXEL_SCALE } from "./sdss.ts";

/** One circular Gaussian of a PSF mixture. */
export interface PsfComponent {
  /** Fraction of the flux (components sum to 1). */
  weight: number;
  /** Standard deviation in arcsec. */
  sigma: number;
}

/** Peak-amplitude ratio of the wing to the core Gaussian (Stoughton+2002: about 0.1). */
export const PSF_B = 0.1;
/** Width ratio of the wing to the core Gaussian (Stoughton+2002: about 2). */
export const PSF_SIGMA_RATIO = 2.1;

// FWHM of the mixture for sigma1 = 1, by bisection on the profile (computed once).
const FWHM_PER_SIGMA1 = (() => {
  const r2 = PSF_SIGMA_RATIO;
  const prof = (r: number) => Math.exp(-r * r / 2) + PSF_B * Math.exp(-r * r / (2 * r2 * r2));
  const half = prof(0) / 2;
  let lo = 0, hi = 10;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (prof(mid) > half) lo = mid;
    else hi = mid;
  }
  return 2 * (lo + hi) / 2;
})();

/**
 * The double-Gaussian PSF whose FWHM is `fwhm` arcsec.
 *
 * @param fwhm Seeing FWHM in arcsec.
 * @returns Two components with flux weights summing to 1, sigmas in arcsec.
 */
export function doubleGaussianPsf(fwhm: number): PsfComponent[] {
  const s1 = fwhm / FWHM_PER_SIGMA1;
  const s2 = PSF_SIGMA_RATIO * s1;
  // Flux of each term is its peak times 2 pi sigma^2.
  const f1 = 1, f2 = PSF_B * PSF_SIGMA_RATIO * PSF_SIGMA_RATIO;
  return [
    { weight: f1 / (f1 + f2), sigma: s1 },
    { weight: f2 / (f1 + f2), sigma: s2 },
  ];
}

/** FWHM (arcsec) of a circular Gaussian mixture, by bisection. */
export function psfFwhm(psf: readonly PsfComponent[]): number {
  const prof = (r: number) =>
    psf.reduce(
      (s, c) => s + c.weight / (c.sigma * c.sigma) * Math.exp(-r * r / (2 * c.sigma * c.sigma)),
      0,
    );
  const half = prof(0) / 2;
  let lo = 0, hi = 100;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (prof(mid) > half) lo = mid;
    else hi = mid;
  }
  return lo + hi;
}

/**
 * Noise-equivalent area of a point source, in pixels: 1 / sum_i p_i^2 where
 * p_i is the fraction of the flux in pixel i (King 1983). The flux error of
 * optimal PSF photometry on a background-limited image is sigma_pix sqrt(NEA).
 * Computed on the pixel grid for a source centred on a pixel.
 *
 * @param psf The PSF mixture (sigmas in arcsec).
 */
export function noiseEquivalentArea(psf: readonly PsfComponent[]): number {
  const half = 40;
  let s2 = 0;
  const phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
  for (let iy = -half; iy <= half; iy++) {
    for (let ix = -half; ix <= half; ix++) {
      let p = 0;
      for (const c of psf) {
        const s = c.sigma / PIXEL_SCALE;
        p += c.weight * (phi((ix + 0.5) / s) - phi((ix - 0.5) / s)) *
          (phi((iy + 0.5) / s) - phi((iy - 0.5) / s));
      }
      s2 += p * p;
    }
  }
  return 1 / s2;
}

/**
 * The error function, Abramowitz & Stegun 7.1.26 (absolute error below
 * 1.5e-7), odd-extended to negative x.
 */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t * Math.exp(-ax * ax);
  return sign * y;
}
