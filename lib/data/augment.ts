/**
 * Seeded augmentations for the duplicated objects of a balanced epoch. One
 * draw of {@link AugmentParams} is applied to every frame of a series (same
 * rotation, flip and noise level), so the series stays consistent in time.
 *
 * - geometry: a rotation by a multiple of 90 degrees and a horizontal flip
 *   (together: the 8 symmetries of the square, exact), then, with
 *   probability `smallAngleProb`, a small rotation uniform in
 *   `[-maxAngle, maxAngle]` degrees (bilinear; outside pixels are 0, the band
 *   mean). Rotations are about the stamp centre and done on the store stamp
 *   before the central crop to the model size;
 * - frame dropping: each frame is dropped with probability `dropProb`
 *   (at least one frame stays);
 * - time shift of the crop window: 0..`maxShift` frames are removed at one
 *   end (chosen at random) before the window is chosen;
 * - noise: Gaussian noise of standard deviation `noise` (in normalised units)
 *   added to every pixel of the real frames.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";

/** Which augmentations to draw, and how strong. */
export interface AugmentConfig {
  /** Rotations by multiples of 90 degrees (default true). */
  rot90: boolean;
  /** Horizontal flips (default true). */
  flip: boolean;
  /** Largest small-angle rotation in degrees (default 15; 0 = none). */
  maxAngle: number;
  /** Probability of a small-angle rotation (default 0.5). */
  smallAngleProb: number;
  /** Probability of dropping each frame (default 0.1). */
  dropProb: number;
  /** Largest shift of the crop window, in frames (default 3). */
  maxShift: number;
  /** Standard deviation of added noise, normalised units (default 0.05). */
  noise: number;
  /** Also augment the originals, not only the duplicates (default false). */
  originals: boolean;
}

/** The defaults described in the module doc. */
export const DEFAULT_AUGMENT: Readonly<AugmentConfig> = Object.freeze({
  rot90: true,
  flip: true,
  maxAngle: 15,
  smallAngleProb: 0.5,
  dropProb: 0.1,
  maxShift: 3,
  noise: 0.05,
  originals: false,
});

/** One draw of geometric/photometric augmentation for a whole series. */
export interface AugmentParams {
  /** Quarter turns (0..3). */
  rot90: number;
  /** Horizontal flip (applied before the rotation). */
  flip: boolean;
  /** Small rotation angle in radians (0 = none). */
  angle: number;
  /** Noise standard deviation (0 = none). */
  noise: number;
}

/** Resolves a partial config (or `true`/`false`) against the defaults; null = no augmentation. */
export function resolveAugment(
  aug: boolean | Partial<AugmentConfig> | undefined | null,
): AugmentConfig | null {
  if (aug === false || aug === null || aug === undefined) return null;
  if (aug === true) return { ...DEFAULT_AUGMENT };
  return { ...DEFAULT_AUGMENT, ...aug };
}

/** Draws the geometric/photometric parameters of one augmented series. */
export function drawAugment(rng: Rng, cfg: AugmentConfig): AugmentParams {
  const rot90 = cfg.rot90 ? rng.int(0, 3) : 0;
  const flip = cfg.flip ? rng.bernoulli(0.5) : false;
  const angle = cfg.maxAngle > 0 && rng.bernoulli(cfg.smallAngleProb)
    ? rng.uniform(-cfg.maxAngle, cfg.maxAngle) * Math.PI / 180
    : 0;
  return { rot90, flip, angle, noise: cfg.noise };
}

/**
 * Frame dropping and time shift: returns the positions (0..n-1, increasing)
 * left for the window choice.
 */
export function augmentPositions(n: number, rng: Rng, cfg: AugmentConfig): number[] {
  let pos = Array.from({ length: n }, (_, i) => i);
  if (cfg.maxShift > 0 && n > 1) {
    const s = Math.min(rng.int(0, cfg.maxShift), n - 1);
    pos = rng.bernoulli(0.5) ? pos.slice(s) : pos.slice(0, n - s);
  }
  if (cfg.dropProb > 0 && pos.length > 1) {
    const kept = pos.filter(() => !rng.bernoulli(cfg.dropProb));
    pos = kept.length > 0 ? kept : [pos[rng.int(0, pos.length - 1)]!];
  }
  return pos;
}

/** Bilinear sampling plan of one geometric transform: 4 source indices and weights per pixel. */
export interface SamplingPlan {
  /** `[out * out * 4]` source pixel index (in the `size x size` stamp), -1 = outside. */
  index: Int32Array;
  /** `[out * out * 4]` weights. */
  weight: Float32Array;
  /** True when every output pixel copies one source pixel (no small angle). */
  exact: boolean;
}

/**
 * Builds the sampling plan that maps an `out x out` output (central crop) to
 * a `size x size` source under flip, quarter turns and a small rotation about
 * the centre. With `angle = 0` every output pixel takes exactly one source
 * pixel (weight 1).
 */
export function samplingPlan(p: AugmentParams, size: number, out: number): SamplingPlan {
  const c = (size - 1) / 2, off = Math.floor((size - out) / 2);
  const index = new Int32Array(out * out * 4).fill(-1);
  const weight = new Float32Array(out * out * 4);
  const cos = Math.cos(p.angle), sin = Math.sin(p.angle);
  for (let y = 0; y < out; y++) {
    for (let x = 0; x < out; x++) {
      let u = x + off - c, v = y + off - c;
      // Inverse small rotation.
      if (p.angle !== 0) {
        const u2 = cos * u + sin * v, v2 = -sin * u + cos * v;
        u = u2;
        v = v2;
      }
      // Inverse quarter turns: forward (u, v) -> (-v, u), inverse (u, v) -> (v, -u).
      for (let k = 0; k < p.rot90; k++) {
        const t = u;
        u = v;
        v = -t;
      }
      if (p.flip) u = -u;
      const sx = u + c, sy = v + c, o = (y * out + x) * 4;
      if (p.angle === 0) {
        const ix = Math.round(sx), iy = Math.round(sy);
        if (ix >= 0 && ix < size && iy >= 0 && iy < size) {
          index[o] = iy * size + ix;
          weight[o] = 1;
        }
        continue;
      }
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      const corners = [[x0, y0, (1 - fx) * (1 - fy)], [x0 + 1, y0, fx * (1 - fy)], [
        x0,
        y0 + 1,
        (1 - fx) * fy,
      ], [x0 + 1, y0 + 1, fx * fy]] as const;
      corners.forEach(([cx, cy, w], k) => {
        if (cx >= 0 && cx < size && cy >= 0 && cy < size && w > 0) {
          index[o + k] = cy * size + cx;
          weight[o + k] = w;
        }
      });
    }
  }
  return { index, weight, exact: p.angle === 0 };
}
