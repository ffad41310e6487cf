/**
 * Header value and card types: what a FITS header card holds. Below the
 * header parser (header.ts) and the shared types (types.ts), which both
 * import it, so that neither imports the other both ways.
 *
 * @module
 */

/** A complex header value (`(re, im)` in FITS). */
export interface ComplexValue {
  /** Real part. */
  re: number;
  /** Imaginary part. */
  im: number;
}

/**
 * A header value: string, number (integers beyond 2^53 are `bigint`),
 * logical, `null` for an undefined value, or a complex number.
 */
export type HeaderValue = string | number | boolean | bigint | null | ComplexValue;

/** One header card (or a long string joined from CONTINUE cards). */
export interface HeaderCard {
  /** Keyword, upper case; for HIERARCH cards the part after `HIERARCH ` (e.g. `ESO DET DIT`). */
  key: string;
  /** Parsed value; `undefined` for commentary cards (COMMENT, HISTORY, blank). */
  value?: HeaderValue;
  /** Comment after the `/`, or the text of a commentary card. */
  comment?: string;
  /** The 80-character card as read (first card of a CONTINUE sequence). */
  raw?: string;
}

/**
 * A header value as text for messages: strings quoted, complex values as
 * `(re, im)`, `null` as `(undefined)`.
 *
 * @example
 * ```ts
 * import { describeValue } from "./values.ts";
 * if (describeValue({ re: 1, im: 2 }) !== "(1, 2)") throw new Error("example check failed");
 * if (describeValue("abc") !== "'abc'") throw new Error("example check failed");
 * ```
 */
export function describeValue(v: HeaderValue | undefined): string {
  if (v === undefined) return "(missing)";
  if (v === null) return "(undefined)";
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "object") return `(${v.re}, ${v.im})`;
  return String(v);
}
