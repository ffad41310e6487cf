/**
 * Light curves as model inputs (SuperNNova-style): observations grouped into epochs (one night,
 * all bands observed within `gapDays`), each epoch a feature vector of per-band flux and error
 * (arcsinh / log scaled by a global flux scale), per-band presence flags and the time since
 * the previous epoch; padded to a fixed number of epochs with a mask.
 *
 * @module
 */
import type { LightCurve } from "./photometry.ts";
import type { Rng } from "../util/rng.ts";

/** How light curves are turned into features. */
export interface LcEncoding {
  /** Band names, in feature order. */
  bands: readonly string[];
  /** Global flux scale (e.g. the median flux error): fluxes enter as asinh(flux / scale). */
  fluxScale: number;
  /** Epochs per sequence (longer light curves are windowed, shorter ones padded). */
  maxEpochs: number;
  /** Observations closer than this (days) belong to the same epoch (default 0.5). */
  gapDays?: number;
}

/** Features per epoch for `nBands` bands: flux, error, presence per band, then delta-t. */
export function lcFeatureCount(nBands: number): number {
  return 3 * nBands + 1;
}

/** One light curve grouped into epochs. */
export interface Epochs {
  /** Mean MJD of each epoch. */
  mjd: number[];
  /** Per epoch, per band: flux (NaN when absent). */
  flux: number[][];
  /** Per epoch, per band: error (NaN when absent). */
  err: number[][];
}

/**
 * Groups a light curve's points into epochs: a new epoch starts when a point is more than
 * `gapDays` after the previous point; a band observed twice in an epoch keeps the
 * inverse-variance weighted mean.
 *
 * @param lc The light curve (points in time order).
 * @param bands Band names in feature order (others ignored).
 * @param gapDays Epoch gap.
 */
export function groupEpochs(lc: LightCurve, bands: readonly string[], gapDays = 0.5): Epochs {
  const out: Epochs = { mjd: [], flux: [], err: [] };
  const bandIndex = new Map(bands.map((b, i) => [b, i]));
  let last = -Infinity;
  let sumW: number[] = [], sumWF: number[] = [], ts: number[] = [];
  const flush = (): void => {
    if (ts.length === 0) return;
    out.mjd.push(ts.reduce((a, b) => a + b, 0) / ts.length);
    out.flux.push(sumW.map((w, i) => (w > 0 ? sumWF[i]! / w : NaN)));
    out.err.push(sumW.map((w) => (w > 0 ? 1 / Math.sqrt(w) : NaN)));
  };
  for (const p of lc.points) {
    const b = bandIndex.get(p.band);
    if (b === undefined || !(p.fluxErr > 0) || !Number.isFinite(p.flux)) continue;
    if (p.mjd - last > gapDays) {
      flush();
      sumW = bands.map(() => 0);
      sumWF = bands.map(() => 0);
      ts = [];
    }
    const w = 1 / (p.fluxErr * p.fluxErr);
    sumW[b]! += w;
    sumWF[b]! += w * p.flux;
    ts.push(p.mjd);
    last = p.mjd;
  }
  flush();
  return out;
}

/** A batch of encoded light curves. */
export interface EncodedLightCurves {
  /** `[batch, maxEpochs, features]` features (0 on padding). */
  features: Float32Array;
  /** `[batch, maxEpochs]` 1 = real epoch. */
  mask: Float32Array;
  /** `[batch, maxEpochs]` days since the first kept epoch (0 on padding). */
  days: Float32Array;
  /** Rows. */
  batchSize: number;
  /** Epochs per row. */
  maxEpochs: number;
  /** Features per epoch. */
  featureCount: number;
}

/**
 * Index of the first epoch of the window kept when there are more than `max` epochs: the
 * window containing the brightest epoch (largest summed flux over error), placed so that the
 * brightest epoch sits a third into it.
 */
function windowStart(ep: Epochs, max: number): number {
  const n = ep.mjd.length;
  if (n <= max) return 0;
  let best = 0, bestScore = -Infinity;
  for (let i = 0; i < n; i++) {
    let s = 0;
    ep.flux[i]!.forEach((f, b) => {
      const e = ep.err[i]![b]!;
      if (Number.isFinite(f) && e > 0) s += f / e;
    });
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return Math.max(0, Math.min(n - max, best - Math.floor(max / 3)));
}

/**
 * Encodes light curves into a padded feature batch.
 *
 * @param lcs One light curve per row (undefined = an empty row, all padding).
 * @param enc The encoding.
 * @param augment Training augmentation: drops each epoch with probability `dropEpoch` (keeping
 *   at least 3) and shifts the window at random; omit for evaluation (deterministic).
 * @example
 * ```ts
 * import { encodeLightCurves } from "./lc_features.ts";
 * const lc = { id: "a", skipped: 0, points: [{ mjd: 1, band: "g", flux: 3, fluxErr: 1 }] };
 * const e = encodeLightCurves([lc], { bands: ["g", "r"], fluxScale: 1, maxEpochs: 4 });
 * console.log(e.features.length); // 1 * 4 * 7
 * ```
 */
export function encodeLightCurves(
  lcs: readonly (LightCurve | undefined)[],
  enc: LcEncoding,
  augment?: { rng: Rng; dropEpoch?: number },
): EncodedLightCurves {
  const nb = enc.bands.length;
  const nf = lcFeatureCount(nb);
  const t = enc.maxEpochs;
  const b = lcs.length;
  const features = new Float32Array(b * t * nf);
  const mask = new Float32Array(b * t);
  const days = new Float32Array(b * t);
  const s = enc.fluxScale > 0 ? enc.fluxScale : 1;
  for (let row = 0; row < b; row++) {
    const lc = lcs[row];
    if (!lc) continue;
    const ep = groupEpochs(lc, enc.bands, enc.gapDays ?? 0.5);
    let keep = ep.mjd.map((_, i) => i);
    if (augment) {
      const p = augment.dropEpoch ?? 0.1;
      const kept = keep.filter(() => !augment.rng.bernoulli(p));
      if (kept.length >= Math.min(3, keep.length)) keep = kept;
    }
    if (keep.length > t) {
      const sub: Epochs = {
        mjd: keep.map((i) => ep.mjd[i]!),
        flux: keep.map((i) => ep.flux[i]!),
        err: keep.map((i) => ep.err[i]!),
      };
      let start = windowStart(sub, t);
      if (augment) {
        const jitter = Math.floor(t / 4);
        start = Math.max(0, Math.min(keep.length - t, start + augment.rng.int(-jitter, jitter)));
      }
      keep = keep.slice(start, start + t);
    }
    const t0 = keep.length > 0 ? ep.mjd[keep[0]!]! : 0;
    let prev = t0;
    keep.forEach((e, k) => {
      const base = (row * t + k) * nf;
      for (let band = 0; band < nb; band++) {
        const f = ep.flux[e]![band]!, err = ep.err[e]![band]!;
        if (Number.isFinite(f)) {
          features[base + band] = Math.asinh(f / s);
          features[base + nb + band] = Math.log1p(err / s);
          features[base + 2 * nb + band] = 1;
        }
      }
      const mjd = ep.mjd[e]!;
      features[base + 3 * nb] = Math.log1p(Math.max(0, mjd - prev)) / Math.log(366);
      prev = mjd;
      mask[row * t + k] = 1;
      days[row * t + k] = mjd - t0;
    });
  }
  return { features, mask, days, batchSize: b, maxEpochs: t, featureCount: nf };
}
