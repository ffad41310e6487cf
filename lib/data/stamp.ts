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

/** k-th smallest of `a[0..n)` (0-based), reordering `a` (quickselect). */
function select(a: Float32Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

const scratchCache = new Map<number, Float32Array>();

/**
 * Brightness score of a stamp: the background-subtracted flux in a central
 * aperture divided by its noise, i.e. a signal-to-noise ratio that is
 * comparable between bands and nights.
 *
 * - aperture: pixels within `0.1 * size` (3.2 px at 32) of the centre;
 * - background: pixels farther than `0.35 * size` from the centre (the
 *   corners and edges); its level is their median and its noise
 *   `1.4826 * MAD` (robust to stars in the corners);
 * - score = sum(aperture - background) / (noise * sqrt(n_aperture)).
 *
 * NaN pixels are ignored. Returns NaN when the aperture or the background has
 * no valid pixel; a noise of 0 is replaced by 1 (flat simulated stamps).
 * Evaluation centres its window of `l` frames on the frame with the largest
 * score (see `selectEvalWindow`).
 */
export function brightnessScore(pixels: Float32Array, size: number): number {
  const c = (size - 1) / 2;
  const rAp = 0.1 * size, rBg = 0.35 * size;
  let scratch = scratchCache.get(size);
  if (!scratch) {
    scratch = new Float32Array(size * size);
    scratchCache.set(size, scratch);
  }
  let nb = 0, apSum = 0, nAp = 0;
  for (let y = 0; y < size; y++) {
    const dy2 = (y - c) * (y - c);
    for (let x = 0; x < size; x++) {
      const v = pixels[y * size + x]!;
      if (Number.isNaN(v)) continue;
      const d = Math.sqrt(dy2 + (x - c) * (x - c));
      if (d <= rAp) {
        apSum += v;
        nAp++;
      } else if (d >= rBg) scratch[nb++] = v;
    }
  }
  if (nAp === 0 || nb === 0) return NaN;
  const bkg = select(scratch, nb, nb >> 1);
  for (let i = 0; i < nb; i++) scratch[i] = Math.abs(scratch[i]! - bkg);
  let noise = 1.4826 * select(scratch, nb, nb >> 1);
  if (!(noise > 0)) noise = 1;
  return (apSum - nAp * bkg) / (noise * Math.sqrt(nAp));
}
