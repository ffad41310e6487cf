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
 * Decodes Rice-compressed integers into an Int32Array (one monomorphic code
 * path for all widths; 8- and 16-bit values are sign-extended, with
 * cfitsio's wrap-around arithmetic).
 *
 * @param input Compressed bytes of one tile.
 * @param out Output, one element per pixel.
 * @param bytepix 1, 2 or 4.
 * @param blockSize Pixels per block (BLOCKSIZE, usually 32).
 */
export function riceDecompress(
  input: Uint8Array,
  out: Int32Array,
  bytepix: number,
  blockSize: number,
): void {
  const fsbits = bytepix === 4 ? 5 : bytepix === 2 ? 4 : 3;
  const fsmax = bytepix === 4 ? 25 : bytepix === 2 ? 14 : 6;
  const bbits = 1 << fsbits;
  // Wrap to the stored width (sign-extended; 8-bit values become unsigned when the
  // caller copies them into a Uint8Array, which is the same modulo 256).
  const sh = bytepix === 4 ? 0 : bytepix === 2 ? 16 : 24;
  const nx = out.length;
  const clen = input.length;
  if (blockSize <= 0) throw new RiceError(`bad block size ${blockSize}`);
  if (nx === 0) return;
  if (clen < bytepix + 1) throw new RiceError("compressed tile is too short");
  let c = 0;
  let lastpix = 0;
  for (let k = 0; k < bytepix; k++) lastpix = (lastpix << 8) | input[c++]!;
  lastpix = (lastpix << sh) >> sh;
  let b = input[c++]!;
  let nbits = 8;
  let i = 0;
  while (i < nx) {
    nbits -= fsbits;
    while (nbits < 0) {
      if (c >= clen) throw new RiceError("compressed tile ends early");
      b = (b << 8) | input[c++]!;
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
        let diff = k >= 32 ? 0 : b << k;
        for (k -= 8; k >= 0; k -= 8) {
          if (c >= clen) throw new RiceError("compressed tile ends early");
          b = input[c++]!;
          diff |= b << k;
        }
        if (nbits > 0) {
          if (c >= clen) throw new RiceError("compressed tile ends early");
          b = input[c++]!;
          diff |= b >>> -k;
          b &= (1 << nbits) - 1;
        } else {
          b = 0;
        }
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        const v = (d + lastpix) | 0;
        lastpix = (v << sh) >> sh;
        out[i] = lastpix;
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
          b = (b << 8) | input[c++]!;
          nbits += 8;
        }
        // Signed 32-bit arithmetic throughout (stays in V8 small integers).
        const diff = (nzero << fs) | (b >>> nbits);
        b &= (1 << nbits) - 1;
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        const v = (d + lastpix) | 0;
        lastpix = (v << sh) >> sh;
        out[i] = lastpix;
      }
    }
  }
}
