/**
 * Rice decompression (RICE_1 tile compression), a port of cfitsio's
 * `fits_rdecomp` (32-bit), `fits_rdecomp_short` (16-bit) and
 * `fits_rdecomp_byte` (8-bit) with bounds checks on every input byte.
 *
 * @module
 */

/** Thrown on RICE data that end early or are malformed. */
export class RiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RiceError";
  }
}

/** nonzeroCount[b] = number of significant bits of b (0..8). */
const NONZERO_COUNT = new Uint8Array(256);
for (let b = 1; b < 256; b++) NONZERO_COUNT[b] = 32 - Math.clz32(b);

/**
 * Decodes Rice-compressed integers.
 *
 * @param input Compressed bytes of one tile.
 * @param out Output array; its length is the number of pixels. Int32Array
 * for BYTEPIX 4, Int16Array for 2, Uint8Array/Int8Array for 1.
 * @param bytepix 1, 2 or 4.
 * @param blockSize Pixels per block (BLOCKSIZE, usually 32).
 */
export function riceDecompress(
  input: Uint8Array,
  out: Int32Array | Int16Array | Uint8Array | Int8Array,
  bytepix: number,
  blockSize: number,
): void {
  const fsbits = bytepix === 4 ? 5 : bytepix === 2 ? 4 : 3;
  const fsmax = bytepix === 4 ? 25 : bytepix === 2 ? 14 : 6;
  const bbits = 1 << fsbits;
  const nx = out.length;
  const clen = input.length;
  if (blockSize <= 0) throw new RiceError(`bad block size ${blockSize}`);
  if (nx === 0) return;
  if (clen < bytepix + 1) {
    throw new RiceError("compressed tile is too short");
  }
  let c = 0;
  let lastpix = 0;
  for (let k = 0; k < bytepix; k++) lastpix = (lastpix << 8) | input[c++]!;
  // Truncate to the output type (16-bit values wrap like cfitsio's short decoder).
  out[0] = lastpix;
  lastpix = out[0]!;
  let b = input[c++]!;
  let nbits = 8;
  let i = 0;
  while (i < nx) {
    nbits -= fsbits;
    while (nbits < 0) {
      if (c >= clen) throw new RiceError("compressed tile ends early");
      b = ((b << 8) | input[c++]!) >>> 0;
      nbits += 8;
    }
    const fs = (b >>> nbits) - 1;
    b &= (1 << nbits) - 1;
    let imax = i + blockSize;
    if (imax > nx) imax = nx;
    if (fs < 0) {
      for (; i < imax; i++) out[i] = lastpix;
    } else if (fs === fsmax) {
      for (; i < imax; i++) {
        let k = bbits - nbits;
        let diff = k >= 32 ? 0 : (b << k) >>> 0;
        for (k -= 8; k >= 0; k -= 8) {
          if (c >= clen) throw new RiceError("compressed tile ends early");
          b = input[c++]!;
          diff = (diff | (b << k)) >>> 0;
        }
        if (nbits > 0) {
          if (c >= clen) throw new RiceError("compressed tile ends early");
          b = input[c++]!;
          diff = (diff | (b >>> -k)) >>> 0;
          b &= (1 << nbits) - 1;
        } else {
          b = 0;
        }
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        out[i] = (d + lastpix) | 0;
        lastpix = out[i]!;
      }
    } else {
      for (; i < imax; i++) {
        while (b === 0) {
          if (c >= clen) throw new RiceError("compressed tile ends early");
          nbits += 8;
          b = input[c++]!;
        }
        // b < 256 here: it holds at most 7 old bits, or one fresh byte.
        const nzero = nbits - NONZERO_COUNT[b & 0xff]!;
        nbits -= nzero + 1;
        b ^= 1 << nbits;
        nbits -= fs;
        while (nbits < 0) {
          if (c >= clen) throw new RiceError("compressed tile ends early");
          b = ((b << 8) | input[c++]!) >>> 0;
          nbits += 8;
        }
        const diff = ((nzero << fs) | (b >>> nbits)) >>> 0;
        b &= (1 << nbits) - 1;
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        out[i] = (d + lastpix) | 0;
        lastpix = out[i]!;
      }
    }
  }
}
