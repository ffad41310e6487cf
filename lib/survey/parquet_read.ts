/**
 * Reading Parquet files into plain row objects with hyparquet (a maintained
 * pure-JS reader; snappy, zstd, gzip, brotli and lz4 pages through
 * hyparquet-compressors). Nested structs become objects, lists arrays,
 * INT64 `bigint`, strings (UTF8 / STRING columns) `string` and binary
 * columns (un-annotated BYTE_ARRAY, e.g. FITS cut-outs) `Uint8Array`.
 *
 * @module
 */
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { ConventionError } from "../errors.ts";

/** The 4-byte magic number that opens and closes a Parquet file ("PAR1"). */
const MAGIC = [0x50, 0x41, 0x52, 0x31];

/** A file that is not Parquet or does not decode. */
export class ParquetError extends ConventionError {
  /** The file at fault. */
  readonly file: string;

  /**
   * Creates the error.
   *
   * @param file The file at fault.
   * @param message What is wrong with it.
   */
  constructor(file: string, message: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${message}`, {
      hint: "give a Parquet file as a Fink export writes it (or remove this one)",
      cause: options.cause,
    });
    this.name = "ParquetError";
    this.file = file;
  }
}

/** Whether `bytes` start and end with the Parquet magic number. */
export function isParquet(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= 12 && MAGIC.every((b, i) => bytes[i] === b && bytes[n - 4 + i] === b);
}

/** Options of {@link readParquetRows}. */
export interface ParquetReadOptions {
  /** Top-level columns to read (default all); skipping the cut-outs is much faster. */
  columns?: readonly string[];
}

/**
 * Decodes every row of a Parquet file.
 *
 * @param bytes The whole file.
 * @param file Its name, for messages.
 * @param options Which top-level columns to read.
 * @returns One object per row, keyed by top-level column name.
 * @throws {ParquetError} when the bytes are not Parquet or a page does not decode.
 *
 * @example
 * ```ts
 * import { readParquetRows } from "./parquet_read.ts";
 * const bytes = Deno.readFileSync("fixtures/rubin/part-1-0-243580376.parquet");
 * const rows = await readParquetRows(bytes, "part-1-0-243580376.parquet", {
 *   columns: ["diaSourceId"],
 * });
 * if (rows.length !== 2 || typeof rows[0]!.diaSourceId !== "bigint") throw new Error("check");
 * ```
 */
export async function readParquetRows(
  bytes: Uint8Array,
  file: string,
  options: ParquetReadOptions = {},
): Promise<Record<string, unknown>[]> {
  if (!isParquet(bytes)) {
    throw new ParquetError(file, `not a Parquet file (no PAR1 magic number at both ends)`);
  }
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  try {
    const metadata = parquetMetadata(ab as ArrayBuffer);
    let columns: string[] | undefined;
    if (options.columns) {
      const have = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
      columns = options.columns.filter((c) => have.has(c));
    }
    return await parquetReadObjects({
      file: ab as ArrayBuffer,
      metadata,
      compressors,
      columns,
      utf8: false,
    }) as Record<string, unknown>[];
  } catch (err) {
    throw new ParquetError(file, `does not decode: ${(err as Error).message}`, { cause: err });
  }
}
