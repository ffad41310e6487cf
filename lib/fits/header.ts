/**
 * FITS headers: parsing 80-character cards (all value types, CONTINUE long
 * strings, HIERARCH, commentary cards) and the {@link FitsHeader} lookup API.
 *
 * @module
 */
import { FitsError } from "./errors.ts";
import type { ComplexValue, HeaderCard, HeaderValue } from "./types.ts";

/** Size of a FITS block in bytes. */
export const BLOCK = 2880;
/** Size of a header card in bytes. */
export const CARD = 80;

const COMMENTARY = new Set(["COMMENT", "HISTORY", ""]);

/** A parsed header: the cards in order and lookup by keyword. */
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
  const cards: HeaderCard[] = [];
  let pos = offset;
  let cardNo = 0;
  let badChars = false;
  let pendingLong: HeaderCard | null = null; // a string card ending in '&'
  while (true) {
    if (pos + CARD > bytes.length) {
      if (cardNo === 0) {
        throw new FitsError("Unexpected end of file: no header", {
          file: ctx.file,
          hdu,
          offset: pos,
        });
      }
      throw new FitsError("Header has no END card before the end of the file", {
        file: ctx.file,
        hdu,
        card: cardNo,
        offset: pos,
      });
    }
    const blockEnd = Math.min(bytes.length, pos + BLOCK);
    const text = latin1.decode(bytes.subarray(pos, blockEnd));
    let ended = false;
    for (let c = 0; c + CARD <= text.length; c += CARD) {
      cardNo++;
      const card = text.substring(c, c + CARD);
      if (!badChars && !isPrintable(card)) {
        badChars = true;
        ctx.warnings.push(
          `HDU ${hdu} card ${cardNo}: illegal (non-ASCII-text) characters in header`,
        );
      }
      const key8 = card.substring(0, 8).trimEnd();
      if (key8 === "END") {
        if (card.substring(8).trim() !== "") {
          ctx.warnings.push(`HDU ${hdu} card ${cardNo}: END card has trailing characters`);
        }
        ended = true;
        pos += c + CARD;
        break;
      }
      if (key8 === "CONTINUE" && card.charCodeAt(8) !== 61 /* = */) {
        const parsed = parseValueText(card.substring(8), ctx, hdu, cardNo);
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
        // A CONTINUE card without a long string before it: keep it as commentary.
        ctx.warnings.push(
          `HDU ${hdu} card ${cardNo}: CONTINUE card without a long string before it`,
        );
        cards.push({ key: "CONTINUE", comment: card.substring(8).trimEnd(), raw: card });
        pendingLong = null;
        continue;
      }
      pendingLong = null;
      const parsed = parseCard(card, key8, ctx, hdu, cardNo);
      cards.push(parsed);
      if (typeof parsed.value === "string" && parsed.value.endsWith("&")) pendingLong = parsed;
    }
    if (ended) break;
    pos = blockEnd;
    if (blockEnd - offset > 0 && (blockEnd - offset) % BLOCK !== 0) {
      throw new FitsError("Header has no END card before the end of the file", {
        file: ctx.file,
        hdu,
        card: cardNo,
        offset: blockEnd,
      });
    }
  }
  // Data start at the next block boundary after END.
  const rel = pos - offset;
  const dataOffset = offset + Math.ceil(rel / BLOCK) * BLOCK;
  return { header: new FitsHeader(cards), dataOffset, cardCount: cardNo };
}

function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}

/** Parses one 80-character card (not END, not CONTINUE). */
export function parseCard(
  card: string,
  key8: string,
  ctx: ParseContext,
  hdu: number,
  cardNo: number,
): HeaderCard {
  if (key8 === "HIERARCH") {
    const eq = card.indexOf("=", 8);
    if (eq < 0) return { key: "HIERARCH", comment: card.substring(8).trimEnd(), raw: card };
    const key = card.substring(9, eq).trim().toUpperCase().replace(/\s+/g, " ");
    const v = parseValueText(card.substring(eq + 1), ctx, hdu, cardNo);
    return { key, value: v.value, comment: v.comment, raw: card };
  }
  if (COMMENTARY.has(key8)) {
    if (key8 === "COMMENT" && card.charCodeAt(8) === 61 && card.charCodeAt(9) === 32) {
      ctx.warnings.push(
        `HDU ${hdu} card ${cardNo}: COMMENT card with a value indicator read as commentary`,
      );
    }
    return { key: key8, comment: card.substring(8).trimEnd(), raw: card };
  }
  let key = key8;
  if (!/^[A-Z0-9_-]*$/.test(key)) {
    const up = key.toUpperCase();
    ctx.warnings.push(`HDU ${hdu} card ${cardNo}: keyword '${key}' has illegal characters`);
    key = up;
  }
  if (card.charCodeAt(8) === 61 /* = */ && card.charCodeAt(9) === 32) {
    const v = parseValueText(card.substring(10), ctx, hdu, cardNo);
    return { key, value: v.value, comment: v.comment, raw: card };
  }
  if (card.charCodeAt(8) === 61) {
    // "KEY    =value" without the blank in column 10: tolerated.
    ctx.warnings.push(`HDU ${hdu} card ${cardNo}: keyword ${key}: no space after '='`);
    const v = parseValueText(card.substring(9), ctx, hdu, cardNo);
    return { key, value: v.value, comment: v.comment, raw: card };
  }
  // A keyword without a value indicator: commentary text.
  return { key, comment: card.substring(8).trimEnd(), raw: card };
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;

/** Parses the value field of a card (text after `= `): value and comment. */
export function parseValueText(
  text: string,
  ctx: ParseContext,
  hdu: number,
  cardNo: number,
): { value: HeaderValue; comment?: string } {
  let i = 0;
  const n = text.length;
  while (i < n && text.charCodeAt(i) === 32) i++;
  if (i < n && text.charCodeAt(i) === 39 /* ' */) {
    // Quoted string: '' is an escaped quote.
    let s = "";
    let j = i + 1;
    let closed = false;
    let start = j;
    while (j < n) {
      if (text.charCodeAt(j) === 39) {
        if (j + 1 < n && text.charCodeAt(j + 1) === 39) {
          s += text.substring(start, j + 1);
          j += 2;
          start = j;
          continue;
        }
        s += text.substring(start, j);
        closed = true;
        break;
      }
      j++;
    }
    if (!closed) {
      s += text.substring(start);
      ctx.warnings.push(`HDU ${hdu} card ${cardNo}: string value has no closing quote`);
      return { value: s.trimEnd() };
    }
    const rest = text.substring(j + 1);
    const slash = rest.indexOf("/");
    const comment = slash >= 0 ? rest.substring(slash + 1).trim() : undefined;
    if (slash < 0 && rest.trim() !== "") {
      ctx.warnings.push(`HDU ${hdu} card ${cardNo}: text after a string value without '/'`);
    }
    // Trailing blanks in strings are not significant; leading ones are.
    return { value: s.trimEnd(), comment: comment || undefined };
  }
  let slash = -1;
  let paren = false;
  for (let j = i; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 40) paren = true;
    else if (c === 41) paren = false;
    else if (c === 47 && !paren) {
      slash = j;
      break;
    }
  }
  const vtext = (slash >= 0 ? text.substring(i, slash) : text.substring(i)).trim();
  const comment = slash >= 0 ? text.substring(slash + 1).trim() || undefined : undefined;
  if (vtext === "") return { value: null, comment };
  if (vtext === "T") return { value: true, comment };
  if (vtext === "F") return { value: false, comment };
  if (INT_RE.test(vtext)) {
    const num = Number(vtext);
    if (Number.isSafeInteger(num)) return { value: num, comment };
    return { value: BigInt(vtext), comment };
  }
  if (FLOAT_RE.test(vtext)) {
    return { value: Number(vtext.replace(/[dD]/, "E")), comment };
  }
  if (vtext.charCodeAt(0) === 40) {
    const m = /^\(\s*([^,\s]+)\s*,\s*([^)\s]+)\s*\)$/.exec(vtext);
    if (m && FLOAT_RE.test(m[1]!) && FLOAT_RE.test(m[2]!)) {
      const c: ComplexValue = {
        re: Number(m[1]!.replace(/[dD]/, "E")),
        im: Number(m[2]!.replace(/[dD]/, "E")),
      };
      return { value: c, comment };
    }
  }
  // Not a legal FITS value: keep the text so nothing is lost.
  ctx.warnings.push(
    `HDU ${hdu} card ${cardNo}: value '${vtext}' is not a legal FITS value; kept as text`,
  );
  return { value: vtext, comment };
}
