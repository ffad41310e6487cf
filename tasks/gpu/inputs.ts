/**
 * Seeded synthetic inputs for the correctness and speed steps: frames from a
 * normal distribution, band ids 1..5 with the tail of each series padded
 * (band 0, zero frames), labels uniform over the classes.
 *
 * @module
 */
import { Rng } from "../../lib/util/rng.ts";

/** Plain-array input of `batch` objects of `l` frames of `size x size`. */
export interface RawInput {
  batch: number;
  length: number;
  size: number;
  /** `[batch, l, size, size]`. */
  frames: Float32Array;
  /** `[batch, l]`, 0 = padding. */
  bands: Int32Array;
  /** `[batch]`. */
  labels: Int32Array;
}

/**
 * Makes a deterministic synthetic batch.
 *
 * @param seed Seed of the draws.
 * @param bands Number of bands (ids 1..bands).
 * @param classes Number of classes.
 */
export function syntheticInput(
  batch: number,
  length: number,
  size: number,
  seed: number,
  bands = 5,
  classes = 4,
): RawInput {
  const rng = Rng.derive(seed, "gpu-check-input");
  const px = size * size;
  const frames = new Float32Array(batch * length * px);
  const bandIds = new Int32Array(batch * length);
  const labels = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    // Between 3/4 of l and all l frames are real; the rest is padding.
    const real = length - rng.int(0, Math.floor(length / 4));
    for (let t = 0; t < real; t++) {
      bandIds[b * length + t] = rng.int(1, bands);
      const base = (b * length + t) * px;
      for (let i = 0; i < px; i++) frames[base + i] = rng.normal();
    }
    labels[b] = rng.int(0, classes - 1);
  }
  return { batch, length, size, frames, bands: bandIds, labels };
}
