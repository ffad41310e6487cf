/**
 * Snappy decompression (the raw block format of google/snappy's
 * `format_description.txt`), as used by the Avro `snappy` codec: each data
 * block is a raw snappy block followed by the big-endian CRC-32 of the
 * uncompressed bytes. Every length and offset is checked against the input and
 * the declared output size before anything is allocated or copied.
 *
 * @module
 */
import { crc32 } from "./crc32.ts";

/** Snappy data that does not decompress (corrupt, truncated or too large). */
export class SnappyError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong with the compressed bytes.
   */
  constructor(message: string) {
    super(message);
    this.name = "SnappyError";
  }
}

/** Reads the uncompressed-length varint (at most 5 bytes, < 2^32). */
function preamble(src: Uint8Array): [length: number, pos: number] {
  let n = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (i >= src.length) throw new SnappyError("snappy data is truncated in its length preamble");
    const b = src[i]!;
    n += (b & 0x7f) * mul;
    mul *= 128;
    if (!(b & 0x80)) return [n, i + 1];
  }
  throw new SnappyError("snappy length preamble is longer than 5 bytes");
}

/** Little-endian unsigned integer of `k` bytes at `pos` (bounds checked). */
function le(src: Uint8Array, pos: number, k: number): number {
  if (pos + k > src.length) throw new SnappyError(`snappy data is truncated at byte ${pos}`);
  let v = 0;
  for (let i = k - 1; i >= 0; i--) v = v * 256 + src[pos + i]!;
  return v;
}

/**
 * Decompresses one raw snappy block.
 *
 * @param src The compressed bytes.
 * @param maxBytes Refuse blocks that declare more than this many uncompressed bytes.
 * @returns The uncompressed bytes.
 * @throws {SnappyError} when the data is corrupt, truncated or larger than `maxBytes`.
 *
 * @example
 * ```ts
 * import { snappyDecompress } from "./snappy.ts";
 * // "abcabcabc": literal "abc", then a copy of 6 bytes from offset 3.
 * const out = snappyDecompress(new Uint8Array([9, 0x08, 97, 98, 99, 0x09, 3]), 1024);
 * if (new TextDecoder().decode(out) !== "abcabcabc") throw new Error("snappy example");
 * ```
 */
export function snappyDecompress(src: Uint8Array, maxBytes: number): Uint8Array {
  const [length, start] = preamble(src);
  if (length > maxBytes) {
    throw new SnappyError(
      `snappy block declares ${length.toLocaleString("en-US")} bytes, over the ` +
        `${maxBytes.toLocaleString("en-US")}-byte limit`,
    );
  }
  const out = new Uint8Array(length);
  let pos = start;
  let o = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const k = len - 59;
        len = le(src, pos, k);
        pos += k;
      }
      len += 1;
      if (pos + len > src.length) {
        throw new SnappyError(`snappy literal at byte ${pos} is truncated`);
      }
      if (o + len > length) throw new SnappyError("snappy data overruns its declared length");
      out.set(src.subarray(pos, pos + len), o);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | le(src, pos, 1);
      pos += 1;
    } else {
      const k = kind === 2 ? 2 : 4;
      len = (tag >>> 2) + 1;
      offset = le(src, pos, k);
      pos += k;
    }
    if (offset === 0 || offset > o) {
      throw new SnappyError(
        `snappy copy at byte ${pos} refers to offset ${offset} before the start`,
      );
    }
    if (o + len > length) throw new SnappyError("snappy data overruns its declared length");
    // Copies may overlap their own output (run-length style): byte by byte.
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== length) {
    throw new SnappyError(`snappy data ends after ${o} of its ${length} declared bytes`);
  }
  return out;
}

/**
 * Decompresses one Avro `snappy` block: raw snappy data followed by the
 * 4-byte big-endian CRC-32 of the uncompressed bytes, which is checked.
 *
 * @param block The block's bytes as stored in the Avro file.
 * @param maxBytes Refuse blocks that declare more than this many uncompressed bytes.
 * @returns The uncompressed bytes.
 * @throws {SnappyError} when the data is corrupt, the checksum differs or the block is too large.
 */
export function avroSnappyBlock(block: Uint8Array, maxBytes: number): Uint8Array {
  if (block.length < 5) throw new SnappyError(`snappy block of ${block.length} bytes is too short`);
  const data = snappyDecompress(block.subarray(0, block.length - 4), maxBytes);
  const stored = le(block.subarray(block.length - 4).slice().reverse(), 0, 4);
  const actual = crc32(data);
  if (stored !== actual) {
    throw new SnappyError(
      `snappy block CRC-32 is ${actual.toString(16).padStart(8, "0")}, the file says ` +
        `${stored.toString(16).padStart(8, "0")}`,
    );
  }
  return data;
}
