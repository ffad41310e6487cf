/**
 * Early classification: an object's series cut at a date, the epochs after
 * it removed and nothing added. Two forms of the date: an absolute MJD
 * (`predict --as-of`), or days after the object's first epoch (the
 * evaluation's cuts at 5, 10, 20, 40 days).
 *
 * @module
 */
import type { ObjectSeries } from "../survey/series.ts";

/** Where to cut a series: an absolute MJD, or days after its first epoch (both: the earlier). */
export interface SeriesCut {
  /** Keep epochs with MJD <= this. */
  mjd?: number;
  /** Keep epochs at most this many days after the first one. */
  days?: number;
}

/** The last MJD kept by `cut` for a series whose first epoch is at `first`. */
export function cutLimit(first: number, cut: SeriesCut): number {
  let limit = Infinity;
  if (cut.mjd !== undefined) limit = Math.min(limit, cut.mjd);
  if (cut.days !== undefined) limit = Math.min(limit, first + cut.days);
  return limit;
}

/**
 * How many of the `count` time-ordered frames from `first` in `mjd` are kept
 * by `cut` (a prefix: the frames after the limit go).
 *
 * @example
 * ```ts
 * import { cutCount } from "./cut.ts";
 * cutCount([50, 52, 61, 70], 0, 4, { days: 10 }); // 2: MJD 50 and 52 (61 is 11 days on)
 * ```
 */
export function cutCount(
  mjd: ArrayLike<number>,
  first: number,
  count: number,
  cut: SeriesCut | null | undefined,
): number {
  if (!cut || count === 0) return count;
  const limit = cutLimit(mjd[first]!, cut);
  let k = 0;
  while (k < count && mjd[first + k]! <= limit) k++;
  return k;
}

/**
 * The series with only the frames up to the cut (frames in any order; the
 * first epoch is the earliest MJD). Never adds or changes a frame.
 *
 * @param series An object's series.
 * @param cut The date.
 */
export function cutSeries(series: ObjectSeries, cut: SeriesCut): ObjectSeries {
  if (series.frames.length === 0) return series;
  const first = Math.min(...series.frames.map((f) => f.mjd));
  const limit = cutLimit(first, cut);
  return { ...series, frames: series.frames.filter((f) => f.mjd <= limit) };
}
