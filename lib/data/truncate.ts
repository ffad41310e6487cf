/**
 * Random truncation, a training augmentation for early classification (`data.truncate`, the
 * `augment.truncate` of the evaluation issue): with probability `prob` a training series is cut
 * at `d` days after its first frame before its window is chosen, `d` drawn log-uniform between
 * `minDays` and the series' whole span, so that the model also learns from the partial series it
 * will be asked to classify early (the evaluation's cuts at 5, 10, 20, 40 days). The cut removes
 * the later frames and adds none (lib/data/cut.ts). Off by default (`prob` 0): the paper trains on
 * whole series.
 *
 * The draws come from their own stream (the row seed hashed with `truncate`), so turning the
 * augmentation on leaves every other draw of a row (window, rotation, noise) as it was.
 *
 * @module
 */
import { hashSeed, Rng } from "../util/rng.ts";
import { cutCount } from "./cut.ts";

/** How often and how short training series are cut. */
export interface TruncateConfig {
  /** Probability that a training series is cut (0 = never). */
  prob: number;
  /** Shortest cut, in days after the first frame (> 0). */
  minDays: number;
}

/** The default when truncation is asked for without settings: half the series, from 3 days. */
export const DEFAULT_TRUNCATE: Readonly<TruncateConfig> = Object.freeze({ prob: 0.5, minDays: 3 });

/**
 * How many of an object's `count` time-ordered frames a training row keeps: all of them, or with
 * probability `cfg.prob` the prefix up to a random cut. Deterministic in `seed`.
 *
 * @param mjd Frame MJDs of the store.
 * @param first The object's first frame.
 * @param count Its frame count.
 * @param seed The row's seed.
 * @param cfg The augmentation (null or `prob` 0: all frames).
 * @example
 * ```ts
 * import { truncatedCount } from "./truncate.ts";
 * const mjd = [0, 1, 2, 4, 8, 16, 32, 64];
 * const n = truncatedCount(mjd, 0, 8, 7, { prob: 1, minDays: 3 });
 * if (!(n >= 4 && n <= 8)) throw new Error("example check failed"); // cut at 3..64 days
 * ```
 */
export function truncatedCount(
  mjd: ArrayLike<number>,
  first: number,
  count: number,
  seed: number,
  cfg: TruncateConfig | null | undefined,
): number {
  if (!cfg || cfg.prob <= 0 || count < 2) return count;
  const rng = new Rng(hashSeed("truncate", seed >>> 0));
  if (!rng.bernoulli(cfg.prob)) return count;
  const span = mjd[first + count - 1]! - mjd[first]!;
  if (!(span > cfg.minDays)) return count;
  const days = cfg.minDays * Math.exp(rng.uniform(0, Math.log(span / cfg.minDays)));
  return Math.max(1, cutCount(mjd, first, count, { days }));
}
