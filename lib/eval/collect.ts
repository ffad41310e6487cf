/**
 * One inference pass over a run's test objects: logits, labels, frames used
 * and the misclassified objects kept for the report's gallery.
 *
 * @module
 */
import { Progress } from "../util/progress.ts";
import type { Store } from "../data/store.ts";
import { evalBatches } from "../data/loader.ts";
import type { Batch } from "../data/batch.ts";
import type { SeriesCut } from "../data/cut.ts";
import type { LoadedRun } from "../train/load_run.ts";
import { batchLogits, rowArgmax } from "../train/infer.ts";
import { stretchBatch } from "../train/stretch.ts";
import type { StampFrame } from "./stamps.ts";

/** A misclassified object kept for the gallery. */
export interface PendingGallery {
  /** Object id. */
  id: string;
  /** True class index. */
  truth: number;
  /** Predicted class index. */
  pred: number;
  /** Row index in {@link Collected} (its logits). */
  row: number;
  /** The frames the model saw. */
  frames: StampFrame[];
}

/** What the pass collected, in test order (objects with a label only). */
export interface Collected {
  /** Object ids. */
  ids: string[];
  /** True class per object. */
  labels: number[];
  /** Row-major `[n, C]` logits. */
  logits: number[];
  /** Real frames the model saw per object. */
  nFrames: number[];
  /** Misclassified objects (at most `galleryMax`). */
  gallery: PendingGallery[];
  /** All misclassified objects. */
  misclassified: number;
}

/** Options of {@link collectPredictions}. */
export interface CollectOptions {
  /** Objects per batch. */
  batchSize: number;
  /** Gallery size. */
  galleryMax: number;
  /** Progress label. */
  label: string;
  /** Live progress bar. */
  tty?: boolean;
  /** Only the frames up to this cut (early classification; default all). */
  cut?: SeriesCut | null;
}

function objectFrames(batch: Batch, row: number, bands: readonly string[]): StampFrame[] {
  const { length: l, height: h, width: w } = batch;
  const out: StampFrame[] = [];
  for (let f = 0; f < l; f++) {
    const k = row * l + f;
    const b = batch.bands[k]!;
    if (b <= 0) continue;
    const start = k * h * w;
    out.push({
      band: bands[b - 1] ?? String(b),
      mjd: batch.mjd[k]!,
      width: w,
      height: h,
      pixels: batch.frames.slice(start, start + h * w),
    });
  }
  return out;
}

/**
 * Runs the model over `ids` of `store` (inference mode) and collects logits,
 * labels and the gallery.
 */
export async function collectPredictions<I>(
  run: LoadedRun<I>,
  store: Store,
  ids: readonly string[],
  opts: CollectOptions,
): Promise<Collected> {
  const { config, entry, model } = run;
  const c = run.info.classes.length;
  const stream = evalBatches(store, ids, {
    batchSize: opts.batchSize,
    length: run.length,
    size: run.size,
    normalization: run.normalization,
    prefetch: config.data.workers > 0 ? 2 : 0,
    workers: Math.max(1, config.data.workers),
    cut: opts.cut ?? null,
  });
  const progress = new Progress(opts.label, stream.rows, "objects", opts.tty);
  const out: Collected = {
    ids: [],
    labels: [],
    logits: [],
    nFrames: [],
    gallery: [],
    misclassified: 0,
  };
  for await (const batch of stream) {
    stretchBatch(batch, config.data.stretch ?? null);
    const z = await batchLogits(entry, model, batch);
    for (let i = 0; i < batch.batchSize; i++) {
      const y = batch.labels[i]!;
      if (y < 0) continue;
      let frames = 0;
      for (let f = 0; f < batch.length; f++) {
        frames += batch.mask[i * batch.length + f]! > 0 ? 1 : 0;
      }
      const row = out.labels.length;
      out.labels.push(y);
      for (let k = 0; k < c; k++) out.logits.push(z[i * c + k]!);
      out.ids.push(batch.ids[i]!);
      out.nFrames.push(frames);
      const pred = rowArgmax(z, c, i);
      if (pred === y) continue;
      out.misclassified++;
      if (out.gallery.length < opts.galleryMax) {
        out.gallery.push({
          id: batch.ids[i]!,
          truth: y,
          pred,
          row,
          frames: objectFrames(batch, i, store.bands),
        });
      }
    }
    progress.tick(batch.batchSize);
  }
  progress.done(undefined, true);
  return out;
}
