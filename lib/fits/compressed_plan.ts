/**
 * What the header of a tile-compressed image (ZIMAGE BINTABLE) says: image
 * type and axes, tile sizes, compression and quantisation parameters, and
 * the table columns holding the tiles. Everything header-driven is bounded
 * here (ZNAXIS <= 999, the image size against the file size) before any
 * tile is touched.
 *
 * @module
 */
import { type ColumnLayout, type TableContext, type TableLayout, tableLayout } from "./bintable.ts";
import { FitsError } from "./errors.ts";
import type { FitsHeader } from "./header.ts";

/** Largest decompressed image accepted: 2 GiB, and at most this many bytes per compressed byte. */
const MAX_BYTES = 2 ** 31;
const MAX_RATIO = 4096;

/** The table columns of a compressed image. */
export interface TileColumns {
  /** COMPRESSED_DATA (variable length). */
  data?: ColumnLayout;
  /** GZIP_COMPRESSED_DATA (tiles stored losslessly). */
  gzip?: ColumnLayout;
  /** UNCOMPRESSED_DATA. */
  raw?: ColumnLayout;
  /** Per-tile ZSCALE. */
  zscale?: ColumnLayout;
  /** Per-tile ZZERO. */
  zzero?: ColumnLayout;
  /** Per-tile ZBLANK. */
  zblank?: ColumnLayout;
}

/** Everything the tile decoder needs, read from the header. */
export interface CompressedPlan {
  /** File and HDU for messages. */
  where: { file: string; hdu: number };
  /** The BINTABLE layout. */
  layout: TableLayout;
  /** ZBITPIX. */
  zbitpix: number;
  /** ZNAXIS. */
  znaxis: number;
  /** ZNAXISn. */
  dims: number[];
  /** ZTILEn (clamped to the axis). */
  tile: number[];
  /** Pixels of the image. */
  npix: number;
  /** Bytes per pixel of ZBITPIX. */
  elem: number;
  /** ZCMPTYPE, upper case. */
  ctype: string;
  /** The tile columns (`data` is set). */
  cols: TileColumns & { data: ColumnLayout };
  /** Tiles per axis. */
  ntiles: number[];
  /** Tiles in all. */
  totalTiles: number;
  /** Whether ZBITPIX is a float type. */
  isFloat: boolean;
  /** 0 (none), 1 or 2 (SUBTRACTIVE_DITHER_1/2). */
  dither: 0 | 1 | 2;
  /** ZDITHER0. */
  ditherSeed: number;
  /** Header ZSCALE/ZZERO/ZBLANK (when not per tile). */
  kzscale?: number;
  kzzero?: number;
  kzblank?: number;
  /** Rice BLOCKSIZE. */
  blockSize: number;
  /** Rice BYTEPIX. */
  riceBytepix: number;
  /** Heap start and end in the file. */
  heapStart: number;
  heapEnd: number;
}

function zval(header: FitsHeader, name: string): number | undefined {
  for (let i = 1; i < 100; i++) {
    const k = header.getString(`ZNAME${i}`);
    if (k === undefined) return undefined;
    if (k.trim().toUpperCase() === name) return header.getNumber(`ZVAL${i}`);
  }
  return undefined;
}

/** ZBITPIX, ZNAXIS, ZNAXISn and ZTILEn, with the image size bounded by the file's. */
function imageAxes(
  header: FitsHeader,
  where: { file: string; hdu: number },
  fileBytes: number,
): Pick<CompressedPlan, "zbitpix" | "znaxis" | "dims" | "tile" | "npix" | "elem"> {
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
  const limit = Math.min(MAX_BYTES, Math.max(1 << 26, MAX_RATIO * fileBytes));
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
  return { zbitpix, znaxis, dims, tile, npix, elem };
}

function tileColumns(
  layout: TableLayout,
  where: { file: string; hdu: number },
): TileColumns & { data: ColumnLayout } {
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
  return cols as TileColumns & { data: ColumnLayout };
}

/** ZCMPTYPE, ZQUANTIZ, ZDITHER0, ZSCALE/ZZERO/ZBLANK and the Rice parameters. */
function compression(
  header: FitsHeader,
  where: { file: string; hdu: number },
  zbitpix: number,
): Pick<
  CompressedPlan,
  "ctype" | "dither" | "ditherSeed" | "kzscale" | "kzzero" | "kzblank" | "blockSize" | "riceBytepix"
> {
  const ctype = (header.getString("ZCMPTYPE") ?? "").trim().toUpperCase();
  if (!["RICE_1", "RICE_ONE", "GZIP_1", "GZIP_2", "NOCOMPRESS"].includes(ctype)) {
    throw new FitsError(`Tile compression ${ctype || "(none given)"} is not supported`, where, {
      hint: "supported: RICE_1, GZIP_1, GZIP_2, NOCOMPRESS; convert with `funpack` from cfitsio",
    });
  }
  const quantiz = (header.getString("ZQUANTIZ") ?? "").trim().toUpperCase();
  const dither = quantiz === "SUBTRACTIVE_DITHER_1"
    ? 1
    : quantiz === "SUBTRACTIVE_DITHER_2"
    ? 2
    : 0;
  const blockSize = zval(header, "BLOCKSIZE") ?? 32;
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new FitsError(`BLOCKSIZE ${blockSize} is not a positive integer`, where);
  }
  const bytepixKey = zval(header, "BYTEPIX");
  // Quantized floats are always 4-byte integers; integer images default to their width.
  const riceBytepix = zbitpix < 0
    ? 4
    : zbitpix === 8
    ? 1
    : zbitpix === 16
    ? (bytepixKey ?? 2)
    : (bytepixKey ?? 4);
  if (![1, 2, 4].includes(riceBytepix)) {
    throw new FitsError(`BYTEPIX ${riceBytepix} is not 1, 2 or 4`, where);
  }
  return {
    ctype,
    dither,
    ditherSeed: header.getNumber("ZDITHER0") ?? 1,
    kzscale: header.getNumber("ZSCALE"),
    kzzero: header.getNumber("ZZERO"),
    kzblank: header.getNumber("ZBLANK"),
    blockSize,
    riceBytepix,
  };
}

/**
 * Reads and checks the header of a tile-compressed image.
 *
 * @param fileBytes Size of the whole file (bounds the image size).
 * @param dataOffset Offset of the BINTABLE data unit.
 * @param header The BINTABLE header.
 * @param shape [NAXIS1, NAXIS2] of the table.
 * @param pcount PCOUNT (heap size).
 * @param ctx File/HDU and warnings.
 * @throws {FitsError} Naming the keyword at fault.
 */
export function compressedPlan(
  fileBytes: number,
  dataOffset: number,
  header: FitsHeader,
  shape: number[],
  pcount: number,
  ctx: TableContext,
): CompressedPlan {
  const where = { file: ctx.file, hdu: ctx.hdu };
  const layout = tableLayout(header, shape, pcount, ctx);
  const axes = imageAxes(header, where, fileBytes);
  const comp = compression(header, where, axes.zbitpix);
  const cols = tileColumns(layout, where);
  const ntiles: number[] = axes.dims.map((d, i) => Math.ceil(d / axes.tile[i]!));
  const totalTiles = ntiles.reduce((a, b) => a * b, axes.znaxis > 0 ? 1 : 0);
  if (totalTiles > layout.rows) {
    throw new FitsError(
      `Compressed image needs ${totalTiles} tiles but the table has ${layout.rows} rows`,
      where,
    );
  }
  const heapStart = dataOffset + layout.heapOffset;
  return {
    where,
    layout,
    ...axes,
    ...comp,
    cols,
    ntiles,
    totalTiles,
    isFloat: axes.zbitpix < 0,
    heapStart,
    heapEnd: heapStart + layout.heapSize,
  };
}
