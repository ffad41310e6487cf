/**
 * What every ingest source has in common: an async stream of objects, each
 * either an {@link ObjectSeries} or nothing (skipped), with the problems met
 * while reading it. The simulator layout, the manifest CSV, the folder of
 * per-epoch FITS and the ZTF alert reader all implement {@link ObjectSource},
 * so `ingest` never needs to know where the data came from.
 *
 * @module
 */
import type { ObjectSeries } from "./series.ts";

/** The kinds of bad input an ingest reports. */
export type ProblemKind =
  /** A file could not be read or parsed (missing, not FITS, truncated, ...). */
  | "unreadable-file"
  /** The HDU named in a manifest or catalog does not exist or holds no image. */
  | "missing-hdu"
  /** A required header key (band, time) is absent. */
  | "missing-header-key"
  /** A value (MJD, band, HDU number, confirmed flag) could not be parsed. */
  | "bad-value"
  /** The image is not a 2-D stamp (wrong NAXIS, empty axis). */
  | "wrong-shape"
  /** A second frame with the same band and MJD as an earlier one. */
  | "duplicate-frame"
  /** The band is not in the band map. */
  | "unknown-band"
  /** Every pixel of the stamp is NaN. */
  | "empty-stamp"
  /** The object has no usable frame left. */
  | "no-frames"
  /** The label is not one of the classes (after the label map). */
  | "unknown-label"
  /** The same object id appears twice (second occurrence skipped). */
  | "duplicate-object";

/** One problem, attached to one object; says whether the frame or the whole object was skipped. */
export interface Problem {
  /** The object concerned. */
  object: string;
  /** What went wrong. */
  kind: ProblemKind;
  /** What was skipped because of it: one frame, or the whole object. */
  skipped: "frame" | "object";
  /** Human-readable detail naming the file, HDU and key at fault. */
  message: string;
  /** The file at fault, when there is one. */
  file?: string;
  /** The HDU index (0 = primary) at fault, when there is one. */
  hdu?: number;
}

/** One object as a source yields it. */
export interface SourceItem {
  /** Object identifier. */
  id: string;
  /** The object, or null when it was skipped (a problem with `skipped: "object"` says why). */
  series: ObjectSeries | null;
  /** Problems met while reading this object (frames skipped, or the object). */
  problems: Problem[];
  /**
   * Number of frames the input declared for this object (manifest rows, image
   * HDUs, alert cut-outs), counted before any was skipped. Frames in =
   * frames kept + frames skipped.
   */
  framesIn: number;
}

/** A source of objects for ingest. */
export interface ObjectSource {
  /** Short description for reports (`simulated:/data/s82`, `manifest:real.csv`). */
  readonly description: string;
  /** Number of objects, when known in advance (for progress bars). */
  readonly count?: number;
  /** Streams the objects, one at a time, in a deterministic order. */
  items(): AsyncIterable<SourceItem>;
}

/**
 * A source over objects already in memory (tests, `predict` on a few objects,
 * or a converter from another format).
 *
 * @example
 * ```ts
 * import { memorySource } from "./source.ts";
 * const src = memorySource([{ id: "a", label: "SNIa", confirmed: true, frames: [] }]);
 * for await (const item of src.items()) console.log(item.id);
 * ```
 */
export function memorySource(
  objects: readonly ObjectSeries[],
  description = "memory",
): ObjectSource {
  return {
    description,
    count: objects.length,
    async *items(): AsyncGenerator<SourceItem> {
      for (const series of objects) {
        yield { id: series.id, series, problems: [], framesIn: series.frames.length };
      }
    },
  };
}
