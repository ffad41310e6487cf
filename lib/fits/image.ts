/**
 * Decoding image data units: big-endian words to native typed arrays, then
 * BZERO/BSCALE and BLANK applied the way astropy does (unsigned integers
 * through BZERO, signed bytes through BZERO -128, other scales to float32
 * for BITPIX 8/16 and float64 for 32/64, BLANK pixels to NaN).
 *
 * @module
 */
import { copyNative, swapInPlace } from "./endian.ts";
import type { FitsHeader } from "./header.ts";
import type { FitsImage, PixelArray } from "./types.ts";
import { describeValue } from "./values.ts";

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /** The bytes belong to the reader: swap in place and return views when aligned. */
  owned: boolean;
  /** Warning sink (e.g. BLANK on a float image). */
  warn: (message: string) => void;
}

/** Raw (stored) values of a data unit, in native byte order. */
export function rawPixels(
  bytes: Uint8Array,
  offset: number,
  bitpix: number,
  n: number,
  owned: boolean,
): PixelArray {
  const size = Math.abs(bitpix) / 8;
  if (bitpix === 8) return bytes.subarray(offset, offset + n);
  let buffer: ArrayBufferLike;
  let byteOffset: number;
  const abs = bytes.byteOffset + offset;
  if (owned && abs % size === 0) {
    buffer = bytes.buffer;
    byteOffset = abs;
    swapInPlace(buffer, byteOffset, n, size);
  } else {
    buffer = copyNative(bytes, offset, n, size);
    byteOffset = 0;
  }
  switch (bitpix) {
    case 16:
      return new Int16Array(buffer, byteOffset, n);
    case 32:
      return new Int32Array(buffer, byteOffset, n);
    case 64:
      return new BigInt64Array(buffer, byteOffset, n);
    case -32:
      return new Float32Array(buffer, byteOffset, n);
    default:
      return new Float64Array(buffer, byteOffset, n);
  }
}

/**
 * BZERO or BSCALE as a number. A string value is not valid FITS: a numeric
 * string is used with a warning, anything else is ignored (`dflt`) with a
 * warning that the pixel values may be wrong.
 */
function scaleKey(
  header: FitsHeader,
  key: "BZERO" | "BSCALE",
  dflt: number,
  warn: (m: string) => void,
): number {
  const v = header.get(key);
  if (v === undefined) return dflt;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "bigint") return Number(v);
  const n = typeof v === "string" ? header.getNumber(key) : undefined;
  if (n !== undefined) {
    warn(`${key} = ${describeValue(v)} is a string, not a number; read as ${n}`);
    return n;
  }
  warn(
    `${key} = ${describeValue(v)} is not a number; ignored (${key} ${dflt} used), ` +
      "so the pixel values may be wrong",
  );
  return dflt;
}

/** Integer BLANK value of a header, or undefined. */
function blankOf(header: FitsHeader): number | bigint | undefined {
  const b = header.get("BLANK");
  if (typeof b === "number" && Number.isInteger(b)) return b;
  if (typeof b === "bigint") return b;
  return undefined;
}

/**
 * Applies BZERO/BSCALE/BLANK to stored values (native order), as astropy
 * does: see the module doc for the output types.
 *
 * @param raw Stored values.
 * @param bitpix Stored BITPIX.
 * @param bzero BZERO (0 when absent).
 * @param bscale BSCALE (1 when absent).
 * @param blank Integer BLANK, or undefined.
 * @param inPlace Whether `raw` may be modified (unsigned conversions then reuse it).
 */
export function scalePixels(
  raw: PixelArray,
  bitpix: number,
  bzero: number,
  bscale: number,
  blank: number | bigint | undefined,
  inPlace: boolean,
): PixelArray {
  const n = raw.length;
  if (bitpix < 0) {
    if (bzero === 0 && bscale === 1) return raw;
    const out = bitpix === -32 ? new Float32Array(n) : new Float64Array(n);
    const src = raw as Float32Array | Float64Array;
    if (bitpix === -32) {
      const s = Math.fround(bscale), z = Math.fround(bzero);
      for (let i = 0; i < n; i++) out[i] = Math.fround(src[i]! * s) + z;
    } else {
      for (let i = 0; i < n; i++) out[i] = src[i]! * bscale + bzero;
    }
    return out;
  }
  if (blank === undefined && bscale === 1) {
    if (bzero === 0) return raw;
    // Unsigned / signed-byte conventions: flip the sign bit, reinterpret.
    if (bitpix === 8 && bzero === -128) {
      const src = raw as Uint8Array;
      const out = inPlace ? src : new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i]! ^ 0x80;
      return new Int8Array(out.buffer, out.byteOffset, n);
    }
    if (bitpix === 16 && bzero === 32768) {
      const src = new Uint16Array(raw.buffer, raw.byteOffset, n);
      const out = inPlace ? src : new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i]! ^ 0x8000;
      return out;
    }
    if (bitpix === 32 && bzero === 2147483648) {
      const src = new Uint32Array(raw.buffer, raw.byteOffset, n);
      const out = inPlace ? src : new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = (src[i]! ^ 0x80000000) >>> 0;
      return out;
    }
    if (bitpix === 64 && bzero === 9223372036854775808) {
      const src = new BigUint64Array(raw.buffer, raw.byteOffset, n);
      const out = inPlace ? src : new BigUint64Array(n);
      const flip = 1n << 63n;
      for (let i = 0; i < n; i++) out[i] = src[i]! ^ flip;
      return out;
    }
  }
  // General case: floats (float32 for BITPIX 8/16, float64 for 32/64).
  if (bitpix === 64) {
    const src = raw as BigInt64Array;
    const out = new Float64Array(n);
    const b = blank === undefined ? undefined : BigInt(blank);
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      out[i] = v === b ? NaN : Number(v) * bscale + bzero;
    }
    return out;
  }
  const src = raw as Uint8Array | Int16Array | Int32Array;
  const b = blank === undefined ? NaN : Number(blank);
  if (bitpix === 32) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      out[i] = v === b ? NaN : v * bscale + bzero;
    }
    return out;
  }
  const out = new Float32Array(n);
  const s = Math.fround(bscale), z = Math.fround(bzero);
  const trivial = s === 1 && z === 0;
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    out[i] = v === b ? NaN : trivial ? v : Math.fround(v * s) + z;
  }
  return out;
}

/**
 * Decodes an image data unit.
 *
 * @param bytes The whole file.
 * @param offset Byte offset of the data unit.
 * @param bitpix BITPIX.
 * @param shape Axis lengths, NAXIS1 first (the caller has checked that the data fit).
 * @param header The HDU header (BZERO, BSCALE, BLANK).
 * @param opts Ownership of `bytes` and the warning sink.
 */
export function decodeImage(
  bytes: Uint8Array,
  offset: number,
  bitpix: number,
  shape: number[],
  header: FitsHeader,
  opts: DecodeImageOptions,
): FitsImage {
  let n = shape.length ? 1 : 0;
  for (const d of shape) n *= d;
  const raw = rawPixels(bytes, offset, bitpix, n, opts.owned);
  const bzero = scaleKey(header, "BZERO", 0, opts.warn);
  const bscale = scaleKey(header, "BSCALE", 1, opts.warn);
  let blank = header.has("BLANK") ? blankOf(header) : undefined;
  if (header.has("BLANK") && bitpix < 0) {
    opts.warn(`BLANK is not allowed with BITPIX ${bitpix}; ignored (NaN marks missing floats)`);
    blank = undefined;
  } else if (header.has("BLANK") && blank === undefined) {
    opts.warn(`BLANK value '${header.getString("BLANK")}' is not an integer; ignored`);
  }
  // In-place unsigned flips are safe when raw is already a private copy or owned.
  const inPlace = bitpix !== 8 ? true : opts.owned;
  const data = scalePixels(raw, bitpix, bzero, bscale === 0 ? 1 : bscale, blank, inPlace);
  if (bscale === 0) opts.warn("BSCALE is 0; read as 1");
  return { bitpix, shape, data };
}

/**
 * Converts an image's pixels to a new Float32Array (values rounded to
 * float32; NaN kept).
 *
 * @example
 * ```ts
 * import { imageToFloat32 } from "./image.ts";
 * const f = imageToFloat32({ bitpix: 16, shape: [2], data: new Int16Array([1, -2]) });
 * if (!(f[1] === -2)) throw new Error("example check failed");
 * ```
 */
export function imageToFloat32(image: FitsImage): Float32Array {
  const d = image.data;
  const n = d.length;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(d[i]!);
    return out;
  }
  return Float32Array.from(d as ArrayLike<number>);
}
