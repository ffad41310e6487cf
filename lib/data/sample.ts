/**
 * Fills one row of a {@link Batch} from an object's time-ordered frames: the
 * chosen positions, normalised per band, invalid pixels set to 0, optionally
 * augmented (same transform for every frame), centre-cropped to the batch
 * size; remaining slots become padding (zero frames, band 0, mask 0).
 *
 * @module
 */
import { Rng } from "../util/rng.ts";
import type { Batch } from "./batch.ts";
import type { Normalization } from "./normalization.ts";
import { type AugmentParams, samplingPlan } from "./augment.ts";

const NOISE_BITS = 16;
const NOISE_MASK = (1 << NOISE_BITS) - 1;
let noiseCache: Float32Array | null = null;

/** 65,536 standard normal draws from a fixed seed (the same in every worker). */
function noiseTable(): Float32Array {
  if (!noiseCache) {
    const rng = new Rng(0x5eed);
    noiseCache = new Float32Array(1 << NOISE_BITS).map(() => rng.normal(0, 1));
  }
  return noiseCache;
}

/** Frames of one object. */
export interface SampleSource {
  /** `[n, size, size]` raw pixels (NaN = invalid), frame `p` at `p * size * size`. */
  pixels: Float32Array;
  /** Band ids; frame `p` at `first + p`. */
  bands: ArrayLike<number>;
  /** MJDs; frame `p` at `first + p`. */
  mjd: ArrayLike<number>;
  /** Offset of the object's first frame in `bands` and `mjd`. */
  first: number;
  /** Stamp side of `pixels`. */
  size: number;
}

/** Options of {@link fillSample}. */
export interface FillOptions {
  /** Per-band normalisation, or null for raw values. */
  normalization: Normalization | null;
  /** Augmentation to apply, if any. */
  augment?: AugmentParams | null;
  /** Generator for the noise (required when `augment.noise > 0`). */
  rng?: Rng;
}

/**
 * Writes row `row` of `batch` from `src` frames at `positions` (increasing,
 * at most `batch.length`). The batch's height must equal its width and not
 * exceed `src.size`.
 */
export function fillSample(
  batch: Batch,
  row: number,
  src: SampleSource,
  positions: readonly number[],
  opts: FillOptions,
): void {
  const { length: l, height: O } = batch;
  const S = src.size;
  if (batch.width !== O || O > S) {
    throw new RangeError(`Cannot crop ${S}x${S} stamps to ${batch.width}x${O}.`);
  }
  if (positions.length > l) throw new RangeError(`${positions.length} frames exceed l = ${l}.`);
  const px = S * S, opx = O * O, off = Math.floor((S - O) / 2);
  const norm = opts.normalization;
  const aug = opts.augment ?? null;
  const plan = aug && (aug.rot90 !== 0 || aug.flip || aug.angle !== 0)
    ? samplingPlan(aug, S, O)
    : null;
  const tmp = plan ? new Float32Array(px) : null;
  const t0 = positions.length > 0 ? src.mjd[src.first + positions[0]!]! : 0;
  const rowBase = row * l;
  batch.t0[row] = t0;
  for (let t = 0; t < l; t++) {
    const dst = batch.frames.subarray((rowBase + t) * opx, (rowBase + t + 1) * opx);
    const p = positions[t];
    if (p === undefined) {
      dst.fill(0);
      batch.bands[rowBase + t] = 0;
      batch.mjd[rowBase + t] = 0;
      batch.mask[rowBase + t] = 0;
      continue;
    }
    const b = src.bands[src.first + p]!;
    const mean = norm ? norm.mean[b - 1] ?? 0 : 0;
    const inv = norm ? 1 / (norm.std[b - 1] ?? 1) : 1;
    const base = p * px;
    if (!plan) {
      for (let y = 0; y < O; y++) {
        const s = base + (y + off) * S + off, d = y * O;
        for (let x = 0; x < O; x++) {
          const v = src.pixels[s + x]!;
          dst[d + x] = v === v ? (v - mean) * inv : 0;
        }
      }
    } else {
      for (let i = 0; i < px; i++) {
        const v = src.pixels[base + i]!;
        tmp![i] = v === v ? (v - mean) * inv : 0;
      }
      const { index, weight } = plan;
      if (plan.exact) {
        for (let i = 0; i < opx; i++) {
          const ix = index[i * 4]!;
          dst[i] = ix >= 0 ? tmp![ix]! : 0;
        }
      } else {
        for (let i = 0; i < opx; i++) {
          const k = i * 4;
          let v = 0;
          for (let j = 0; j < 4; j++) {
            const ix = index[k + j]!;
            if (ix >= 0) v += weight[k + j]! * tmp![ix]!;
          }
          dst[i] = v;
        }
      }
    }
    if (aug && aug.noise > 0) {
      const rng = opts.rng;
      if (!rng) throw new RangeError("Noise augmentation needs an rng.");
      // A random odd-stride walk through a fixed table of N(0, 1) draws: distinct
      // table entries for every pixel of the frame, at a fraction of the cost of a
      // fresh Gaussian draw per pixel.
      const table = noiseTable();
      let k = rng.nextUint32() & NOISE_MASK;
      const stride = (rng.nextUint32() & NOISE_MASK) | 1;
      for (let i = 0; i < opx; i++) {
        dst[i] = dst[i]! + aug.noise * table[k]!;
        k = (k + stride) & NOISE_MASK;
      }
    }
    batch.bands[rowBase + t] = b;
    batch.mjd[rowBase + t] = src.mjd[src.first + p]! - t0;
    batch.mask[rowBase + t] = 1;
  }
}
