/**
 * The packed store on disk: a folder with one binary frames file and a JSON
 * index (`index.json`).
 *
 * Frames file (`frames-<id>.bin`, little-endian), sections in this order,
 * each starting at a multiple of 8 bytes (offsets are in the index):
 * 1. pixels: `[nFrames, size, size]` float32 or float16; the frames of one
 *    object are contiguous and time-ordered (MJD, then band id); invalid
 *    pixels are NaN;
 * 2. `mjd`: float64 per frame;
 * 3. `score`: float32 per frame, the brightness score (`brightnessScore`);
 * 4. `invalid`: uint32 per frame, the number of NaN/padded pixels;
 * 5. `band`: uint8 per frame, band id 1..B.
 *
 * Atomicity: ingest writes the frames file and the index under temporary
 * names, removes any old `index.json`, renames the frames file, then renames
 * the index last. The index names its frames file and its exact byte length,
 * and has `complete: true`; {@link openStore} refuses a folder without such an
 * index, or whose frames file is missing or has another length.
 *
 * @module
 */

/** Format name written in every index. */
export const STORE_FORMAT = "convention-store";
/** Current format version. */
export const STORE_VERSION = 1;
/** Name of the index file inside the store folder. */
export const INDEX_NAME = "index.json";

/** Pixel type of the frames file. */
export type StoreDtype = "float32" | "float16";

/** Byte offsets of the sections of the frames file. */
export interface StoreLayout {
  /** Offset of the pixels (always 0). */
  pixels: number;
  /** Offset of the float64 MJD per frame. */
  mjd: number;
  /** Offset of the float32 brightness score per frame. */
  score: number;
  /** Offset of the uint32 invalid-pixel count per frame. */
  invalid: number;
  /** Offset of the uint8 band id per frame. */
  band: number;
  /** Total length of the file in bytes. */
  bytes: number;
}

/** One object as the index lists it. */
export interface StoreObjectEntry {
  /** Object identifier. */
  id: string;
  /** Label (a class name), or null when unlabelled. */
  label: string | null;
  /** Spectroscopically confirmed label. */
  confirmed: boolean;
  /** True class, when known (simulated data). */
  trueLabel?: string;
  /** Index of its first frame in the frames file. */
  first: number;
  /** Number of frames. */
  count: number;
  /** Extra values from the source (redshift, ra, dec, ...). */
  meta?: Record<string, string | number | boolean>;
}

/** The JSON index of a store. */
export interface StoreIndex {
  /** Always {@link STORE_FORMAT}. */
  format: string;
  /** Format version. */
  version: number;
  /** Written as true, last: a store without it is incomplete. */
  complete: boolean;
  /** Creation time, ISO 8601. */
  created: string;
  /** File name of the frames file, relative to the store folder. */
  framesFile: string;
  /** Pixel type. */
  dtype: StoreDtype;
  /** Stamp side in pixels. */
  size: number;
  /** Band names in id order (band id 1 = `bands[0]`). */
  bands: string[];
  /** Class names in class-index order. */
  classes: string[];
  /** Number of frames. */
  nFrames: number;
  /** Section offsets of the frames file. */
  layout: StoreLayout;
  /** How stamps of other sizes were fitted. */
  stampPolicy: string;
  /** Where the data came from. */
  source: string;
  /** The objects, in ingest order. */
  objects: StoreObjectEntry[];
}

/** Rounds up to a multiple of 8. */
export function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Section layout for `nFrames` frames of `size x size` pixels. */
export function storeLayout(nFrames: number, size: number, dtype: StoreDtype): StoreLayout {
  const px = nFrames * size * size * (dtype === "float16" ? 2 : 4);
  const mjd = align8(px);
  const score = align8(mjd + 8 * nFrames);
  const invalid = align8(score + 4 * nFrames);
  const band = align8(invalid + 4 * nFrames);
  return { pixels: 0, mjd, score, invalid, band, bytes: band + nFrames };
}

/** The policy text written in indexes and reports. */
export const STAMP_POLICY: string =
  "larger stamps centre-cropped, smaller stamps zero-padded around the centre; " +
  "invalid (NaN, masked, padded) pixels stored as NaN and set to 0 after normalisation";
