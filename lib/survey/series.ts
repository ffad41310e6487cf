/**
 * The in-memory form of one observed object: a list of single-band frames
 * (stamps) with their times, plus its label. Every source (simulator layout,
 * manifest CSV, folder of FITS, ZTF alerts) produces {@link ObjectSeries}.
 *
 * @module
 */

/**
 * The four classes of the paper, in the authors' order (class index 0..3).
 *
 * @example
 * ```ts
 * import { DEFAULT_CLASSES } from "./series.ts";
 * if (!(DEFAULT_CLASSES.join() === "AGN,SNIa,Variable,SNOther")) throw new Error("example check failed");
 * if (!(DEFAULT_CLASSES.indexOf("SNIa") === 1)) throw new Error("example check failed"); // class index of SNe Ia
 * ```
 */
export const DEFAULT_CLASSES: readonly string[] = ["AGN", "SNIa", "Variable", "SNOther"];

/** One single-band stamp at one time. */
export interface Frame {
  /** Modified Julian Date of the exposure. */
  mjd: number;
  /** Band name as the data names it (`u`, `g`, `r`, `i`, `z`, ...). */
  band: string;
  /** Stamp width in pixels (NAXIS1). */
  width: number;
  /** Stamp height in pixels (NAXIS2). */
  height: number;
  /** Pixel values, row-major with NAXIS1 fastest; NaN allowed until normalisation. */
  pixels: Float32Array;
  /** Valid-pixel mask (1 = measured, 0 = padded or NaN), same layout; absent = all valid. */
  mask?: Uint8Array;
  /** Where the frame came from (`file[hdu]` or `packet:cutout`), for reports. */
  source?: string;
  /** Extra per-frame values (seeing, zero point, sky sigma, ...). */
  meta?: Record<string, number | string>;
}

/** One object: its frames and labels. */
export interface ObjectSeries {
  /** Object identifier, unique in a dataset. */
  id: string;
  /** The label training uses (catalog or photometric type); null when unknown. */
  label: string | null;
  /** The true class when known (simulator only). */
  trueLabel?: string;
  /** Whether the label is spectroscopically confirmed. */
  confirmed: boolean;
  /** The frames, in any order (reformatting sorts them by time). */
  frames: Frame[];
  /** Extra per-object values (redshift, ra, dec, ...). */
  meta?: Record<string, string | number | boolean>;
}
