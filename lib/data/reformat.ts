/**
 * Reformatting a series as in paper §3.1: every multi-band epoch is split
 * into single-band frames (a missing band is simply absent), frames are
 * ordered by time (then band id), each carries its band id (1..B, 0 =
 * padding) and its MJD, and the series is brought to a fixed length `l`
 * (99 by default):
 *
 * - shorter series are padded at the end with zero frames of band 0 and
 *   mask 0;
 * - longer series, in **training**, get a random window with random frame
 *   dropping ({@link selectTrainWindow}); in **evaluation**, the
 *   deterministic window of `l` consecutive frames centred on the brightest
 *   frame ({@link selectEvalWindow}).
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import type { BandMap } from "../survey/bands.ts";
import type { ObjectSeries } from "../survey/series.ts";
import { brightnessScore, fitStamp } from "./stamp.ts";
import { type Batch, emptyBatch } from "./batch.ts";
import { fillSample, type SampleSource } from "./sample.ts";
import type { Normalization } from "./normalization.ts";

/** The paper's sequence length. */
export const DEFAULT_LENGTH = 99;

/** Options of {@link selectTrainWindow}. */
export interface TrainWindowOptions {
  /**
   * Largest fraction of extra frames dropped at random inside the window
   * (default 0.25): the window spans up to `l * (1 + maxDrop)` frames and
   * frames are removed at random until `l` remain, keeping time order.
   */
  maxDrop?: number;
}

/**
 * Training-time choice of at most `l` frames among `n` time-ordered ones.
 * For `n <= l`, all frames. For `n > l`: draws a span `w` uniformly in
 * `[l, min(n, floor(l * (1 + maxDrop)))]`, a random start for that span, then
 * drops `w - l` frames of the span at random (time order kept). With
 * `maxDrop = 0` this is the plain random window of the paper; the dropping
 * is the "random dropping of frames for series longer than l" of the
 * authors' code.
 *
 * @returns Frame positions, increasing.
 */
export function selectTrainWindow(
  n: number,
  l: number,
  rng: Rng,
  opts: TrainWindowOptions = {},
): number[] {
  if (n <= l) return Array.from({ length: n }, (_, i) => i);
  const maxDrop = opts.maxDrop ?? 0.25;
  const wMax = Math.max(l, Math.min(n, Math.floor(l * (1 + maxDrop))));
  const w = rng.int(l, wMax);
  const start = rng.int(0, n - w);
  const span = Array.from({ length: w }, (_, i) => start + i);
  // Drop w - l positions: partial Fisher-Yates picks the ones to keep.
  for (let i = 0; i < l; i++) {
    const j = i + Math.floor(rng.next() * (w - i));
    const t = span[i]!;
    span[i] = span[j]!;
    span[j] = t;
  }
  return span.slice(0, l).sort((a, b) => a - b);
}

/**
 * Index of the brightest frame: the largest finite brightness score
 * (`brightnessScore`: background-subtracted central-aperture flux over its
 * noise); ties go to the earliest; with no finite score, the middle frame.
 */
export function brightestFrame(scores: ArrayLike<number>, from = 0, n = scores.length): number {
  let best = -1, bestScore = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = scores[from + i]!;
    if (Number.isFinite(s) && s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return best < 0 ? Math.floor((n - 1) / 2) : best;
}

/**
 * Evaluation-time window: for `n <= l` all frames; else the `l` consecutive
 * frames centred on the brightest frame `k` (start = `k - floor(l / 2)`,
 * clamped to `[0, n - l]`). Deterministic.
 *
 * @param scores Brightness score per frame (`from .. from + n`).
 * @returns Frame positions, increasing (relative to `from`).
 */
export function selectEvalWindow(
  scores: ArrayLike<number>,
  l: number,
  from = 0,
  n = scores.length,
): number[] {
  if (n <= l) return Array.from({ length: n }, (_, i) => i);
  const k = brightestFrame(scores, from, n);
  const start = Math.min(Math.max(0, k - Math.floor(l / 2)), n - l);
  return Array.from({ length: l }, (_, i) => start + i);
}

/** A series with its frames fitted, ordered and given band ids. */
export interface OrderedSeries {
  /** `[n, size, size]` pixels, NaN = invalid. */
  pixels: Float32Array;
  /** Band id per frame (1..B). */
  bands: Uint8Array;
  /** MJD per frame. */
  mjd: Float64Array;
  /** Brightness score per frame. */
  score: Float32Array;
  /** Number of frames. */
  n: number;
  /** Frames dropped because their band is not in the band map. */
  unknownBand: number;
}

/**
 * Splits nothing and invents nothing: keeps the frames whose band is in the
 * map, fits each to `size` (centre-crop / zero-pad), and orders them by MJD,
 * then band id (a stable order for same-time frames).
 */
export function orderSeries(series: ObjectSeries, bands: BandMap, size: number): OrderedSeries {
  const kept = series.frames
    .map((f) => ({ f, id: bands.id(f.band) }))
    .filter((x) => x.id > 0)
    .sort((a, b) => a.f.mjd - b.f.mjd || a.id - b.id);
  const n = kept.length, px = size * size;
  const out: OrderedSeries = {
    pixels: new Float32Array(n * px),
    bands: new Uint8Array(n),
    mjd: new Float64Array(n),
    score: new Float32Array(n),
    n,
    unknownBand: series.frames.length - n,
  };
  kept.forEach(({ f, id }, i) => {
    const s = fitStamp(f, size);
    out.pixels.set(s.pixels, i * px);
    out.bands[i] = id;
    out.mjd[i] = f.mjd;
    out.score[i] = brightnessScore(s.pixels, size);
  });
  return out;
}

/** Options of {@link reformatSeries}. */
export interface ReformatOptions {
  /** Band map (ids 1..B). */
  bands: BandMap;
  /** Sequence length l (default 99). */
  length?: number;
  /** Stamp side in pixels (default: the first frame's width, else 32). */
  size?: number;
  /** `eval` (default): window around the brightest frame; `train`: random window. */
  mode?: "train" | "eval";
  /** Generator for `train` mode. */
  rng?: Rng;
  /** Per-band normalisation to apply; none by default (invalid pixels still become 0). */
  normalization?: Normalization | null;
  /** Class names, to fill `labels` (default: label unknown, -1). */
  classes?: readonly string[];
}

/**
 * Reformats one in-memory series into a one-object {@link Batch}
 * `[1, l, size, size]` with band ids, MJDs relative to the first kept frame,
 * and the frame mask (1 = real frame, 0 = padding). The loader produces the
 * same numbers from a store.
 *
 * @example
 * ```ts
 * import { reformatSeries } from "./reformat.ts";
 * import { BandMap } from "../survey/bands.ts";
 * const px = new Float32Array(4).fill(1);
 * const b = reformatSeries({
 *   id: "x", label: null, confirmed: false,
 *   frames: [{ mjd: 10, band: "r", width: 2, height: 2, pixels: px },
 *            { mjd: 10, band: "g", width: 2, height: 2, pixels: px }],
 * }, { bands: new BandMap(), length: 4, size: 2 });
 * console.log([...b.bands]); // [2, 3, 0, 0]
 * ```
 */
export function reformatSeries(series: ObjectSeries, opts: ReformatOptions): Batch {
  const l = opts.length ?? DEFAULT_LENGTH;
  const size = opts.size ?? series.frames[0]?.width ?? 32;
  const o = orderSeries(series, opts.bands, size);
  const positions = opts.mode === "train"
    ? selectTrainWindow(o.n, l, opts.rng ?? throwNoRng())
    : selectEvalWindow(o.score, l);
  const batch = emptyBatch(1, l, size, size);
  const src: SampleSource = { pixels: o.pixels, bands: o.bands, mjd: o.mjd, first: 0, size };
  fillSample(batch, 0, src, positions, { normalization: opts.normalization ?? null });
  const ci = series.label === null ? -1 : (opts.classes ?? []).indexOf(series.label);
  batch.labels[0] = ci;
  batch.ids[0] = series.id;
  return batch;
}

function throwNoRng(): never {
  throw new RangeError("reformatSeries in train mode needs an `rng`.");
}
