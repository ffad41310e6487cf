/**
 * FITS headers: parsing 80-character cards (all value types, CONTINUE long
 * strings, HIERARCH, commentary cards) and the {@link FitsHeader} lookup API.
 *
 * @module
 */
import { FitsError } from "./errors.ts";
import type { ComplexValue, HeaderCard, HeaderValue } from "./values.ts";

/** Size of a FITS block in bytes. */
export const BLOCK = 2880;
/** Size of a header card in bytes. */
export const CARD = 80;

const COMMENTARY = new Set(["COMMENT", "HISTORY", ""]);

/**
 * A parsed header: the cards in order and lookup by keyword.
 *
 * @example
 * ```ts
 * import { FitsHeader } from "./header.ts";
 * const h = new FitsHeader([
 *   { key: "FILTER", value: "r", comment: "SDSS band" },
 *   { key: "MJD-OBS", value: 53616.25 },
 *   { key: "ESO DET DIT", value: 30 }, // a HIERARCH card
 *   { key: "HISTORY", comment: "quantized by fpack" },
 * ]);
 * if (!(h.getString("filter") === "r" && h.getNumber("MJD-OBS") === 53616.25)) throw new Error("example check failed");
 * if (!(h.getNumber("HIERARCH ESO DET DIT") === 30 && !h.has("EXPTIME"))) throw new Error("example check failed");
 * if (!(h.commentary("HISTORY")[0] === "quantized by fpack")) throw new Error("example check failed");
 * ```
 */
export class FitsHeader {
  /** Cards in file order (a CONTINUE sequence is one card with the joined string). */
  readonly cards: HeaderCard[];
  #index: Map<string, number>;

  /**
   * Creates a header from cards.
   *
   * @param cards Cards in order; the first card of a repeated keyword wins in lookups.
   */
  constructor(cards: HeaderCard[] = []) {
    this.cards = cards;
    this.#index = new Map();
    for (let i = 0; i < cards.length; i++) {
      const c = cards[i]!;
      if (c.value === undefined) continue;
      if (!this.#index.has(c.key)) this.#index.set(c.key, i);
    }
  }

  /** Normalises a lookup key: upper case, `HIERARCH ` prefix dropped, spaces collapsed. */
  static normalizeKey(key: string): string {
    let k = key.trim().toUpperCase();
    if (k.startsWith("HIERARCH ")) k = k.slice(9).trim();
    if (k.includes("  ")) k = k.replace(/\s+/g, " ");
    return k;
  }

  /** Whether a value card with this keyword exists. */
  has(key: string): boolean {
    return this.#index.has(this.#find(key));
  }

  /** The value of the first card with this keyword (`undefined` when absent). */
  get(key: string): HeaderValue | undefined {
    const i = this.#index.get(this.#find(key));
    return i === undefined ? undefined : this.cards[i]!.value;
  }

  /** The comment of the first card with this keyword. */
  getComment(key: string): string | undefined {
    const i = this.#index.get(this.#find(key));
    return i === undefined ? undefined : this.cards[i]!.comment;
  }

  /**
   * The value as a number: numbers as is, bigints converted (may round),
   * numeric strings parsed; `undefined` when absent or not numeric.
   */
  getNumber(key: string): number | undefined {
    const v = this.get(key);
    if (typeof v === "number") return v;
    if (typeof v === "bigint") return Number(v);
    if (typeof v === "string" && v.trim() !== "") {
      const n = Number(v.trim().replace(/[dD]/, "E"));
      return Number.isFinite(n) ? n : undefined;
    }
    return undefined;
  }

  /** The value as a string (strings as is, other values formatted); `undefined` when absent. */
  getString(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "object") return `(${v.re}, ${v.im})`;
    if (typeof v === "boolean") return v ? "T" : "F";
    return String(v);
  }

  /** The value as a boolean (`undefined` when absent or not logical). */
  getBoolean(key: string): boolean | undefined {
    const v = this.get(key);
    return typeof v === "boolean" ? v : undefined;
  }

  /** Texts of all commentary cards with this keyword (`COMMENT`, `HISTORY`). */
  commentary(key: "COMMENT" | "HISTORY" | string): string[] {
    const k = FitsHeader.normalizeKey(key);
    const out: string[] = [];
    for (const c of this.cards) if (c.key === k && c.value === undefined) out.push(c.comment ?? "");
    return out;
  }

  #find(key: string): string {
    return this.#index.has(key) ? key : FitsHeader.normalizeKey(key);
  }
}

/** Context for error messages and warnings while parsing. */
export interface ParseContext {
  /** File name. */
  file: string;
  /** Warnings collected for the file. */
  warnings: string[];
}

/** Result of {@link parseHeader}. */
export interface ParsedHeader {
  /** The header. */
  header: FitsHeader;
  /** Byte offset of the data unit (the block after the END card). */
  dataOffset: number;
  /** Number of 80-byte cards read, END included. */
  cardCount: number;
}

const latin1 = new TextDecoder("latin1");

/** Whether the card at `p` is `END` followed by blanks in the keyword field. */
function isEndCard(bytes: Uint8Array, p: number): boolean {
  return bytes[p] === 69 && bytes[p + 1] === 78 && bytes[p + 2] === 68 && bytes[p + 3] === 32 &&
    bytes[p + 4] === 32 && bytes[p + 5] === 32 && bytes[p + 6] === 32 && bytes[p + 7] === 32;
}

/**
 * Parses the header starting at `offset` (a block boundary) up to its END
 * card.
 *
 * @param bytes The whole (decompressed) file.
 * @param offset Byte offset of the header's first card.
 * @param hdu HDU index, for messages.
 * @param ctx File name and warning list.
 */
export function parseHeader(
  bytes: Uint8Array,
  offset: number,
  hdu: number,
  ctx: ParseContext,
): ParsedHeader {
  // Find the END card (card-aligned) before decoding anything.
  const n = bytes.length;
  if (offset + CARD > n) {
    throw new FitsError("Unexpected end of file: no header", { file: ctx.file, hdu, offset });
  }
  let end = offset;
  while (end + CARD <= n && !isEndCard(bytes, end)) end += CARD;
  if (end + CARD > n) {
    throw new FitsError("Header has no END card before the end of the file", {
      file: ctx.file,
      hdu,
      card: (end - offset) / CARD,
      offset: end,
    });
  }
  const cardCount = (end - offset) / CARD + 1;
  for (let p = offset; p < end; p++) {
    const c = bytes[p]!;
    if (c < 32 || c > 126) {
      ctx.warnings.push(
        `HDU ${hdu} card ${
          Math.floor((p - offset) / CARD) + 1
        }: illegal (non-ASCII-text) characters in header`,
      );
      break;
    }
  }
  for (let p = end + 3; p < end + CARD; p++) {
    if (bytes[p] !== 32) {
      ctx.warnings.push(`HDU ${hdu} card ${cardCount}: END card has trailing characters`);
      break;
    }
  }
  const text = latin1.decode(bytes.subarray(offset, end));
  const cards: HeaderCard[] = [];
  let pendingLong: HeaderCard | null = null; // a string card ending in '&'
  for (let c = 0, cardNo = 1; c < text.length; c += CARD, cardNo++) {
    // Keyword: columns 1-8 without trailing blanks.
    let k = c + 8;
    while (k > c && text.charCodeAt(k - 1) === 32) k--;
    const key8 = text.substring(c, k);
    if (key8 === "CONTINUE" && text.charCodeAt(c + 8) !== 61) {
      const parsed = parseValueRange(text, c + 8, c + CARD, ctx, hdu, cardNo);
      if (pendingLong && typeof parsed.value === "string") {
        const prev = pendingLong.value as string;
        pendingLong.value = prev.slice(0, -1) + parsed.value;
        if (parsed.comment) {
          pendingLong.comment = pendingLong.comment
            ? `${pendingLong.comment} ${parsed.comment}`
            : parsed.comment;
        }
        if (!parsed.value.endsWith("&")) pendingLong = null;
        continue;
      }
      ctx.warnings.push(
        `HDU ${hdu} card ${cardNo}: CONTINUE card without a long string before it`,
      );
      cards.push({
        key: "CONTINUE",
        comment: trimEndRange(text, c + 8, c + CARD),
        raw: text.substring(c, c + CARD),
      });
      pendingLong = null;
      continue;
    }
    pendingLong = null;
    const parsed = parseCardAt(text, c, key8, ctx, hdu, cardNo);
    cards.push(parsed);
    if (typeof parsed.value === "string" && parsed.value.endsWith("&")) pendingLong = parsed;
  }
  const dataOffset = offset + Math.ceil((end + CARD - offset) / BLOCK) * BLOCK;
  return { header: new FitsHeader(cards), dataOffset, cardCount };
}

function trimEndRange(text: string, start: number, end: number): string {
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  return text.substring(start, end);
}

function isKeyChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/** Parses one 80-character card (not END, not CONTINUE). */
export function parseCard(
  card: string,
  key8: string,
  ctx: ParseContext,
  hdu: number,
  cardNo: number,
): HeaderCard {
  return parseCardAt(card.padEnd(CARD), 0, key8, ctx, hdu, cardNo);
}

/** Parses the card starting at `c` of `text` (80 characters). */
function parseCardAt(
  text: string,
  c: number,
  key8: string,
  ctx: ParseContext,
  hdu: number,
  cardNo: number,
): HeaderCard {
  const raw = text.substring(c, c + CARD);
  if (key8 === "HIERARCH") {
    const eq = raw.indexOf("=", 8);
    if (eq < 0) return { key: "HIERARCH", comment: trimEndRange(raw, 8, CARD), raw };
    const key = raw.substring(9, eq).trim().toUpperCase().replace(/\s+/g, " ");
    const v = parseValueRange(raw, eq + 1, CARD, ctx, hdu, cardNo);
    return { key, value: v.value, comment: v.comment, raw };
  }
  if (COMMENTARY.has(key8)) {
    if (key8 === "COMMENT" && text.charCodeAt(c + 8) === 61 && text.charCodeAt(c + 9) === 32) {
      ctx.warnings.push(
        `HDU ${hdu} card ${cardNo}: COMMENT card with a value indicator read as commentary`,
      );
    }
    return { key: key8, comment: trimEndRange(text, c + 8, c + CARD), raw };
  }
  let key = key8;
  for (let i = 0; i < key.length; i++) {
    if (!isKeyChar(key.charCodeAt(i))) {
      ctx.warnings.push(`HDU ${hdu} card ${cardNo}: keyword '${key}' has illegal characters`);
      key = key.toUpperCase();
      break;
    }
  }
  if (text.charCodeAt(c + 8) === 61 /* = */) {
    if (text.charCodeAt(c + 9) !== 32) {
      // "KEY    =value" without the blank in column 10: tolerated.
      ctx.warnings.push(`HDU ${hdu} card ${cardNo}: keyword ${key}: no space after '='`);
    }
    const v = parseValueRange(text, c + 9, c + CARD, ctx, hdu, cardNo);
    return { key, value: v.value, comment: v.comment, raw };
  }
  // A keyword without a value indicator: commentary text.
  return { key, comment: trimEndRange(text, c + 8, c + CARD), raw };
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;

/** Parses the value field of a card (text after `= `): value and comment. */
export function parseValueText(
  text: string,
  ctx: ParseContext,
  hdu: number,
  cardNo: number,
): { value: HeaderValue; comment?: string } {
  return parseValueRange(text, 0, text.length, ctx, hdu, cardNo);
}

function commentAt(text: string, slash: number, end: number): string | undefined {
  let a = slash + 1;
  while (a < end && text.charCodeAt(a) === 32) a++;
  let b = end;
  while (b > a && text.charCodeAt(b - 1) === 32) b--;
  return a < b ? text.substring(a, b) : undefined;
}

/** Parses the value field in `text[start, end)`. */
/** Where a value's problems go: warnings and the card they concern. */
interface ValueSite {
  ctx: ParseContext;
  hdu: number;
  cardNo: number;
}

function parseValueRange(
  text: string,
  start: number,
  end: number,
  ctx: ParseContext,
  hdu: number,
  cardNo: number,
): { value: HeaderValue; comment?: string } {
  let i = start;
  while (i < end && text.charCodeAt(i) === 32) i++;
  const site = { ctx, hdu, cardNo };
  if (i < end && text.charCodeAt(i) === 39 /* ' */) return parseStringValue(text, i, end, site);
  // Non-string value: up to a '/' outside parentheses.
  let slash = -1;
  let paren = false;
  for (let j = i; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 47 && !paren) {
      slash = j;
      break;
    }
    if (c === 40) paren = true;
    else if (c === 41) paren = false;
  }
  let ve = slash >= 0 ? slash : end;
  while (ve > i && text.charCodeAt(ve - 1) === 32) ve--;
  const comment = slash >= 0 ? commentAt(text, slash, end) : undefined;
  return { value: parseScalarValue(text, i, ve, site), comment };
}

/** A quoted string value starting at `i` ('' is an escaped quote) and its comment. */
function parseStringValue(
  text: string,
  i: number,
  end: number,
  { ctx, hdu, cardNo }: ValueSite,
): { value: HeaderValue; comment?: string } {
  let s = "";
  let j = i + 1;
  let closed = false;
  let from = j;
  while (j < end) {
    if (text.charCodeAt(j) === 39) {
      if (j + 1 < end && text.charCodeAt(j + 1) === 39) {
        s += text.substring(from, j + 1);
        j += 2;
        from = j;
        continue;
      }
      s += text.substring(from, j);
      closed = true;
      break;
    }
    j++;
  }
  if (!closed) {
    s += text.substring(from, end);
    ctx.warnings.push(`HDU ${hdu} card ${cardNo}: string value has no closing quote`);
    return { value: s.trimEnd() };
  }
  let r = j + 1;
  while (r < end && text.charCodeAt(r) === 32) r++;
  let comment: string | undefined;
  if (r < end) {
    if (text.charCodeAt(r) === 47) comment = commentAt(text, r, end);
    else {
      ctx.warnings.push(`HDU ${hdu} card ${cardNo}: text after a string value without '/'`);
      const slash = text.indexOf("/", r);
      if (slash >= 0 && slash < end) comment = commentAt(text, slash, end);
    }
  }
  // Trailing blanks in strings are not significant; leading ones are.
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return { value: e === s.length ? s : s.substring(0, e), comment };
}

/**
 * A non-string value in `text[i, ve)`: empty (null), logical, integer
 * (bigint beyond 2^53), float, complex; anything else is kept as text with a
 * warning.
 */
function parseScalarValue(text: string, i: number, ve: number, site: ValueSite): HeaderValue {
  if (ve === i) return null;
  const c0 = text.charCodeAt(i);
  if (ve === i + 1) {
    if (c0 === 84) return true;
    if (c0 === 70) return false;
  }
  // Integers: digits with an optional sign, parsed without a regex.
  let j = i;
  if (c0 === 43 || c0 === 45) j++;
  let digits = 0;
  let v = 0;
  while (j < ve) {
    const d = text.charCodeAt(j) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    digits++;
    j++;
  }
  const vtext = text.substring(i, ve);
  if (j === ve && digits > 0) {
    if (digits <= 15) return c0 === 45 ? -v : v;
    const num = Number(vtext);
    return Number.isSafeInteger(num) ? num : BigInt(vtext);
  }
  if (FLOAT_RE.test(vtext)) return Number(vtext.replace(/[dD]/, "E"));
  if (c0 === 40) {
    const m = /^\(\s*([^,\s]+)\s*,\s*([^)\s]+)\s*\)$/.exec(vtext);
    if (m && FLOAT_RE.test(m[1]!) && FLOAT_RE.test(m[2]!)) {
      const cv: ComplexValue = {
        re: Number(m[1]!.replace(/[dD]/, "E")),
        im: Number(m[2]!.replace(/[dD]/, "E")),
      };
      return cv;
    }
  }
  // Not a legal FITS value: keep the text so nothing is lost.
  site.ctx.warnings.push(
    `HDU ${site.hdu} card ${site.cardNo}: value '${vtext}' is not a legal FITS value; kept as text`,
  );
  return vtext;
}
