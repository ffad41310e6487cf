/**
 * The FITS reader: bytes (plain or gzip) or a path -> {@link FitsFile} with
 * every HDU's header and decoded data (images, tile-compressed images,
 * binary tables; other extensions are skipped safely).
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { decodeBintable } from "./bintable.ts";
import { decodeCompressedImage } from "./compressed.ts";
import { FitsError } from "./errors.ts";
import { BLOCK, type FitsHeader, type ParseContext, parseHeader } from "./header.ts";
import { decodeImage } from "./image.ts";
import type { FitsFile, Hdu, HduKind } from "./types.ts";
import { describeValue } from "./values.ts";

export { imageToFloat32 } from "./image.ts";

/** Options of the readers. */
export interface ReadOptions {
  /** Parse headers and structure only; leave `image`/`table` unset. */
  headersOnly?: boolean;
  /**
   * When given, a fatal error ends the read early and is pushed here instead
   * of thrown; `hdus` then holds the HDUs read before it.
   */
  errors?: FitsError[];
}

const VALID_BITPIX = new Set([8, 16, 32, 64, -32, -64]);

/** Whether `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function intKey(
  header: FitsHeader,
  key: string,
  where: { file: string; hdu: number },
  min: number,
  max: number,
): number {
  const v = header.get(key);
  if (v === undefined) {
    throw new FitsError(`Mandatory keyword ${key} is missing`, where);
  }
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new FitsError(
      `Keyword ${key} = ${describeValue(v)} is not an integer in ${min}..${max}`,
      where,
    );
  }
  return v;
}

function kindOf(index: number, header: FitsHeader, groups: boolean): HduKind {
  if (index === 0) return groups ? "unknown" : "image";
  const x = (header.getString("XTENSION") ?? "").trim().toUpperCase();
  if (x === "IMAGE" || x === "IUEIMAGE") return "image";
  if (x === "BINTABLE" || x === "A3DTABLE") {
    return header.get("ZIMAGE") === true ? "compressed-image" : "bintable";
  }
  if (x === "TABLE") return "table";
  return "unknown";
}

/**
 * Parses a whole (decompressed) FITS file.
 *
 * @param bytes File bytes (not gzip).
 * @param name File name for messages.
 * @param owned Whether the reader may modify `bytes` (swap in place, views).
 * @param options Reader options.
 */
export function parseFits(
  bytes: Uint8Array,
  name: string,
  owned: boolean,
  options: ReadOptions = {},
): FitsFile {
  const warnings: string[] = [];
  const ctx: ParseContext = { file: name, warnings };
  const hdus: Hdu[] = [];
  if (bytes.length % BLOCK !== 0) {
    warnings.push(`file size ${bytes.length} is not a multiple of 2880`);
  }
  try {
    readHdus(bytes, name, owned, options, ctx, hdus);
  } catch (e) {
    if (!options.errors || !(e instanceof FitsError)) throw e;
    options.errors.push(e);
  }
  return { name, hdus, warnings };
}

/** Where an HDU's data lies and how it is laid out, from its header. */
interface HduGeometry {
  bitpix: number;
  shape: number[];
  pcount: number;
  groups: boolean;
  dataSize: number;
}

/** Checks that an HDU starts at `offset`; false when the rest is not an extension (warned). */
function hduStarts(bytes: Uint8Array, offset: number, index: number, ctx: ParseContext): boolean {
  if (index > 0) {
    // Anything after the last HDU that is not an extension is ignored with a warning.
    const head = String.fromCharCode(...bytes.subarray(offset, Math.min(offset + 8, bytes.length)));
    if (head !== "XTENSION" || bytes.length - offset < 80) {
      ctx.warnings.push(
        `${bytes.length - offset} bytes after HDU ${index - 1} are not a FITS extension; ignored`,
      );
      return false;
    }
    return true;
  }
  const head = String.fromCharCode(...bytes.subarray(0, 9));
  if (head !== "SIMPLE  =") {
    throw new FitsError("Not a FITS file: it does not start with SIMPLE =", {
      file: ctx.file,
      offset: 0,
    }, { hint: "FITS files start with the card 'SIMPLE  =                    T'" });
  }
  return true;
}

/**
 * A byte count for messages: exact with its binary-prefixed size
 * ("40000000000 bytes (37.3 GiB)"), or in powers of ten beyond 21 digits
 * ("about 4.32e16031 bytes").
 */
function bytesText(n: bigint): string {
  const digits = n.toString();
  if (digits.length > 21) {
    return `about ${digits[0]}.${digits.slice(1, 3)}e${digits.length - 1} bytes`;
  }
  if (n < 1024n) return `${n} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"];
  let v = Number(n), u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${n} bytes (${v.toFixed(1)} ${units[u]})`;
}

/**
 * Reads BITPIX, NAXIS, NAXISn, PCOUNT, GCOUNT and checks that the data unit
 * fits in the file (the message gives the exact size it needs).
 */
function hduGeometry(
  bytes: Uint8Array,
  header: FitsHeader,
  dataOffset: number,
  index: number,
  ctx: ParseContext,
): HduGeometry {
  const where = { file: ctx.file, hdu: index };
  const warn = (m: string) => ctx.warnings.push(`HDU ${index}: ${m}`);
  const bitpix = intKey(header, "BITPIX", where, -64, 64);
  if (!VALID_BITPIX.has(bitpix)) {
    throw new FitsError(`BITPIX ${bitpix} is not one of 8, 16, 32, 64, -32, -64`, where);
  }
  const naxis = intKey(header, "NAXIS", where, 0, 999);
  const shape: number[] = [];
  const groups = index === 0 && naxis > 0 && header.get("GROUPS") === true &&
    header.get("NAXIS1") === 0;
  let count = naxis > 0 ? 1n : 0n; // exact: garbage axes cannot overflow it
  for (let i = 1; i <= naxis; i++) {
    const d = intKey(header, `NAXIS${i}`, where, 0, Number.MAX_SAFE_INTEGER);
    shape.push(d);
    if (!(groups && i === 1)) count *= BigInt(d);
  }
  let pcount = 0, gcount = 1;
  if (index > 0 || groups) {
    if (header.has("PCOUNT")) {
      pcount = intKey(header, "PCOUNT", where, 0, Number.MAX_SAFE_INTEGER);
    } else warn("PCOUNT is missing; 0 assumed");
    if (header.has("GCOUNT")) {
      gcount = intKey(header, "GCOUNT", where, 0, Number.MAX_SAFE_INTEGER);
    } else warn("GCOUNT is missing; 1 assumed");
  } else if (header.has("PCOUNT") || header.has("GCOUNT")) {
    warn("PCOUNT/GCOUNT are not allowed in a primary array; ignored");
  }
  const need = BigInt(Math.abs(bitpix) / 8) * BigInt(gcount) * (BigInt(pcount) + count);
  const remaining = Math.max(0, bytes.length - dataOffset);
  if (need > BigInt(remaining)) {
    throw new FitsError(
      `Data unit is truncated: it needs ${bytesText(need)} but only ${remaining} remain`,
      { file: ctx.file, hdu: index, offset: dataOffset },
      { hint: "the file is incomplete (interrupted download or copy?) or NAXISn are wrong" },
    );
  }
  return { bitpix, shape, pcount, groups, dataSize: Number(need) };
}

/** Decodes the data unit of `hdu` (images, tables, tile-compressed images). */
function decodeHduData(
  bytes: Uint8Array,
  hdu: Hdu,
  g: HduGeometry,
  owned: boolean,
  ctx: ParseContext,
): void {
  const index = hdu.index, kind = hdu.kind, header = hdu.header, at = hdu.dataOffset;
  const where = { file: ctx.file, hdu: index };
  const warn = (m: string) => ctx.warnings.push(`HDU ${index}: ${m}`);
  try {
    if (kind === "image") {
      hdu.image = decodeImage(bytes, at, g.bitpix, g.shape, header, { owned, warn });
    } else if (kind === "bintable") {
      hdu.table = decodeBintable(bytes, at, header, g.shape, g.pcount, { ...where, warn });
    } else if (kind === "compressed-image") {
      hdu.image = decodeCompressedImage(bytes, at, header, g.shape, g.pcount, { ...where, warn });
    }
  } catch (e) {
    if (e instanceof FitsError) throw e;
    throw new FitsError(
      `Cannot decode the ${kind} data: ${(e as Error)?.message ?? String(e)}`,
      { file: ctx.file, hdu: index, offset: at },
      { cause: e },
    );
  }
}

function readHdus(
  bytes: Uint8Array,
  name: string,
  owned: boolean,
  options: ReadOptions,
  ctx: ParseContext,
  hdus: Hdu[],
): void {
  let offset = 0;
  if (bytes.length < 80) {
    throw new FitsError(`Not a FITS file: only ${bytes.length} bytes`, { file: name, offset: 0 });
  }
  while (offset < bytes.length) {
    const index = hdus.length;
    if (!hduStarts(bytes, offset, index, ctx)) break;
    const parsed = parseHeader(bytes, offset, index, ctx);
    const header = parsed.header;
    if (index === 0 && header.get("SIMPLE") !== true) {
      ctx.warnings.push(`HDU ${index}: SIMPLE is not T`);
    }
    const g = hduGeometry(bytes, header, parsed.dataOffset, index, ctx);
    const hdu: Hdu = {
      index,
      kind: kindOf(index, header, g.groups),
      header,
      headerOffset: offset,
      dataOffset: parsed.dataOffset,
      dataSize: g.dataSize,
    };
    if (!options.headersOnly) decodeHduData(bytes, hdu, g, owned, ctx);
    hdus.push(hdu);
    const end = parsed.dataOffset + Math.ceil(g.dataSize / BLOCK) * BLOCK;
    if (end > bytes.length) {
      ctx.warnings.push(`HDU ${index}: the last data block is not padded to 2880 bytes`);
    }
    offset = end;
  }
}

function gunzip(bytes: Uint8Array, name: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new FitsError(`Cannot decompress the gzip file: ${(e as Error).message}`, {
      file: name,
    }, { cause: e, hint: "the .gz file is damaged or incomplete" });
  }
}

/**
 * Reads a FITS file from bytes; gzip-compressed bytes (magic 1f 8b) are
 * decompressed synchronously (node:zlib). `bytes` are not modified: images
 * are decoded into new arrays (8-bit images are views of `bytes`).
 *
 * @param bytes The file content.
 * @param name Name used in messages and `FitsFile.name`.
 * @param options Reader options.
 * @throws {FitsError} When the file cannot be read (with file, HDU, card or byte offset).
 *
 * @example Read an image written in memory
 * ```ts
 * import { readFits } from "./read.ts";
 * import { writeFits } from "./write.ts";
 * const fits = readFits(writeFits([{ bitpix: 16, shape: [3], data: [1, 2, 3] }]), "mem.fits");
 * if (!(fits.hdus[0]!.image!.data[2] === 3)) throw new Error("example check failed");
 * ```
 */
export function readFits(bytes: Uint8Array, name = "<bytes>", options: ReadOptions = {}): FitsFile {
  if (isGzip(bytes)) return parseFits(gunzip(bytes, name), name, true, options);
  return parseFits(bytes, name, false, options);
}

/** Decompresses gzip bytes with the web-standard DecompressionStream. */
export async function gunzipAsync(bytes: Uint8Array, name = "<bytes>"): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    );
    // ISIZE (last 4 bytes, little-endian) is the size modulo 2^32: a good first guess.
    const n = bytes.length;
    const guess = n >= 4
      ? (bytes[n - 4]! | (bytes[n - 3]! << 8) | (bytes[n - 2]! << 16) | (bytes[n - 1]! << 24)) >>> 0
      : 0;
    let out = new Uint8Array(Math.max(guess, 1 << 16));
    let len = 0;
    for await (const chunk of stream) {
      if (len + chunk.length > out.length) {
        const bigger = new Uint8Array(Math.max(out.length * 2, len + chunk.length));
        bigger.set(out.subarray(0, len));
        out = bigger;
      }
      out.set(chunk, len);
      len += chunk.length;
    }
    return out.subarray(0, len);
  } catch (e) {
    throw new FitsError(`Cannot decompress the gzip file: ${(e as Error).message}`, {
      file: name,
    }, { cause: e, hint: "the .gz file is damaged or incomplete" });
  }
}

/**
 * Reads a FITS file from bytes, decompressing gzip with DecompressionStream
 * (asynchronous, web standard). Same result as {@link readFits}.
 *
 * @param bytes The file content.
 * @param name Name used in messages.
 * @param options Reader options.
 * @example
 * ```ts
 * import { readFitsAsync } from "./read.ts";
 * import { writeFits } from "./write.ts";
 * // A gzipped 30x20 16-bit image, built in memory.
 * const data = Array.from({ length: 30 * 20 }, (_, i) => i % 100);
 * const plain = writeFits([{ bitpix: 16, shape: [30, 20], data }]);
 * const gz = new Blob([plain as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
 * const bytes = new Uint8Array(await new Response(gz).arrayBuffer());
 * const fits = await readFitsAsync(bytes, "image.fits.gz");
 * const image = fits.hdus[0]!.image!;
 * if (!(image.bitpix === 16 && image.shape.join("x") === "30x20")) throw new Error("example check failed"); // [NAXIS1, NAXIS2]
 * ```
 */
export async function readFitsAsync(
  bytes: Uint8Array,
  name = "<bytes>",
  options: ReadOptions = {},
): Promise<FitsFile> {
  if (isGzip(bytes)) return parseFits(await gunzipAsync(bytes, name), name, true, options);
  return parseFits(bytes, name, false, options);
}

function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** Files up to this size are read synchronously by `readFitsFile` (faster for stamps). */
const SYNC_READ_LIMIT = 4 << 20;

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    // Small files: a sync read costs a fraction of an async one and blocks only briefly.
    if (Deno.statSync(path).size <= SYNC_READ_LIMIT) return Deno.readFileSync(path);
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new FitsError(`File not found: ${path}`, {}, { cause: e, hint: "check the path" });
    }
    throw e;
  }
}

/**
 * Reads a FITS file from disk, read once (files up to 4 MiB synchronously,
 * which is faster for stamps; larger ones asynchronously); gzip (by magic
 * bytes, whatever the name) is decompressed with DecompressionStream. The
 * file buffer is owned by the reader, so images are views of it where
 * possible (no extra copy).
 *
 * @param path File path.
 * @param options Reader options.
 * @example
 * ```ts
 * import { readFitsFile } from "./read.ts";
 * import { writeFits } from "./write.ts";
 * const path = await Deno.makeTempFile({ suffix: ".fits" });
 * await Deno.writeFile(
 *   path,
 *   writeFits([{
 *     bitpix: 32,
 *     shape: [8, 4],
 *     data: Array.from({ length: 32 }, (_, i) => i),
 *     header: [["TELESCOP", "Hubble"]],
 *   }]),
 * );
 * const fits = await readFitsFile(path);
 * const hdu = fits.hdus[0]!;
 * if (!(hdu.image!.shape.join("x") === "8x4")) throw new Error("example check failed"); // [NAXIS1, NAXIS2]
 * console.log(hdu.header.getString("TELESCOP"), hdu.image!.bitpix); // Hubble 32
 * await Deno.remove(path);
 * ```
 */
export async function readFitsFile(path: string, options: ReadOptions = {}): Promise<FitsFile> {
  const bytes = await readBytes(path);
  const name = baseName(path);
  if (isGzip(bytes)) return parseFits(await gunzipAsync(bytes, name), name, true, options);
  return parseFits(bytes, name, true, options);
}

/**
 * Synchronous {@link readFitsFile} (gzip through node:zlib): the fastest
 * path for many small files (stamps).
 *
 * @param path File path.
 * @param options Reader options.
 * @example
 * ```ts
 * import { readFitsFileSync } from "./read.ts";
 * import { writeFits } from "./write.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".fits" });
 * Deno.writeFileSync(path, writeFits([{ bitpix: -32, shape: [31, 31], data: new Float32Array(31 * 31) }]));
 * const fits = readFitsFileSync(path);
 * Deno.removeSync(path);
 * const image = fits.hdus[0]!.image!;
 * if (!(image.shape.join("x") === "31x31" && image.data.length === 31 * 31)) throw new Error("example check failed");
 * ```
 */
export function readFitsFileSync(path: string, options: ReadOptions = {}): FitsFile {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new FitsError(`File not found: ${path}`, {}, { cause: e, hint: "check the path" });
    }
    throw e;
  }
  const name = baseName(path);
  if (isGzip(bytes)) return parseFits(gunzip(bytes, name), name, true, options);
  return parseFits(bytes, name, true, options);
}
