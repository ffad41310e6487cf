/**
 * The same epochs for every model (issue 16, item 5): a light curve restricted to the band-frames
 * an image model sees in one batch row. The loader chooses the window (training: a random window
 * with frame dropping and augmentation; evaluation: the `l` frames around the brightest, cut at
 * the early-classification date), and a light-curve model keeps only the photometry points of
 * those frames: same band, same MJD. So image and light-curve models of a comparison are trained
 * and tested on the same information, early cuts included.
 *
 * @module
 */
import type { Batch } from "../data/batch.ts";
import type { Store } from "../data/store.ts";
import { selectEvalWindow } from "../data/reformat.ts";
import type { LightCurve } from "./photometry.ts";

/**
 * Largest MJD difference (days) at which a photometry point is the point of a frame: the batch
 * stores frame times as float32 days since the window start (about 2e-4 d of rounding over a
 * decade); frames of one band are at least hours apart.
 */
export const FRAME_MATCH_DAYS = 0.01;

/** The light curve with only the points measured on `frames` (same band, MJD within tolerance). */
function onFrames(
  lc: LightCurve,
  frames: readonly { band: string | undefined; mjd: number }[],
): LightCurve {
  const points = lc.points.filter((p) =>
    frames.some((f) => f.band === p.band && Math.abs(f.mjd - p.mjd) <= FRAME_MATCH_DAYS)
  );
  return { ...lc, points };
}

/**
 * The points of `lc` measured on the real frames of batch row `row` (same band id, MJD within
 * {@link FRAME_MATCH_DAYS}); frames without a point (photometry skipped them) add nothing.
 *
 * @param lc The object's whole light curve (undefined: none).
 * @param batch A loader batch.
 * @param row Its row.
 * @param bands Band names in band-id order (band id k is `bands[k - 1]`).
 * @example
 * ```ts
 * import { windowLightCurve } from "./lc_window.ts";
 * import { emptyBatch } from "../data/batch.ts";
 * const b = emptyBatch(1, 2, 1, 1);
 * b.t0[0] = 100; b.bands.set([1, 2]); b.mjd.set([0, 3]); b.mask.set([1, 1]);
 * const lc = { id: "a", skipped: 0, points: [
 *   { mjd: 100, band: "g", flux: 1, fluxErr: 1 }, { mjd: 100, band: "r", flux: 2, fluxErr: 1 },
 *   { mjd: 103, band: "r", flux: 3, fluxErr: 1 }, { mjd: 140, band: "g", flux: 4, fluxErr: 1 },
 * ] };
 * const w = windowLightCurve(lc, b, 0, ["g", "r"]);
 * if (w?.points.map((p) => p.flux).join() !== "1,3") throw new Error("example check failed");
 * ```
 */
export function windowLightCurve(
  lc: LightCurve | undefined,
  batch: Batch,
  row: number,
  bands: readonly string[],
): LightCurve | undefined {
  if (!lc) return undefined;
  const l = batch.length, t0 = batch.t0[row]!;
  const frames: { band: string; mjd: number }[] = [];
  for (let t = 0; t < l; t++) {
    const k = row * l + t;
    if (batch.mask[k]! <= 0) continue;
    const band = bands[batch.bands[k]! - 1];
    if (band !== undefined) frames.push({ band, mjd: t0 + batch.mjd[k]! });
  }
  return onFrames(lc, frames);
}

/**
 * The points of `lc` measured on the frames of a store object's evaluation window: the `frames`
 * consecutive band-frames around its brightest frame that image models are tested on
 * (`selectEvalWindow`). SCONE's GP heatmaps are fitted on these (a heatmap is made once per
 * object, so it cannot follow a training window or an early cut).
 *
 * @param lc The object's whole light curve (undefined: none).
 * @param store The store.
 * @param object The object's index in the store.
 * @param frames Window length l.
 */
export function evalWindowLightCurve(
  lc: LightCurve | undefined,
  store: Store,
  object: number,
  frames: number,
): LightCurve | undefined {
  if (!lc) return undefined;
  const o = store.objects[object]!;
  const kept = selectEvalWindow(store.score, frames, o.first, o.count).map((p) => ({
    band: store.bands[store.band[o.first + p]! - 1],
    mjd: store.mjd[o.first + p]!,
  }));
  return onFrames(lc, kept);
}
