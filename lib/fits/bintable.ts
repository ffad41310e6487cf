/**
 * BINTABLE extensions: column layout from TFORMn, and decoding of every
 * fixed-size column (L, B, I, J, K, E, D, A and fixed arrays) into typed
 * arrays; variable-length (P/Q) descriptors are read by the tile-compressed
 * image decoder.
 *
 * @module
 */
import { describeValue } from "./values.ts";
import { swapInPlace } from "./endian.ts";
import { FitsError } from "./errors.ts";
import type { FitsHeader } from "./header.ts";
import type { FitsColumn, FitsTable, PixelArray } from "./types.ts";

/** Context for table decoding. */
export interface TableContext {
  /** File name. */
  file: string;
  /** HDU index. */
  hdu: number;
  /** Warning sink. */
  warn: (message: string) => void;
}

/** Layout of one column inside a row. */
export interface ColumnLayout {
  /** TTYPEn (or `COLn`). */
  name: string;
  /** TFORMn as written. */
  format: string;
  /** Type letter. */
  type: string;
  /** Repeat count. */
  repeat: number;
  /** For P/Q descriptors: the element type letter (e.g. `B` in `1PB(200)`). */
  elementType?: string;
  /** Byte offset of the field in a row. */
  offset: number;
  /** Width of the field in bytes. */
  width: number;
  /** 1-based column number. */
  number: number;
}

/** Layout of a table: row size, rows, columns, heap offset. */
export interface TableLayout {
  /** Bytes per row (NAXIS1). */
  rowBytes: number;
  /** Rows (NAXIS2). */
  rows: number;
  /** Columns. */
  columns: ColumnLayout[];
  /** Offset of the heap from the start of the data unit (THEAP). */
  heapOffset: number;
  /** Heap size in bytes (PCOUNT). */
  heapSize: number;
}

const TYPE_SIZE: Record<string, number> = {
  L: 1,
  X: 0,
  B: 1,
  I: 2,
  J: 4,
  K: 8,
  A: 1,
  E: 4,
  D: 8,
  C: 8,
  M: 16,
  P: 8,
  Q: 16,
};

/**
 * Reads the column layout of a BINTABLE header and checks it against NAXIS1.
 *
 * @param header Table header.
 * @param shape [NAXIS1, NAXIS2].
 * @param pcount PCOUNT (heap size).
 * @param ctx File/HDU for messages.
 */
export function tableLayout(
  header: FitsHeader,
  shape: number[],
  pcount: number,
  ctx: TableContext,
): TableLayout {
  const where = { file: ctx.file, hdu: ctx.hdu };
  if (shape.length !== 2) {
    throw new FitsError(`BINTABLE must have NAXIS = 2, not ${shape.length}`, where);
  }
  const [rowBytes, rows] = shape as [number, number];
  const tfields = header.getNumber("TFIELDS");
  if (tfields === undefined || !Number.isInteger(tfields) || tfields < 0 || tfields > 999) {
    throw new FitsError(
      `BINTABLE has no valid TFIELDS (0..999): TFIELDS = ${describeValue(header.get("TFIELDS"))}`,
      where,
    );
  }
  const columns: ColumnLayout[] = [];
  let offset = 0;
  for (let i = 1; i <= tfields; i++) {
    const format = (header.getString(`TFORM${i}`) ?? "").trim();
    const m = /^(\d*)([LXBIJKAEDCMPQ])(.*)$/.exec(format.toUpperCase());
    if (!m) {
      throw new FitsError(`TFORM${i} = '${format}' is not a valid binary table format`, where);
    }
    const repeat = m[1] === "" ? 1 : Number(m[1]);
    const type = m[2]!;
    let width = type === "X" ? Math.ceil(repeat / 8) : repeat * TYPE_SIZE[type]!;
    let elementType: string | undefined;
    if (type === "P" || type === "Q") {
      elementType = m[3]!.charAt(0) || undefined;
      width = (repeat > 0 ? 1 : 0) * TYPE_SIZE[type]!;
    }
    columns.push({
      name: header.getString(`TTYPE${i}`)?.trim() || `COL${i}`,
      format,
      type,
      repeat,
      elementType,
      offset,
      width,
      number: i,
    });
    offset += width;
  }
  if (offset > rowBytes) {
    throw new FitsError(
      `BINTABLE columns need ${offset} bytes per row but NAXIS1 is ${rowBytes}`,
      where,
    );
  }
  if (offset < rowBytes) {
    ctx.warn(`BINTABLE columns use ${offset} of the ${rowBytes} bytes per row`);
  }
  const theap = header.getNumber("THEAP") ?? rowBytes * rows;
  if (!Number.isInteger(theap) || theap < rowBytes * rows || theap > rowBytes * rows + pcount) {
    throw new FitsError(`THEAP = ${theap} is outside the data unit`, where);
  }
  return { rowBytes, rows, columns, heapOffset: theap, heapSize: rowBytes * rows + pcount - theap };
}

/** Gathers one fixed-size column (all rows) into a contiguous native-order buffer. */
function gather(
  bytes: Uint8Array,
  dataOffset: number,
  layout: TableLayout,
  col: ColumnLayout,
  size: number,
): ArrayBuffer {
  const { rows, rowBytes } = layout;
  const n = rows * col.repeat;
  const out = new Uint8Array(n * size);
  const w = col.width;
  if (w <= 32) {
    // Narrow fields: a byte loop beats one subarray + set per row.
    for (let r = 0, o = 0; r < rows; r++) {
      const src = dataOffset + r * rowBytes + col.offset;
      for (let k = 0; k < w; k++) out[o++] = bytes[src + k]!;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const src = dataOffset + r * rowBytes + col.offset;
      out.set(bytes.subarray(src, src + w), r * w);
    }
  }
  swapInPlace(out.buffer, 0, n, size);
  return out.buffer;
}

function scaleColumn(
  raw: PixelArray,
  type: string,
  tzero: number,
  tscal: number,
): PixelArray {
  if (tzero === 0 && tscal === 1) return raw;
  const n = raw.length;
  if (tscal === 1) {
    if (type === "B" && tzero === -128) {
      const o = new Int8Array(n);
      for (let i = 0; i < n; i++) o[i] = (raw as Uint8Array)[i]! ^ 0x80;
      return o;
    }
    if (type === "I" && tzero === 32768) {
      const o = new Uint16Array(raw.buffer, raw.byteOffset, n);
      for (let i = 0; i < n; i++) o[i] = o[i]! ^ 0x8000;
      return o;
    }
    if (type === "J" && tzero === 2147483648) {
      const o = new Uint32Array(raw.buffer, raw.byteOffset, n);
      for (let i = 0; i < n; i++) o[i] = (o[i]! ^ 0x80000000) >>> 0;
      return o;
    }
    if (type === "K" && tzero === 9223372036854775808) {
      const o = new BigUint64Array(raw.buffer, raw.byteOffset, n);
      for (let i = 0; i < n; i++) o[i] = o[i]! ^ (1n << 63n);
      return o;
    }
  }
  const o = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = raw[i]!;
    o[i] = (typeof v === "bigint" ? Number(v) : v) * tscal + tzero;
  }
  return o;
}

/** Decodes one fixed-size column; `undefined` for X, C, M, P, Q. */
export function decodeColumn(
  bytes: Uint8Array,
  dataOffset: number,
  layout: TableLayout,
  col: ColumnLayout,
  header: FitsHeader,
): FitsColumn["data"] {
  const { rows, rowBytes } = layout;
  const n = rows * col.repeat;
  switch (col.type) {
    case "A": {
      const out: string[] = new Array(rows);
      for (let r = 0; r < rows; r++) {
        const src = dataOffset + r * rowBytes + col.offset;
        let end = src + col.repeat;
        const nul = bytes.subarray(src, end).indexOf(0);
        if (nul >= 0) end = src + nul;
        while (end > src && bytes[end - 1] === 32) end--;
        out[r] = String.fromCharCode(...bytes.subarray(src, end));
      }
      return out;
    }
    case "L": {
      const out: boolean[] = new Array(n);
      for (let r = 0; r < rows; r++) {
        const src = dataOffset + r * rowBytes + col.offset;
        for (let k = 0; k < col.repeat; k++) out[r * col.repeat + k] = bytes[src + k] === 84; // 'T'
      }
      return out;
    }
    case "B":
    case "I":
    case "J":
    case "K":
    case "E":
    case "D": {
      const size = TYPE_SIZE[col.type]!;
      const buf = gather(bytes, dataOffset, layout, col, size);
      const raw: PixelArray = col.type === "B"
        ? new Uint8Array(buf, 0, n)
        : col.type === "I"
        ? new Int16Array(buf, 0, n)
        : col.type === "J"
        ? new Int32Array(buf, 0, n)
        : col.type === "K"
        ? new BigInt64Array(buf, 0, n)
        : col.type === "E"
        ? new Float32Array(buf, 0, n)
        : new Float64Array(buf, 0, n);
      const tzero = header.getNumber(`TZERO${col.number}`) ?? 0;
      const tscal = header.getNumber(`TSCAL${col.number}`) ?? 1;
      return scaleColumn(raw, col.type, tzero, tscal === 0 ? 1 : tscal);
    }
    default:
      return undefined;
  }
}

/**
 * Decodes a BINTABLE data unit into typed columns.
 *
 * @param bytes The whole file.
 * @param dataOffset Offset of the data unit.
 * @param header Table header.
 * @param shape [NAXIS1, NAXIS2].
 * @param pcount PCOUNT.
 * @param ctx File/HDU and warnings.
 */
export function decodeBintable(
  bytes: Uint8Array,
  dataOffset: number,
  header: FitsHeader,
  shape: number[],
  pcount: number,
  ctx: TableContext,
): FitsTable {
  const layout = tableLayout(header, shape, pcount, ctx);
  const columns: FitsColumn[] = layout.columns.map((c) => {
    const col: FitsColumn = { name: c.name, format: c.format, type: c.type, repeat: c.repeat };
    const unit = header.getString(`TUNIT${c.number}`)?.trim();
    if (unit) col.unit = unit;
    col.data = decodeColumn(bytes, dataOffset, layout, c, header);
    return col;
  });
  return makeTable(layout.rows, columns);
}

/** Builds a {@link FitsTable} with its name lookup. */
export function makeTable(rows: number, columns: FitsColumn[]): FitsTable {
  return {
    rows,
    columns,
    column(name: string): FitsColumn | undefined {
      const k = name.toUpperCase();
      return columns.find((c) => c.name.toUpperCase() === k);
    },
  };
}
