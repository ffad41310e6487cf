/**
 * The nuisances of real survey stamps (issue 17, item 3), drawn from the
 * object's own `nuisance:<index>` stream (model choices where no source is
 * given):
 *
 * - Astrometric jitter: each frame's cut-out is centred on the catalogue
 *   position with an error of N(0, 0.05") per axis (SDSS astrometry is good
 *   to about 45 mas rms per coordinate for bright stars, Pier et al. 2003,
 *   AJ 125, 1559), so the whole scene moves from frame to frame.
 * - PSF shape: besides its width, the PSF of a night is elongated along x or
 *   y by e ~ N(0, 0.04) (sigma_x = sigma (1 + e), sigma_y = sigma (1 - e);
 *   point sources only, the hosts keep round PSFs: an approximation).
 * - Neighbours and blends: Poisson(0.36) field sources per 32 x 32 stamp
 *   (about 8 per arcmin^2 to r = 23, stars and compact galaxies, scaled with
 *   the stamp area), point-like, r uniform in 17-23, colours of the stellar
 *   locus at g-r 0.3-1.4, anywhere on the stamp (a blend when within 2 px of
 *   the candidate). Constant in time: they are in the templates too.
 * - Cosmic rays: Poisson(0.01) hits per 32 x 32 frame (about 1.5 per cm^2 per
 *   minute at the ground on 24 um pixels), each a 1-4 pixel track of 5-100
 *   sky sigmas per pixel.
 * - Saturation: pixels clip at the peak pixel of a point source of
 *   u 12.0, g 14.1, r 14.1, i 13.8, z 12.3 mag at median seeing (the
 *   saturation limits of Stoughton et al. 2002, AJ 123, 485, approximately).
 * - Masked pixels: 1 % of frames cross a bad column (a run of 4-16 NaN pixels
 *   in one column), 2 % carry 1-4 isolated NaN pixels (interpolated defects).
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { doubleGaussianPsf } from "./psf.ts";
import { addPointSource } from "./render.ts";
import { magToNmgy, medianSeeing, PIXEL_SCALE, SDSS_BANDS } from "./sdss.ts";

/** Astrometric jitter per axis, arcsec. */
export const JITTER_ARCSEC = 0.05;
/** PSF elongation, 1 sigma. */
export const PSF_ELLIPTICITY_SIGMA = 0.04;
/** Mean number of neighbours on a 32 x 32 stamp. */
export const NEIGHBOURS_PER_STAMP = 0.36;
/** Mean number of cosmic-ray hits on a 32 x 32 frame. */
export const COSMIC_RAYS_PER_FRAME = 0.01;
/** Saturation magnitudes of a point source at median seeing per band. */
export const SATURATION_MAG: Readonly<Record<string, number>> = {
  u: 12.0,
  g: 14.1,
  r: 14.1,
  i: 13.8,
  z: 12.3,
};
/** Fraction of frames crossing a bad column, and with isolated masked pixels. */
export const BAD_COLUMN_RATE = 0.01;
/** Fraction of frames with 1-4 isolated masked (NaN) pixels. */
export const MASKED_PIXEL_RATE = 0.02;

/** A constant field source on the stamp. */
export interface Neighbour {
  /** Position, pixels. */
  x: number;
  /** Position, pixels. */
  y: number;
  /** Flux per band, nanomaggies. */
  flux: Record<string, number>;
}

/** The nuisances of one frame. */
export interface FrameNuisance {
  /** Cut-out centring error, pixels. */
  dx: number;
  /** Cut-out centring error, pixels. */
  dy: number;
  /** PSF elongation. */
  ellipticity: number;
  /** Cosmic-ray pixels: index and value in sky sigmas. */
  cosmic: { index: number; sigmas: number }[];
  /** Masked pixel indices (set to NaN). */
  masked: number[];
}

function poisson(rng: Rng, mean: number): number {
  let k = 0, p = Math.exp(-mean), s = p;
  const u = rng.next();
  while (u > s && k < 50) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}

/** Draws the neighbours of an object's stamp. */
export function drawNeighbours(rng: Rng, size: number): Neighbour[] {
  const n = poisson(rng, NEIGHBOURS_PER_STAMP * (size * size) / (32 * 32));
  const out: Neighbour[] = [];
  for (let k = 0; k < n; k++) {
    const r = rng.uniform(17, 23), gr = rng.uniform(0.3, 1.4);
    const ug = 0.65 + 1.4 * gr, ri = 0.02 + 0.1 * gr + 0.35 * gr * gr, iz = 0.5 * ri - 0.02;
    const mag: Record<string, number> = {
      u: r + gr + ug,
      g: r + gr,
      r,
      i: r - ri,
      z: r - ri - iz,
    };
    out.push({
      x: rng.uniform(0, size - 1),
      y: rng.uniform(0, size - 1),
      flux: Object.fromEntries(SDSS_BANDS.map((b) => [b, magToNmgy(mag[b]!)])),
    });
  }
  return out;
}

/** Draws the nuisances of one frame of a `size` x `size` stamp. */
export function drawFrameNuisance(rng: Rng, size: number): FrameNuisance {
  const j = JITTER_ARCSEC / PIXEL_SCALE;
  const nuis: FrameNuisance = {
    dx: j * rng.normal(),
    dy: j * rng.normal(),
    ellipticity: Math.max(-0.2, Math.min(0.2, PSF_ELLIPTICITY_SIGMA * rng.normal())),
    cosmic: [],
    masked: [],
  };
  const area = (size * size) / (32 * 32);
  const hits = poisson(rng, COSMIC_RAYS_PER_FRAME * area);
  for (let h = 0; h < hits; h++) {
    let x = rng.int(0, size - 1), y = rng.int(0, size - 1);
    const len = rng.int(1, 4), dir = rng.int(0, 3);
    for (let k = 0; k < len; k++) {
      nuis.cosmic.push({ index: y * size + x, sigmas: rng.uniform(5, 100) });
      x = Math.min(size - 1, x + (dir === 0 || dir === 2 ? 1 : 0));
      y = Math.min(size - 1, y + (dir === 1 || dir === 2 ? 1 : 0));
    }
  }
  if (rng.bernoulli(BAD_COLUMN_RATE)) {
    const x = rng.int(0, size - 1), len = rng.int(4, 16), y0 = rng.int(0, size - len);
    for (let y = y0; y < y0 + len; y++) nuis.masked.push(y * size + x);
  }
  if (rng.bernoulli(MASKED_PIXEL_RATE)) {
    const n = rng.int(1, 4);
    for (let k = 0; k < n; k++) nuis.masked.push(rng.int(0, size * size - 1));
  }
  return nuis;
}

/** Adds the neighbours of band `b` at `seeing` to `img`, shifted by (dx, dy) pixels. */
export function addNeighbours(
  img: Float64Array,
  size: number,
  neighbours: readonly Neighbour[],
  b: string,
  seeing: number,
  dx: number,
  dy: number,
  ellipticity: number,
): void {
  if (neighbours.length === 0) return;
  const psf = doubleGaussianPsf(seeing);
  for (const n of neighbours) {
    addPointSource(img, size, n.x + dx, n.y + dy, n.flux[b]!, psf, ellipticity);
  }
}

const saturation = new Map<string, number>();

/** Saturation level of band `b`, nanomaggies per pixel (see the module comment). */
export function saturationLevel(b: string): number {
  let s = saturation.get(b);
  if (s === undefined) {
    const img = new Float64Array(9 * 9);
    addPointSource(img, 9, 4, 4, 1, doubleGaussianPsf(medianSeeing(b)));
    s = magToNmgy(SATURATION_MAG[b]!) * Math.max(...img);
    saturation.set(b, s);
  }
  return s;
}

/**
 * Applies the detector's artefacts to a noisy science image in place: cosmic
 * rays (in sky sigmas), saturation (clipped at {@link saturationLevel}),
 * masked pixels (NaN). Returns the number of saturated pixels.
 */
export function applyArtefacts(
  img: Float64Array,
  nuis: FrameNuisance,
  b: string,
  skySigma: number,
): number {
  for (const c of nuis.cosmic) img[c.index] = img[c.index]! + c.sigmas * skySigma;
  const level = saturationLevel(b);
  let saturated = 0;
  for (let i = 0; i < img.length; i++) {
    if (img[i]! > level) {
      img[i] = level;
      saturated++;
    }
  }
  for (const i of nuis.masked) img[i] = NaN;
  return saturated;
}
