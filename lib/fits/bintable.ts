/**
 * BINTABLE decoding (placeholder until the full decoder lands).
 *
 * @module
 */
import type { FitsHeader } from "./header.ts";
import type { FitsTable } from "./types.ts";

/** Context for table decoding. */
export interface TableContext {
  /** File name. */
  file: string;
  /** HDU index. */
  hdu: number;
  /** Warning sink. */
  warn: (message: string) => void;
}

/** Decodes a BINTABLE data unit into typed columns. */
export function decodeBintable(
  _bytes: Uint8Array,
  _offset: number,
  _header: FitsHeader,
  _shape: number[],
  _ctx: TableContext,
): FitsTable | undefined {
  return undefined;
}
