/**
 * Tile-compressed images (the ZIMAGE BINTABLE convention, `.fz` files):
 * RICE_1, GZIP_1, GZIP_2 and NOCOMPRESS tiles, integer images and quantized
 * floats (NO_DITHER, SUBTRACTIVE_DITHER_1, SUBTRACTIVE_DITHER_2 with the
 * standard random sequence), ZBLANK/NaN restoration, ZSCALE/ZZERO per tile
 * or per header, then BZERO/BSCALE/BLANK like a plain image. What the
 * header says (and its bounds) is read in compressed_plan.ts.
 *
 * @module
 */
import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import type { ColumnLayout, TableContext, TableLayout } from "./bintable.ts";
import { type CompressedPlan, compressedPlan } from "./compressed_plan.ts";
import { fitsRandoms, N_RANDOM } from "./dither.ts";
import { LITTLE_ENDIAN } from "./endian.ts";
import { FitsError } from "./errors.ts";
import type { FitsHeader } from "./header.ts";
import { scalePixels } from "./image.ts";
import { riceDecompress } from "./rice.ts";
import type { FitsImage, PixelArray } from "./types.ts";

const NULL_VALUE = -2147483647;
const ZERO_VALUE = -2147483646;

function readDescriptor(
  dv: DataView,
  dataOffset: number,
  layout: TableLayout,
  col: ColumnLayout,
  row: number,
): [number, number] {
  const p = dataOffset + row * layout.rowBytes + col.offset;
  if (col.type === "P") return [dv.getInt32(p), dv.getInt32(p + 4)];
  const n = dv.getBigInt64(p), off = dv.getBigInt64(p + 8);
  if (n < 0n || off < 0n || n > 2n ** 52n || off > 2n ** 52n) return [-1, -1];
  return [Number(n), Number(off)];
}

function readScalar(
  dv: DataView,
  dataOffset: number,
  layout: TableLayout,
  col: ColumnLayout,
  row: number,
): number {
  const p = dataOffset + row * layout.rowBytes + col.offset;
  switch (col.type) {
    case "D":
      return dv.getFloat64(p);
    case "E":
      return dv.getFloat32(p);
    case "J":
      return dv.getInt32(p);
    case "I":
      return dv.getInt16(p);
    case "K":
      return Number(dv.getBigInt64(p));
    case "B":
      return dv.getUint8(p);
    default:
      return NaN;
  }
}

function inflateTile(input: Uint8Array, maxBytes: number): Uint8Array {
  const opts = { maxOutputLength: Math.max(maxBytes, 1) };
  if (input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b) return gunzipSync(input, opts);
  if (input.length >= 2 && (input[0]! & 0x0f) === 8 && ((input[0]! << 8) | input[1]!) % 31 === 0) {
    return inflateSync(input, opts);
  }
  return inflateRawSync(input, opts);
}

/** Reads big-endian words of `size` bytes (shuffled for GZIP_2) into a native typed array. */
function beWords(
  buf: Uint8Array,
  size: number,
  n: number,
  shuffled: boolean,
  float: boolean,
): PixelArray {
  const out = new Uint8Array(n * size);
  if (shuffled && size > 1) {
    for (let j = 0; j < size; j++) {
      const base = j * n;
      for (let i = 0; i < n; i++) out[i * size + j] = buf[base + i]!;
    }
  } else {
    out.set(buf.subarray(0, n * size));
  }
  if (LITTLE_ENDIAN && size > 1) {
    for (let i = 0; i < out.length; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) {
        const t = out[a]!;
        out[a] = out[b]!;
        out[b] = t;
      }
    }
  }
  const ab = out.buffer;
  switch (size) {
    case 1:
      return out;
    case 2:
      return new Int16Array(ab);
    case 4:
      return float ? new Float32Array(ab) : new Int32Array(ab);
    default:
      return float ? new Float64Array(ab) : new BigInt64Array(ab);
  }
}

/** One tile's pixels as stored, before quantised floats are restored. */
interface StoredTile {
  values: PixelArray;
  quantized: boolean;
  scale: number;
  zero: number;
}

/** What every tile of one image shares while decoding. */
interface Decoder {
  plan: CompressedPlan;
  bytes: Uint8Array;
  dv: DataView;
  dataOffset: number;
  randoms?: Float32Array;
  riceScratch?: Int32Array;
  /** Set when a null pixel was restored as NaN. */
  sawNull: boolean;
}

/**
 * Decodes a tile-compressed image (ZIMAGE = T BINTABLE) into the image it
 * holds.
 *
 * @param bytes The whole file.
 * @param dataOffset Offset of the BINTABLE data unit.
 * @param header The BINTABLE header.
 * @param shape [NAXIS1, NAXIS2] of the table.
 * @param pcount PCOUNT (heap size).
 * @param ctx File/HDU and warnings.
 */
export function decodeCompressedImage(
  bytes: Uint8Array,
  dataOffset: number,
  header: FitsHeader,
  shape: number[],
  pcount: number,
  ctx: TableContext,
): FitsImage {
  const plan = compressedPlan(bytes.length, dataOffset, header, shape, pcount, ctx);
  const { zbitpix, znaxis, dims, tile, npix, ntiles } = plan;
  // Output: floats directly; integers as the raw ZBITPIX type, then scaled.
  const out: PixelArray = zbitpix === 8
    ? new Uint8Array(npix)
    : zbitpix === 16
    ? new Int16Array(npix)
    : zbitpix === 32
    ? new Int32Array(npix)
    : zbitpix === 64
    ? new BigInt64Array(npix)
    : zbitpix === -32
    ? new Float32Array(npix)
    : new Float64Array(npix);
  let tileMax = 1;
  for (const t of tile) tileMax *= t;
  const dec: Decoder = {
    plan,
    bytes,
    dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.length),
    dataOffset,
    randoms: plan.dither ? fitsRandoms() : undefined,
    riceScratch: plan.ctype.startsWith("RICE") ? new Int32Array(tileMax) : undefined,
    sawNull: false,
  };
  const pos = new Array<number>(znaxis).fill(0); // tile index per axis
  const strides = new Array<number>(znaxis);
  for (let a = 0; a < znaxis; a++) strides[a] = a === 0 ? 1 : strides[a - 1]! * dims[a - 1]!;
  for (let t = 0; t < plan.totalTiles; t++) {
    // Tile extent.
    const start: number[] = [], size: number[] = [];
    let tpix = 1;
    for (let a = 0; a < znaxis; a++) {
      const s = pos[a]! * tile[a]!;
      start.push(s);
      const len = Math.min(tile[a]!, dims[a]! - s);
      size.push(len);
      tpix *= len;
    }
    const stored = readTile(dec, t, tpix);
    // Other integer widths convert in TypedArray.set (values already fit the ZBITPIX type).
    placeTile(out, restoreTile(dec, t, stored, tpix, out), strides, start, size);
    // Next tile position (axis 1 fastest).
    for (let a = 0; a < znaxis; a++) {
      pos[a]!++;
      if (pos[a]! < ntiles[a]!) break;
      pos[a] = 0;
    }
  }
  if (!plan.isFloat) {
    const bzero = header.getNumber("BZERO") ?? 0;
    const bscale = header.getNumber("BSCALE") ?? 1;
    const b = header.get("BLANK") ?? header.get("ZBLANK");
    const blank = typeof b === "number" || typeof b === "bigint" ? b : undefined;
    const data = scalePixels(out, zbitpix, bzero, bscale === 0 ? 1 : bscale, blank, true);
    return { bitpix: zbitpix, shape: dims, data };
  }
  if (dec.sawNull && header.has("ZBLANK") === false && plan.cols.zblank === undefined) {
    ctx.warn("null pixels found without ZBLANK");
  }
  return { bitpix: zbitpix, shape: dims, data: out };
}

/** Reads tile `t`'s stored values: from COMPRESSED_DATA, else the lossless columns. */
function readTile(dec: Decoder, t: number, tpix: number): StoredTile {
  const { plan, dv, dataOffset } = dec;
  const { cols, layout, where, isFloat, elem } = plan;
  const [nelem, off] = readDescriptor(dv, dataOffset, layout, cols.data, t);
  if (nelem <= 0) {
    return { values: readLosslessTile(dec, t, tpix), quantized: false, scale: 1, zero: 0 };
  }
  const elemSize = cols.data.elementType === "I" ? 2 : cols.data.elementType === "J" ? 4 : 1;
  const p0 = plan.heapStart + off;
  const p1 = p0 + nelem * elemSize;
  if (off < 0 || p1 > plan.heapEnd) {
    throw new FitsError(`Tile ${t + 1} data lie outside the heap`, { ...where, offset: p0 });
  }
  const comp = dec.bytes.subarray(p0, p1);
  let quantized = false, scale = 1, zero = 0;
  if (isFloat) {
    quantized = cols.zscale !== undefined || plan.kzscale !== undefined;
    if (quantized) {
      scale = cols.zscale ? readScalar(dv, dataOffset, layout, cols.zscale, t) : plan.kzscale!;
      zero = cols.zzero ? readScalar(dv, dataOffset, layout, cols.zzero, t) : plan.kzzero ?? 0;
    }
  }
  const intSize = isFloat ? (quantized ? 4 : elem) : elem;
  let values: PixelArray;
  if (plan.ctype === "RICE_1" || plan.ctype === "RICE_ONE") {
    const arr = dec.riceScratch!.subarray(0, tpix);
    tileGuard(t, where, () => riceDecompress(comp, arr, plan.riceBytepix, plan.blockSize));
    values = arr;
  } else if (plan.ctype === "NOCOMPRESS") {
    values = beWords(comp, intSize, tpix, false, isFloat && !quantized);
  } else {
    const raw = tileGuard(t, where, () => inflateTile(comp, tpix * 8));
    const wsize = raw.length / tpix;
    if (![1, 2, 4, 8].includes(wsize)) {
      throw new FitsError(
        `Tile ${t + 1} inflates to ${raw.length} bytes for ${tpix} pixels`,
        where,
      );
    }
    values = beWords(raw, wsize, tpix, plan.ctype === "GZIP_2", isFloat && !quantized);
  }
  return { values, quantized, scale, zero };
}

/** A tile stored losslessly in GZIP_COMPRESSED_DATA or UNCOMPRESSED_DATA. */
function readLosslessTile(dec: Decoder, t: number, tpix: number): PixelArray {
  const { plan } = dec;
  const { cols, where, elem } = plan;
  const alt = cols.gzip ?? cols.raw;
  if (!alt) throw new FitsError(`Tile ${t + 1} has no data`, where);
  const [n2, off2] = readDescriptor(dec.dv, dec.dataOffset, plan.layout, alt, t);
  const esz = alt.elementType === "D" || alt.elementType === "K"
    ? 8
    : alt.elementType === "E" || alt.elementType === "J"
    ? 4
    : alt.elementType === "I"
    ? 2
    : 1;
  const p0 = plan.heapStart + off2;
  const p1 = p0 + n2 * esz;
  if (n2 < 0 || off2 < 0 || p1 > plan.heapEnd) {
    throw new FitsError(`Tile ${t + 1} data lie outside the heap`, { ...where, offset: p0 });
  }
  const buf = alt === cols.gzip
    ? tileGuard(t, where, () => inflateTile(dec.bytes.subarray(p0, p1), tpix * 8))
    : dec.bytes.subarray(p0, p1);
  if (buf.length !== tpix * elem) {
    throw new FitsError(`Tile ${t + 1} holds ${buf.length} bytes, expected ${tpix * elem}`, where);
  }
  return beWords(buf, elem, tpix, false, plan.isFloat);
}

/** Turns stored values into output pixels: quantised floats restored, widths converted. */
function restoreTile(
  dec: Decoder,
  t: number,
  stored: StoredTile,
  tpix: number,
  out: PixelArray,
): PixelArray {
  const { plan } = dec;
  const values = stored.values;
  if (values.length !== tpix) {
    throw new FitsError(
      `Tile ${t + 1} holds ${values.length} pixels, expected ${tpix}`,
      plan.where,
    );
  }
  if (stored.quantized) return dequantize(dec, t, stored, tpix);
  if (plan.isFloat && values.constructor !== out.constructor) {
    return plan.zbitpix === -32
      ? Float32Array.from(values as Float64Array)
      : Float64Array.from(values as Float32Array);
  }
  if (!plan.isFloat && (out instanceof BigInt64Array) !== (values instanceof BigInt64Array)) {
    // 64-bit images stored in narrower words (or the reverse): convert explicitly.
    if (out instanceof BigInt64Array) {
      const conv = new BigInt64Array(tpix);
      for (let i = 0; i < tpix; i++) conv[i] = BigInt((values as Int32Array)[i]!);
      return conv;
    }
    const conv = new Float64Array(tpix);
    for (let i = 0; i < tpix; i++) conv[i] = Number((values as BigInt64Array)[i]!);
    return conv;
  }
  return values;
}

/** Restores quantised floats (ZSCALE/ZZERO, subtractive dither, null values -> NaN). */
function dequantize(dec: Decoder, t: number, stored: StoredTile, tpix: number): PixelArray {
  const { plan, dv, dataOffset, randoms } = dec;
  const { cols } = plan;
  const { scale, zero } = stored;
  const q = stored.values as Int32Array | Int16Array | Uint8Array;
  const f = plan.zbitpix === -32 ? new Float32Array(tpix) : new Float64Array(tpix);
  const nullv = cols.zblank
    ? readScalar(dv, dataOffset, plan.layout, cols.zblank, t)
    : plan.kzblank ?? NULL_VALUE;
  const hasNull = cols.zblank !== undefined || plan.kzblank !== undefined;
  if (plan.dither && randoms) {
    let iseed = ((t + plan.ditherSeed - 1) % N_RANDOM + N_RANDOM) % N_RANDOM;
    let next = Math.trunc(Math.fround(randoms[iseed]! * 500));
    for (let i = 0; i < tpix; i++) {
      const v = q[i]!;
      if (hasNull && v === nullv) {
        f[i] = NaN;
        dec.sawNull = true;
      } else if (plan.dither === 2 && v === ZERO_VALUE) f[i] = 0;
      else f[i] = (v - randoms[next]! + 0.5) * scale + zero;
      next++;
      if (next === N_RANDOM) {
        iseed++;
        if (iseed === N_RANDOM) iseed = 0;
        next = Math.trunc(Math.fround(randoms[iseed]! * 500));
      }
    }
    return f;
  }
  for (let i = 0; i < tpix; i++) {
    const v = q[i]!;
    if (hasNull && v === nullv) {
      f[i] = NaN;
      dec.sawNull = true;
    } else f[i] = v * scale + zero;
  }
  return f;
}

/** Runs a tile decompressor, turning its errors into a FitsError naming the tile. */
function tileGuard<T>(t: number, where: { file: string; hdu: number }, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new FitsError(
      `Tile ${t + 1} cannot be decompressed: ${(e as Error)?.message ?? e}`,
      where,
      {
        cause: e,
        hint: "the compressed data are damaged; check the file with fitsverify or funpack",
      },
    );
  }
}

/** Copies one tile's pixels (tile-local order) into the full image. */
function placeTile(
  out: PixelArray,
  tileVals: PixelArray,
  strides: number[],
  start: number[],
  size: number[],
): void {
  const nd = strides.length;
  if (nd === 0) return;
  const w = size[0]!;
  const o = out as Int32Array, v = tileVals as Int32Array;
  if (nd === 1) {
    o.set(v.subarray(0, w), start[0]!);
    return;
  }
  if (nd === 2) {
    const s1 = strides[1]!;
    if (w === s1) {
      // Full-width tile: one contiguous block.
      o.set(v.subarray(0, w * size[1]!), start[1]! * s1);
      return;
    }
    for (let r = 0, src = 0; r < size[1]!; r++, src += w) {
      o.set(v.subarray(src, src + w), start[0]! + (start[1]! + r) * s1);
    }
    return;
  }
  // Any number of axes: iterate over the tile's rows (all axes but the first).
  const idx = new Array<number>(nd).fill(0);
  let rows = 1;
  for (let a = 1; a < nd; a++) rows *= size[a]!;
  for (let r = 0, src = 0; r < rows; r++, src += w) {
    let dst = start[0]!;
    for (let a = 1; a < nd; a++) dst += (start[a]! + idx[a]!) * strides[a]!;
    o.set(v.subarray(src, src + w), dst);
    for (let a = 1; a < nd; a++) {
      idx[a]!++;
      if (idx[a]! < size[a]!) break;
      idx[a] = 0;
    }
  }
}
