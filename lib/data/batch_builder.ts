/**
 * Builds one {@link Batch} from a store and a list of visits: the
 * synchronous core shared by the in-thread loader and the loader worker, so
 * both give bit-identical batches.
 *
 * @module
 */
import { Rng } from "../util/rng.ts";
import type { Store } from "./store.ts";
import { type Batch, emptyBatch } from "./batch.ts";
import { selectEvalWindow, selectTrainWindow } from "./reformat.ts";
import { type AugmentConfig, augmentPositions, drawAugment } from "./augment.ts";
import { fillSample } from "./sample.ts";
import { cutCount, type SeriesCut } from "./cut.ts";
import { type TruncateConfig, truncatedCount } from "./truncate.ts";
import type { Normalization } from "./normalization.ts";

/** One row of a batch to build. */
export interface Visit {
  /** Object index in the store. */
  object: number;
  /** Class index written to `labels` (-1 unknown). */
  label: number;
  /** Augmented duplicate. */
  duplicate: boolean;
  /** Seed of the row's random draws (unused in eval mode). */
  seed: number;
}

/** How rows are made. */
export interface BuildOptions {
  /** `train`: random window (+ augmentation); `eval`: window around the brightest frame. */
  mode: "train" | "eval";
  /** Sequence length l. */
  length: number;
  /** Output stamp side (centre crop of the store stamp). */
  size: number;
  /** Per-band normalisation, or null. */
  normalization: Normalization | null;
  /** Augmentation config for duplicates (and originals if `originals`), or null. */
  augment: AugmentConfig | null;
  /** `maxDrop` of the training window. */
  maxDrop: number;
  /** Eval mode: only the frames up to this cut (early classification; absent: all). */
  cut?: SeriesCut | null;
  /** Train mode: random truncation of the series (lib/data/truncate.ts; absent: none). */
  truncate?: TruncateConfig | null;
}

/** Builds the batch for `visits` (one row each). */
export function buildBatch(store: Store, visits: readonly Visit[], opts: BuildOptions): Batch {
  const batch = emptyBatch(visits.length, opts.length, opts.size, opts.size);
  visits.forEach((v, row) => {
    const o = store.objects[v.object]!;
    const src = {
      pixels: store.readObject(v.object),
      bands: store.band,
      mjd: store.mjd,
      first: o.first,
      size: store.size,
    };
    let positions: number[];
    let rng: Rng | undefined;
    let augment = null;
    if (opts.mode === "eval") {
      const count = cutCount(store.mjd, o.first, o.count, opts.cut);
      positions = selectEvalWindow(store.score, opts.length, o.first, count);
    } else {
      rng = new Rng(v.seed);
      const count = truncatedCount(store.mjd, o.first, o.count, v.seed, opts.truncate);
      const cfg = opts.augment;
      if (cfg && (v.duplicate || cfg.originals)) {
        const pool = augmentPositions(count, rng, cfg);
        positions = selectTrainWindow(pool.length, opts.length, rng, { maxDrop: opts.maxDrop })
          .map((i) => pool[i]!);
        augment = drawAugment(rng, cfg);
      } else {
        positions = selectTrainWindow(count, opts.length, rng, { maxDrop: opts.maxDrop });
      }
    }
    fillSample(batch, row, src, positions, {
      normalization: opts.normalization,
      augment,
      rng,
    });
    batch.labels[row] = v.label;
    batch.ids[row] = o.id;
  });
  return batch;
}
