/**
 * Big-endian <-> native conversion of whole arrays without per-element
 * DataView calls: 16/32/64-bit words are swapped in place through aligned
 * integer views.
 *
 * @module
 */

/** Whether this platform is little-endian (then FITS data must be swapped). */
export const LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Swaps the byte order of `count` words of `size` bytes (2, 4 or 8) in place,
 * starting at `byteOffset` of `buffer` (must be a multiple of `size`).
 */
export function swapInPlace(
  buffer: ArrayBufferLike,
  byteOffset: number,
  count: number,
  size: number,
): void {
  if (!LITTLE_ENDIAN || count === 0 || size === 1) return;
  if (size === 2) {
    const a = new Uint16Array(buffer, byteOffset, count);
    for (let i = 0; i < count; i++) {
      const x = a[i]!;
      a[i] = (x >>> 8) | ((x & 0xff) << 8);
    }
  } else if (size === 4) {
    const a = new Uint32Array(buffer, byteOffset, count);
    for (let i = 0; i < count; i++) {
      const x = a[i]!;
      a[i] = (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24);
    }
  } else if (size === 8) {
    const a = new Uint32Array(buffer, byteOffset, count * 2);
    for (let i = 0; i < a.length; i += 2) {
      const x = a[i]!, y = a[i + 1]!;
      a[i] = (y >>> 24) | ((y >>> 8) & 0xff00) | ((y & 0xff00) << 8) | (y << 24);
      a[i + 1] = (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24);
    }
  } else {
    throw new RangeError(`word size must be 1, 2, 4 or 8, got ${size}`);
  }
}

/**
 * Copies `count` big-endian words of `size` bytes from `src` (any alignment)
 * into a new, aligned ArrayBuffer in native order.
 */
export function copyNative(
  src: Uint8Array,
  byteOffset: number,
  count: number,
  size: number,
): ArrayBuffer {
  const out = new ArrayBuffer(count * size);
  new Uint8Array(out).set(src.subarray(byteOffset, byteOffset + count * size));
  swapInPlace(out, 0, count, size);
  return out;
}
