/**
 * Tile-compressed images (placeholder until the full decoder lands).
 *
 * @module
 */
import type { TableContext } from "./bintable.ts";
import type { FitsHeader } from "./header.ts";
import type { FitsImage } from "./types.ts";

/** Decodes a tile-compressed image (ZIMAGE BINTABLE). */
export function decodeCompressedImage(
  _bytes: Uint8Array,
  _offset: number,
  _header: FitsHeader,
  _shape: number[],
  _pcount: number,
  _ctx: TableContext,
): FitsImage | undefined {
  return undefined;
}
