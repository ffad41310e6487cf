/**
 * The unit the loader hands to training and evaluation: plain typed arrays
 * (the training layer turns them into tensors; `lib/data` stays free of
 * TF.js).
 *
 * @module
 */

/** A batch of reformatted series. */
export interface Batch {
  /** Pixels `[batchSize, length, height, width]`, normalised; 0 on padding frames. */
  frames: Float32Array;
  /** Band id `[batchSize, length]`: 1..B, 0 = padding. */
  bands: Int32Array;
  /** `[batchSize, length]` days since the first frame of the window; 0 on padding. */
  mjd: Float32Array;
  /** `[batchSize, length]`: 1 = real frame, 0 = padding. */
  mask: Float32Array;
  /**
   * `[batchSize]` MJD of the first frame of each row's window (0 for an empty row): a frame's
   * MJD is `t0[row] + mjd[row * length + t]`, so light-curve models can pick the photometry of
   * exactly the band-frames an image model sees.
   */
  t0: Float64Array;
  /** `[batchSize]` class index, -1 when unknown. */
  labels: Int32Array;
  /** Object id per row. */
  ids: string[];
  /** Number of rows (the last batch of an epoch may be smaller). */
  batchSize: number;
  /** Sequence length l. */
  length: number;
  /** Stamp height. */
  height: number;
  /** Stamp width. */
  width: number;
}

/** An all-padding batch of the given shape (labels -1). */
export function emptyBatch(
  batchSize: number,
  length: number,
  height: number,
  width: number,
): Batch {
  return {
    frames: new Float32Array(batchSize * length * height * width),
    bands: new Int32Array(batchSize * length),
    mjd: new Float32Array(batchSize * length),
    mask: new Float32Array(batchSize * length),
    t0: new Float64Array(batchSize),
    labels: new Int32Array(batchSize).fill(-1),
    ids: new Array<string>(batchSize).fill(""),
    batchSize,
    length,
    height,
    width,
  };
}

/** The transferable buffers of a batch (to post it from a worker without copying). */
export function batchBuffers(b: Batch): ArrayBuffer[] {
  return [
    b.frames.buffer,
    b.bands.buffer,
    b.mjd.buffer,
    b.mask.buffer,
    b.t0.buffer,
    b.labels.buffer,
  ] as ArrayBuffer[];
}
