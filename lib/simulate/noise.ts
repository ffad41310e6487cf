/**
 * Photometric noise: sky and source photon noise plus read noise, in
 * calibrated units (nanomaggies per pixel, sky subtracted).
 *
 * The effective gain g_b (detected electrons per nanomaggy in one 53.9 s
 * exposure) of each band is calibrated so that a point source at the band's
 * stated 5-sigma depth is detected at exactly 5 sigma by optimal PSF
 * photometry at median seeing, dark sky and full transparency:
 *
 *   (F5 / 5)^2 = NEA (S A / g + RN^2 / g^2) + F5 / g
 *
 * with F5 the depth flux, NEA the PSF's noise-equivalent area (pixels), S A
 * the sky per pixel (nanomaggies), RN the read noise (electrons). On other
 * nights g scales with the transparency, the sky with the moon, the NEA with
 * the seeing, so the depth varies realistically from epoch to epoch. Pixel
 * noise is Gaussian with variance (sky + source electrons + RN^2) / g^2
 * (the Poisson distribution's normal limit: the sky alone gives hundreds of
 * electrons per pixel).
 *
 * @module
 */
import type { GaussStream } from "./gauss_stream.ts";
import { doubleGaussianPsf, noiseEquivalentArea } from "./psf.ts";
import { bandModel, magToNmgy, medianSeeing, PIXEL_SCALE, READ_NOISE_E } from "./sdss.ts";

/** Pixel area in arcsec^2. */
export const PIXEL_AREA = PIXEL_SCALE * PIXEL_SCALE;

const gainCache = new Map<string, number>();

/**
 * Effective gain of band `b`: detected electrons per nanomaggy, calibrated on
 * the band's 5-sigma depth at median conditions (see the module comment).
 */
export function electronsPerNmgy(b: string): number {
  let g = gainCache.get(b);
  if (g === undefined) {
    const m = bandModel(b);
    const nea = noiseEquivalentArea(doubleGaussianPsf(medianSeeing(b)));
    const f5 = magToNmgy(m.depth);
    const skyPix = magToNmgy(m.sky) * PIXEL_AREA;
    // Quadratic in x = 1/g: NEA RN^2 x^2 + (NEA skyPix + F5) x - F5^2/25 = 0.
    const a = nea * READ_NOISE_E * READ_NOISE_E, bb = nea * skyPix + f5, c = -f5 * f5 / 25;
    const x = (-bb + Math.sqrt(bb * bb - 4 * a * c)) / (2 * a);
    g = 1 / x;
    gainCache.set(b, g);
  }
  return g;
}

/** Noise parameters of one band-frame. */
export interface FrameNoise {
  /** Detected electrons per nanomaggy on this frame (gain times transparency). */
  gain: number;
  /** Sky level per pixel in electrons (already subtracted from the pixels). */
  skyElectrons: number;
  /** Standard deviation of an empty (sky-only) pixel, nanomaggies. */
  skySigma: number;
}

/** Noise parameters for band `b` with sky brightness `skyMag` (mag/arcsec^2) and `transparency`. */
export function frameNoise(b: string, skyMag: number, transparency: number): FrameNoise {
  const gain = electronsPerNmgy(b) * transparency;
  const skyElectrons = magToNmgy(skyMag) * PIXEL_AREA * gain;
  const skySigma = Math.sqrt(skyElectrons + READ_NOISE_E * READ_NOISE_E) / gain;
  return { gain, skyElectrons, skySigma };
}

/**
 * Adds noise to a noiseless image (nanomaggies, sky subtracted) in place:
 * each pixel gets N(0, sqrt(sky + max(model, 0) gain + RN^2) / gain).
 *
 * @param model Noiseless pixels; overwritten with the noisy ones.
 * @param noise The frame's noise parameters.
 * @param gauss Standard normal deviates (seeded).
 * @param scratch Optional buffer of `model.length` values for the deviates (saves an allocation).
 */
export function addNoise(
  model: Float64Array,
  noise: FrameNoise,
  gauss: GaussStream,
  scratch?: Float64Array,
): void {
  const g = noise.gain, base = noise.skyElectrons + READ_NOISE_E * READ_NOISE_E;
  const z = scratch && scratch.length === model.length ? scratch : new Float64Array(model.length);
  gauss.fill(z);
  const s0 = Math.sqrt(base) / g, half = 0.5 / base, small = 0.01 * base;
  for (let i = 0; i < model.length; i++) {
    const m = model[i]!;
    const e = m > 0 ? m * g : 0;
    // sqrt(base + e) = sqrt(base) (1 + e / 2 base) to 1.3e-5 when e < 1 % of base.
    const sd = e < small ? s0 * (1 + e * half) : Math.sqrt(base + e) / g;
    model[i] = m + sd * z[i]!;
  }
}
