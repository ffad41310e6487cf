/**
 * The FITS error type: names the file, the HDU and the card or byte offset.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

/** Where in a FITS file a problem was found. */
export interface FitsErrorLocation {
  /** File name. */
  file?: string;
  /** HDU index (0 = primary). */
  hdu?: number;
  /** 1-based card number within the HDU header. */
  card?: number;
  /** Byte offset in the (decompressed) file. */
  offset?: number;
}

/**
 * A FITS file that cannot be read or written: what is wrong, and where.
 *
 * @example
 * ```ts
 * import { FitsError } from "./errors.ts";
 * import { readFits } from "./read.ts";
 * try {
 *   readFits(new Uint8Array(2880), "empty.fits");
 * } catch (e) {
 *   if (!(e instanceof FitsError)) throw e;
 *   if (!(e.file === "empty.fits" && e.offset === 0)) throw new Error("example check failed");
 *   console.log(e.message); // Not a FITS file: ... (file empty.fits, byte 0)
 * }
 * ```
 */
export class FitsError extends ConventionError {
  /** File name, when known. */
  readonly file?: string;
  /** HDU index (0 = primary), when known. */
  readonly hdu?: number;
  /** 1-based card number in the HDU header, when known. */
  readonly card?: number;
  /** Byte offset in the (decompressed) file, when known. */
  readonly offset?: number;

  /**
   * Creates the error; the location is appended to the message.
   *
   * @param message What is wrong (sentence case).
   * @param where File, HDU, card, byte offset.
   * @param options `hint` and `cause`.
   */
  constructor(
    message: string,
    where: FitsErrorLocation = {},
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(`${message}${formatLocation(where)}`, {
      hint: options.hint ?? "check that the file is a complete FITS file (fitsverify FILE)",
      cause: options.cause,
    });
    this.name = "FitsError";
    this.file = where.file;
    this.hdu = where.hdu;
    this.card = where.card;
    this.offset = where.offset;
  }
}

function formatLocation(w: FitsErrorLocation): string {
  const parts: string[] = [];
  if (w.file !== undefined) parts.push(`file ${w.file}`);
  if (w.hdu !== undefined) parts.push(`HDU ${w.hdu}`);
  if (w.card !== undefined) parts.push(`card ${w.card}`);
  if (w.offset !== undefined) parts.push(`byte ${w.offset}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}
