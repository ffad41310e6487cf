/**
 * Tile-compressed images (the ZIMAGE BINTABLE convention, `.fz` files):
 * RICE_1, GZIP_1, GZIP_2 and NOCOMPRESS tiles, integer images and quantized
 * floats (NO_DITHER, SUBTRACTIVE_DITHER_1, SUBTRACTIVE_DITHER_2 with the
 * standard random sequence), ZBLANK/NaN restoration, ZSCALE/ZZERO per tile
 * or per header, then BZERO/BSCALE/BLANK like a plain image.
 *
 * @module
 */
import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { type ColumnLayout, type TableContext, type TableLayout, tableLayout } from "./bintable.ts";
import { fitsRandoms, N_RANDOM } from "./dither.ts";
import { LITTLE_ENDIAN } from "./endian.ts";
import { FitsError } from "./errors.ts";
import type { FitsHeader } from "./header.ts";
import { scalePixels } from "./image.ts";
import { riceDecompress } from "./rice.ts";
import type { FitsImage, PixelArray } from "./types.ts";

/** Largest decompressed image accepted: 2 GiB, and at most this many bytes per compressed byte. */
const MAX_BYTES = 2 ** 31;
const MAX_RATIO = 4096;
const NULL_VALUE = -2147483647;
const ZERO_VALUE = -2147483646;

interface TileColumns {
  data?: ColumnLayout;
  gzip?: ColumnLayout;
  raw?: ColumnLayout;
  zscale?: ColumnLayout;
  zzero?: ColumnLayout;
  zblank?: ColumnLayout;
}

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

function zval(header: FitsHeader, name: string): number | undefined {
  for (let i = 1; i < 100; i++) {
    const k = header.getString(`ZNAME${i}`);
    if (k === undefined) return undefined;
    if (k.trim().toUpperCase() === name) return header.getNumber(`ZVAL${i}`);
  }
  return undefined;
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
  const where = { file: ctx.file, hdu: ctx.hdu };
  const layout = tableLayout(header, shape, pcount, ctx);
  const zbitpix = header.getNumber("ZBITPIX");
  if (zbitpix === undefined || ![8, 16, 32, 64, -32, -64].includes(zbitpix)) {
    throw new FitsError(`ZBITPIX ${zbitpix} is missing or not valid`, where);
  }
  const znaxis = header.getNumber("ZNAXIS");
  if (znaxis === undefined || !Number.isInteger(znaxis) || znaxis < 0 || znaxis > 999) {
    throw new FitsError(`ZNAXIS ${znaxis} is missing or not valid`, where);
  }
  const dims: number[] = [];
  const tile: number[] = [];
  let npix = znaxis > 0 ? 1 : 0;
  const elem = Math.abs(zbitpix) / 8;
  const limit = Math.min(MAX_BYTES, Math.max(1 << 26, MAX_RATIO * bytes.length));
  for (let i = 1; i <= znaxis; i++) {
    const d = header.getNumber(`ZNAXIS${i}`);
    if (d === undefined || !Number.isInteger(d) || d < 0) {
      throw new FitsError(`ZNAXIS${i} = ${d} is missing or not a non-negative integer`, where);
    }
    dims.push(d);
    npix *= d;
    if (npix * elem > limit) {
      throw new FitsError(`Compressed image is too large (${dims.join(" x ")}...)`, where);
    }
    const t = header.getNumber(`ZTILE${i}`) ?? (i === 1 ? d : 1);
    if (!Number.isInteger(t) || t < 1) throw new FitsError(`ZTILE${i} = ${t} is not valid`, where);
    tile.push(Math.min(t, Math.max(d, 1)));
  }
  const ctype = (header.getString("ZCMPTYPE") ?? "").trim().toUpperCase();
  if (!["RICE_1", "RICE_ONE", "GZIP_1", "GZIP_2", "NOCOMPRESS"].includes(ctype)) {
    throw new FitsError(`Tile compression ${ctype || "(none given)"} is not supported`, where, {
      hint: "supported: RICE_1, GZIP_1, GZIP_2, NOCOMPRESS; convert with `funpack` from cfitsio",
    });
  }
  const cols: TileColumns = {};
  for (const c of layout.columns) {
    const name = c.name.toUpperCase();
    if (name === "COMPRESSED_DATA") cols.data = c;
    else if (name === "GZIP_COMPRESSED_DATA") cols.gzip = c;
    else if (name === "UNCOMPRESSED_DATA") cols.raw = c;
    else if (name === "ZSCALE") cols.zscale = c;
    else if (name === "ZZERO") cols.zzero = c;
    else if (name === "ZBLANK") cols.zblank = c;
  }
  if (!cols.data || (cols.data.type !== "P" && cols.data.type !== "Q")) {
    throw new FitsError("Compressed image has no COMPRESSED_DATA variable-length column", where);
  }
  const ntiles: number[] = dims.map((d, i) => Math.ceil(d / tile[i]!));
  const totalTiles = ntiles.reduce((a, b) => a * b, znaxis > 0 ? 1 : 0);
  if (totalTiles > layout.rows) {
    throw new FitsError(
      `Compressed image needs ${totalTiles} tiles but the table has ${layout.rows} rows`,
      where,
    );
  }
  const isFloat = zbitpix < 0;
  const quantiz = (header.getString("ZQUANTIZ") ?? "").trim().toUpperCase();
  const dither = quantiz === "SUBTRACTIVE_DITHER_1"
    ? 1
    : quantiz === "SUBTRACTIVE_DITHER_2"
    ? 2
    : 0;
  const ditherSeed = header.getNumber("ZDITHER0") ?? 1;
  const kzscale = header.getNumber("ZSCALE");
  const kzzero = header.getNumber("ZZERO");
  const kzblank = header.getNumber("ZBLANK");
  const blockSize = zval(header, "BLOCKSIZE") ?? 32;
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new FitsError(`BLOCKSIZE ${blockSize} is not a positive integer`, where);
  }
  const bytepixKey = zval(header, "BYTEPIX");
  // Quantized floats are always 4-byte integers; integer images default to their width.
  const riceBytepix = isFloat
    ? 4
    : zbitpix === 8
    ? 1
    : zbitpix === 16
    ? (bytepixKey ?? 2)
    : (bytepixKey ?? 4);
  if (![1, 2, 4].includes(riceBytepix)) {
    throw new FitsError(`BYTEPIX ${riceBytepix} is not 1, 2 or 4`, where);
  }
  const heapStart = dataOffset + layout.heapOffset;
  const heapEnd = heapStart + layout.heapSize;

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
  let sawNull = false;
  const randoms = dither ? fitsRandoms() : undefined;
  const pos = new Array<number>(znaxis).fill(0); // tile index per axis
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let tileMax = 1;
  for (const t of tile) tileMax *= t;
  const riceScratch = ctype.startsWith("RICE") ? new Int32Array(tileMax) : undefined;
  const strides = new Array<number>(znaxis);
  for (let a = 0; a < znaxis; a++) strides[a] = a === 0 ? 1 : strides[a - 1]! * dims[a - 1]!;
  for (let t = 0; t < totalTiles; t++) {
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
    const [nelem, off] = readDescriptor(dv, dataOffset, layout, cols.data, t);
    let values: PixelArray;
    let quantized = false;
    let scale = 1, zero = 0;
    if (nelem > 0) {
      const elemSize = cols.data.elementType === "I" ? 2 : cols.data.elementType === "J" ? 4 : 1;
      const p0 = heapStart + off;
      const p1 = p0 + nelem * elemSize;
      if (off < 0 || p1 > heapEnd) {
        throw new FitsError(`Tile ${t + 1} data lie outside the heap`, { ...where, offset: p0 });
      }
      const comp = bytes.subarray(p0, p1);
      if (isFloat) {
        const hasScale = cols.zscale !== undefined || kzscale !== undefined;
        quantized = hasScale;
        if (hasScale) {
          scale = cols.zscale ? readScalar(dv, dataOffset, layout, cols.zscale, t) : kzscale!;
          zero = cols.zzero ? readScalar(dv, dataOffset, layout, cols.zzero, t) : kzzero ?? 0;
        }
      }
      const intSize = isFloat ? (quantized ? 4 : elem) : elem;
      if (ctype === "RICE_1" || ctype === "RICE_ONE") {
        const bp = riceBytepix;
        const arr = riceScratch!.subarray(0, tpix);
        tileGuard(t, where, () => riceDecompress(comp, arr, bp, blockSize));
        values = arr;
      } else if (ctype === "NOCOMPRESS") {
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
        values = beWords(raw, wsize, tpix, ctype === "GZIP_2", isFloat && !quantized);
      }
    } else {
      // Tile stored losslessly in GZIP_COMPRESSED_DATA or UNCOMPRESSED_DATA.
      const alt = cols.gzip ?? cols.raw;
      if (!alt) throw new FitsError(`Tile ${t + 1} has no data`, where);
      const [n2, off2] = readDescriptor(dv, dataOffset, layout, alt, t);
      const esz = alt.elementType === "D" || alt.elementType === "K"
        ? 8
        : alt.elementType === "E" || alt.elementType === "J"
        ? 4
        : alt.elementType === "I"
        ? 2
        : 1;
      const p0 = heapStart + off2;
      const p1 = p0 + n2 * esz;
      if (n2 < 0 || off2 < 0 || p1 > heapEnd) {
        throw new FitsError(`Tile ${t + 1} data lie outside the heap`, { ...where, offset: p0 });
      }
      const buf = alt === cols.gzip
        ? tileGuard(t, where, () => inflateTile(bytes.subarray(p0, p1), tpix * 8))
        : bytes.subarray(p0, p1);
      if (buf.length !== tpix * elem) {
        throw new FitsError(
          `Tile ${t + 1} holds ${buf.length} bytes, expected ${tpix * elem}`,
          where,
        );
      }
      values = beWords(buf, elem, tpix, false, isFloat);
    }
    if (values.length !== tpix) {
      throw new FitsError(`Tile ${t + 1} holds ${values.length} pixels, expected ${tpix}`, where);
    }
    // Restore quantized floats.
    let tileValues: PixelArray = values;
    if (quantized) {
      const q = values as Int32Array | Int16Array | Uint8Array;
      const f = zbitpix === -32 ? new Float32Array(tpix) : new Float64Array(tpix);
      const nullv = cols.zblank
        ? readScalar(dv, dataOffset, layout, cols.zblank, t)
        : kzblank ?? NULL_VALUE;
      const hasNull = cols.zblank !== undefined || kzblank !== undefined;
      if (dither && randoms) {
        let iseed = ((t + ditherSeed - 1) % N_RANDOM + N_RANDOM) % N_RANDOM;
        let next = Math.trunc(Math.fround(randoms[iseed]! * 500));
        for (let i = 0; i < tpix; i++) {
          const v = q[i]!;
          if (hasNull && v === nullv) {
            f[i] = NaN;
            sawNull = true;
          } else if (dither === 2 && v === ZERO_VALUE) f[i] = 0;
          else f[i] = (v - randoms[next]! + 0.5) * scale + zero;
          next++;
          if (next === N_RANDOM) {
            iseed++;
            if (iseed === N_RANDOM) iseed = 0;
            next = Math.trunc(Math.fround(randoms[iseed]! * 500));
          }
        }
      } else {
        for (let i = 0; i < tpix; i++) {
          const v = q[i]!;
          if (hasNull && v === nullv) {
            f[i] = NaN;
            sawNull = true;
          } else f[i] = v * scale + zero;
        }
      }
      tileValues = f;
    } else if (isFloat && values.constructor !== out.constructor) {
      tileValues = zbitpix === -32
        ? Float32Array.from(values as Float64Array)
        : Float64Array.from(values as Float32Array);
    } else if (!isFloat && (out instanceof BigInt64Array) !== (values instanceof BigInt64Array)) {
      // 64-bit images stored in narrower words (or the reverse): convert explicitly.
      if (out instanceof BigInt64Array) {
        const conv = new BigInt64Array(tpix);
        for (let i = 0; i < tpix; i++) conv[i] = BigInt((values as Int32Array)[i]!);
        tileValues = conv;
      } else {
        const conv = new Float64Array(tpix);
        for (let i = 0; i < tpix; i++) conv[i] = Number((values as BigInt64Array)[i]!);
        tileValues = conv;
      }
    }
    // Other integer widths convert in TypedArray.set (values already fit the ZBITPIX type).
    placeTile(out, tileValues, strides, start, size);
    // Next tile position (axis 1 fastest).
    for (let a = 0; a < znaxis; a++) {
      pos[a]!++;
      if (pos[a]! < ntiles[a]!) break;
      pos[a] = 0;
    }
  }
  let data: PixelArray = out;
  if (!isFloat) {
    const bzero = header.getNumber("BZERO") ?? 0;
    const bscale = header.getNumber("BSCALE") ?? 1;
    const b = header.get("BLANK") ?? header.get("ZBLANK");
    const blank = typeof b === "number" || typeof b === "bigint" ? b : undefined;
    data = scalePixels(out, zbitpix, bzero, bscale === 0 ? 1 : bscale, blank, true);
  } else if (sawNull && header.has("ZBLANK") === false && cols.zblank === undefined) {
    ctx.warn("null pixels found without ZBLANK");
  }
  return { bitpix: zbitpix, shape: dims, data };
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
