/**
 * Turning one simulated object into the model's fixed-length arrays, shared
 * by the simulation worker and its tests: the simulator's frames become an
 * {@link ObjectSeries}, then the data pipeline's `reformatSeries` (paper
 * §3.1: per-band frames ordered by time, `l` frames, the evaluation window
 * around the brightest frame, stamps centre-cropped) gives `[l, size, size]`
 * raw pixels, band ids and the frame mask. Normalisation is done later, on
 * the training objects only.
 *
 * @module
 */
import { simulateObject } from "../../lib/simulate/object.ts";
import { reformatSeries } from "../../lib/data/reformat.ts";
import { BandMap } from "../../lib/survey/bands.ts";
import { DEFAULT_CLASSES, type ObjectSeries } from "../../lib/survey/series.ts";

/** What to simulate and how to shape it. */
export interface SimJob {
  /** Object indices to simulate. */
  indices: number[];
  /** Survey seed. */
  seed: number;
  /** Survey size (sets the labelling plan). */
  objects: number;
  /** Sequence length l of the model. */
  length: number;
  /** Stamp side of the model (centre crop of the 32 x 32 stamps). */
  size: number;
}

/** One simulated object in model layout. */
export interface SimSample {
  index: number;
  /** `[l, size, size]` raw pixels (nanomaggies), 0 on padding frames. */
  frames: Float32Array;
  /** `[l]` band ids 1..5, 0 = padding. */
  bands: Int32Array;
  /** `[l]` 1 = real frame. */
  mask: Float32Array;
  /** Catalogue label index in DEFAULT_CLASSES. */
  label: number;
  /** True class index. */
  trueLabel: number;
}

const bandMap = new BandMap();

/** Simulates object `index` and reformats it (throws on a simulator error). */
export function simulateSample(index: number, job: Omit<SimJob, "indices">): SimSample {
  const o = simulateObject(index, { seed: job.seed, objects: job.objects, size: 32 });
  const series: ObjectSeries = {
    id: o.id,
    label: o.label,
    trueLabel: o.trueClass,
    confirmed: o.confirmed,
    frames: o.frames.map((f) => ({
      mjd: f.mjd,
      band: f.band,
      width: o.size,
      height: o.size,
      pixels: f.pixels,
    })),
  };
  const b = reformatSeries(series, {
    bands: bandMap,
    length: job.length,
    size: job.size,
    mode: "eval",
    normalization: null,
    classes: DEFAULT_CLASSES,
  });
  return {
    index,
    frames: b.frames,
    bands: b.bands,
    mask: b.mask,
    label: b.labels[0]!,
    trueLabel: DEFAULT_CLASSES.indexOf(o.trueClass),
  };
}
