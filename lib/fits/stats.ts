/**
 * Pixel statistics of an image: finite-pixel sum (compensated), min, max,
 * mean, NaN and infinity counts.
 *
 * @module
 */
import type { PixelArray } from "./types.ts";

/** Statistics over the finite pixels of an image. */
export interface PixelStats {
  /** Number of pixels. */
  count: number;
  /** Number of finite pixels. */
  finite: number;
  /** Sum of the finite pixels (exact for 64-bit integers up to rounding of the result). */
  sum: number;
  /** Smallest finite pixel (NaN when none). */
  min: number;
  /** Largest finite pixel (NaN when none). */
  max: number;
  /** Mean of the finite pixels (NaN when none). */
  mean: number;
  /** Number of NaN pixels. */
  nan: number;
  /** Number of infinite pixels. */
  inf: number;
}

/**
 * Computes {@link PixelStats} (Neumaier-compensated sum for floats, exact
 * BigInt sum for 64-bit integers).
 *
 * @example
 * ```ts
 * import { pixelStats } from "./stats.ts";
 * const s = pixelStats(new Float32Array([1, NaN, 3]));
 * if (!(s.sum === 4 && s.nan === 1 && s.mean === 2)) throw new Error("example check failed");
 * ```
 */
export function pixelStats(data: PixelArray): PixelStats {
  const n = data.length;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    let sum = 0n;
    let min: bigint | undefined, max: bigint | undefined;
    for (let i = 0; i < n; i++) {
      const v = data[i]!;
      sum += v;
      if (min === undefined || v < min) min = v;
      if (max === undefined || v > max) max = v;
    }
    const s = Number(sum);
    return {
      count: n,
      finite: n,
      sum: s,
      min: min === undefined ? NaN : Number(min),
      max: max === undefined ? NaN : Number(max),
      mean: n ? Number(sum) / n : NaN,
      nan: 0,
      inf: 0,
    };
  }
  const d = data as ArrayLike<number>;
  let sum = 0, c = 0, min = Infinity, max = -Infinity, nan = 0, inf = 0, finite = 0;
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    if (v - v !== 0) {
      if (v !== v) nan++;
      else inf++;
      continue;
    }
    finite++;
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += (sum - t) + v;
    else c += (v - t) + sum;
    sum = t;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const total = sum + c;
  return {
    count: n,
    finite,
    sum: total,
    min: finite ? min : NaN,
    max: finite ? max : NaN,
    mean: finite ? total / finite : NaN,
    nan,
    inf,
  };
}
