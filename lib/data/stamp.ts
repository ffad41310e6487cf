/**
 * Fitting one stamp to the store size, and scoring how bright it is.
 *
 * Stamp size policy: a stamp larger than the store size is **centre-cropped**
 * (the crop starts at `floor((W - S) / 2)`), a smaller one is **zero-padded**
 * around its centre (it starts at `floor((S - W) / 2)`); each axis is treated
 * on its own. Invalid pixels (NaN or infinite in the input, masked by the
 * source, or added by padding) are stored as NaN, counted, left out of the
 * normalisation statistics and become 0 in batches (after normalisation, so 0
 * is the band mean).
 *
 * @module
 */
import type { Frame } from "../survey/series.ts";

/** A stamp fitted to the store size. */
export interface FittedStamp {
  /** `[size, size]` pixels, row-major (x fastest); invalid pixels are NaN. */
  pixels: Float32Array;
  /** Input pixels inside the kept area that were NaN/inf or masked. */
  nan: number;
  /** Pixels added by zero-padding (also NaN in `pixels`). */
  padded: number;
  /** True when at least one axis was cropped. */
  cropped: boolean;
}

/**
 * Centre-crops or pads `frame` to `size x size`. Invalid pixels become NaN.
 *
 * @example
 * ```ts
 * import { fitStamp } from "./stamp.ts";
 * const f = fitStamp({ mjd: 0, band: "g", width: 2, height: 2, pixels: new Float32Array([1, 2, 3, NaN]) }, 4);
 * console.log(f.nan, f.padded); // 1 12
 * ```
 */
export function fitStamp(frame: Frame, size: number): FittedStamp {
  const { width: w, height: h, pixels: src, mask } = frame;
  const out = new Float32Array(size * size).fill(NaN);
  // Source start (crop) and destination start (pad) per axis.
  const sx = w > size ? Math.floor((w - size) / 2) : 0;
  const dx = w < size ? Math.floor((size - w) / 2) : 0;
  const sy = h > size ? Math.floor((h - size) / 2) : 0;
  const dy = h < size ? Math.floor((size - h) / 2) : 0;
  const nx = Math.min(w, size), ny = Math.min(h, size);
  let nan = 0;
  for (let y = 0; y < ny; y++) {
    const srow = (y + sy) * w + sx, drow = (y + dy) * size + dx;
    for (let x = 0; x < nx; x++) {
      const v = src[srow + x]!;
      if (!Number.isFinite(v) || (mask !== undefined && mask[srow + x] === 0)) nan++;
      else out[drow + x] = v;
    }
  }
  return { pixels: out, nan, padded: size * size - nx * ny, cropped: w > size || h > size };
}

/** Pixel indices of the aperture and the background region for one stamp size (cached). */
interface Regions {
  aperture: Int32Array;
  background: Int32Array;
}

const regionCache = new Map<number, Regions>();

function regions(size: number): Regions {
  let r = regionCache.get(size);
  if (r) return r;
  const c = (size - 1) / 2, rAp = 0.1 * size, rBg = 0.35 * size;
  const ap: number[] = [], bg: number[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      if (d <= rAp) ap.push(y * size + x);
      else if (d >= rBg) bg.push(y * size + x);
    }
  }
  r = { aperture: Int32Array.from(ap), background: Int32Array.from(bg) };
  regionCache.set(size, r);
  return r;
}

/**
 * Brightness score of a stamp: the background-subtracted flux in a central
 * aperture divided by its noise, i.e. a signal-to-noise ratio that is
 * comparable between bands and nights.
 *
 * - aperture: pixels within `0.1 * size` (3.2 px at 32) of the centre;
 * - background: pixels farther than `0.35 * size` from the centre (the
 *   corners and edges); its level and noise are their mean and standard
 *   deviation, clipped twice at 3 sigma (robust to a star in a corner);
 * - score = sum(aperture - background) / (noise * sqrt(n_aperture)).
 *
 * NaN pixels are ignored. Returns NaN when the aperture or the background has
 * no valid pixel; a noise of 0 is replaced by 1 (flat simulated stamps).
 * Evaluation centres its window of `l` frames on the frame with the largest
 * score (see `selectEvalWindow`).
 */
export function brightnessScore(pixels: Float32Array, size: number): number {
  const { aperture, background } = regions(size);
  let apSum = 0, nAp = 0;
  for (let i = 0; i < aperture.length; i++) {
    const v = pixels[aperture[i]!]!;
    if (v === v) {
      apSum += v;
      nAp++;
    }
  }
  // Background level and noise: mean and standard deviation, clipped twice at 3 sigma.
  let lo = -Infinity, hi = Infinity, mean = NaN, sd = NaN;
  for (let pass = 0; pass < 3; pass++) {
    let n = 0, sum = 0, sum2 = 0;
    for (let i = 0; i < background.length; i++) {
      const v = pixels[background[i]!]!;
      if (v >= lo && v <= hi) {
        n++;
        sum += v;
        sum2 += v * v;
      }
    }
    if (n === 0) break;
    mean = sum / n;
    sd = Math.sqrt(Math.max(0, sum2 / n - mean * mean));
    lo = mean - 3 * sd;
    hi = mean + 3 * sd;
  }
  if (nAp === 0 || !(mean === mean)) return NaN;
  const noise = sd > 0 ? sd : 1;
  return (apSum - nAp * mean) / (noise * Math.sqrt(nAp));
}
