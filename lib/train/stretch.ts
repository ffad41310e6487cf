/**
 * An optional asinh stretch of the normalised pixels, `x -> asinh(x / s)`,
 * applied to every batch the model sees (training, validation, evaluation,
 * prediction) when `data.stretch` is set to the softening `s` (in units of
 * the per-band standard deviation).
 *
 * Why: astronomical stamps are heavy-tailed. After the paper's per-band
 * mean/std normalisation, the standard deviation is set by the few bright
 * objects, so a typical object's pixels are ~0.1 while a bright star's reach
 * 100. BatchNorm then normalises each training batch by statistics dominated
 * by whichever bright object it holds, while inference uses running
 * averages that fit no single batch; on the simulated survey this made the
 * inference-mode model collapse onto one class. The asinh stretch (Lupton et
 * al. 1999) is linear below `s` and logarithmic above, so faint and bright
 * objects share a usable range; it is monotonic and keeps 0 at 0 (padding).
 *
 * @module
 */
import type { Batch } from "../data/batch.ts";

/**
 * Stretches `batch.frames` in place with `asinh(x / softening)`; `null` leaves
 * the batch unchanged. Returns the batch.
 */
export function stretchBatch(batch: Batch, softening: number | null): Batch {
  if (softening === null) return batch;
  const f = batch.frames, inv = 1 / softening;
  for (let i = 0; i < f.length; i++) f[i] = Math.asinh(f[i]! * inv);
  return batch;
}
