/**
 * Types shared by the FITS reader and writer: pixel arrays, images, tables
 * and HDUs (header values and cards: values.ts, re-exported here).
 *
 * @module
 */
import type { FitsHeader } from "./header.ts";

export type { ComplexValue, HeaderCard, HeaderValue } from "./values.ts";

/**
 * The typed array that holds an image's physical pixel values. Unsigned 64-bit
 * images (BITPIX 64 with BZERO 2^63) are returned as `BigUint64Array`.
 */
export type PixelArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** An image: primary array, IMAGE extension or a tile-compressed image. */
export interface FitsImage {
  /** BITPIX of the stored data (ZBITPIX for tile-compressed images). */
  bitpix: number;
  /** Axis lengths, NAXIS1 first (NAXIS1 is the fastest axis, the width). */
  shape: number[];
  /** Physical values: BZERO/BSCALE applied, BLANK -> NaN (then Float32/64). */
  data: PixelArray;
}

/** One column of a BINTABLE. */
export interface FitsColumn {
  /** TTYPEn (or `COLn` when absent). */
  name: string;
  /** TFORMn as written, e.g. `1E`, `8A`, `3I`. */
  format: string;
  /** Type letter of TFORMn (L, X, B, I, J, K, A, E, D, C, M, P, Q). */
  type: string;
  /** Repeat count of TFORMn (elements per row). */
  repeat: number;
  /** TUNITn when present. */
  unit?: string;
  /**
   * Values: a typed array of `rows * repeat` numbers for numeric columns
   * (TSCAL/TZERO applied), `string[]` for A, `boolean[]` for L (length
   * `rows * repeat`), `undefined` for types not decoded (X, C, M, P, Q).
   */
  data?: PixelArray | string[] | boolean[];
}

/** A binary table (BINTABLE extension). */
export interface FitsTable {
  /** Number of rows (NAXIS2). */
  rows: number;
  /** Columns in TFIELDS order. */
  columns: FitsColumn[];
  /** Column lookup by TTYPE (first match, case-insensitive). */
  column(name: string): FitsColumn | undefined;
}

/** Kind of an HDU. */
export type HduKind = "image" | "compressed-image" | "bintable" | "table" | "unknown";

/** One header-data unit. */
export interface Hdu {
  /** Position in the file, 0 = primary. */
  index: number;
  /** What the HDU holds. */
  kind: HduKind;
  /** The header (for tile-compressed images, the BINTABLE header as stored). */
  header: FitsHeader;
  /** Primary/IMAGE/compressed image (NAXIS=0 -> shape [] and empty data). */
  image?: FitsImage;
  /** BINTABLE columns (not set for tile-compressed images). */
  table?: FitsTable;
  /** Byte offset of the header in the (decompressed) file. */
  headerOffset: number;
  /** Byte offset of the data unit in the (decompressed) file. */
  dataOffset: number;
  /** Size of the data unit in bytes, without padding. */
  dataSize: number;
}

/** A parsed FITS file. */
export interface FitsFile {
  /** File name (or the name given to `readFits`). */
  name: string;
  /** HDUs in file order. */
  hdus: Hdu[];
  /** Deviations from the standard that were tolerated, one line each. */
  warnings: string[];
}
