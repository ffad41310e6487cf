/**
 * Formatting header cards for the writer: FITS fixed format (strings quoted
 * from column 11, numbers and logicals right-justified to column 30), floats
 * in their shortest exactly round-tripping form with an `E` exponent, long
 * strings over CONTINUE cards, HIERARCH for long keywords.
 *
 * @module
 */
import { FitsError } from "./errors.ts";
import type { HeaderValue } from "./types.ts";

const STD_KEY = /^[A-Z0-9_-]{1,8}$/;
const COMMENTARY = new Set(["COMMENT", "HISTORY", ""]);

/**
 * Formats a float so that it parses back to the identical double: the
 * shortest round-trip representation, always with a decimal point, `E` for
 * the exponent.
 */
export function formatFloat(v: number): string {
  if (!Number.isFinite(v)) {
    throw new FitsError(
      `Header value ${v} cannot be written: FITS has no NaN or infinite header values`,
      {},
      {
        hint: "write null (undefined value) or a string instead",
      },
    );
  }
  let s = String(v); // shortest repr that round-trips (ECMAScript Number::toString)
  const e = s.indexOf("e");
  if (e >= 0) {
    let mant = s.substring(0, e);
    if (!mant.includes(".")) mant += ".0";
    s = `${mant}E${s.substring(e + 1)}`;
  } else if (!s.includes(".")) {
    s += ".0";
  }
  return s;
}

/** Formats a non-string value field (without the `= `), right-justified to column 30. */
function formatScalar(value: HeaderValue, key: string): string {
  if (value === null) return "";
  switch (typeof value) {
    case "boolean":
      return (value ? "T" : "F").padStart(20);
    case "bigint":
      return value.toString().padStart(20);
    case "number":
      if (Object.is(value, -0)) return "-0.0".padStart(20);
      if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value).padStart(20);
      return formatFloat(value).padStart(20);
    case "object":
      return `(${formatFloat(value.re)}, ${formatFloat(value.im)})`.padStart(20);
    default:
      throw new FitsError(`Header value of keyword ${key} has an unsupported type ${typeof value}`);
  }
}

function checkText(text: string, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c > 126) {
      throw new FitsError(
        `${what} contains a character that is not printable ASCII (code ${c} at position ${i})`,
        {},
        { hint: "header text must be printable ASCII (codes 32 to 126)" },
      );
    }
  }
}

function cardText(prefix: string, field: string, comment: string | undefined): string {
  let s = prefix + field;
  if (comment) {
    const room = 80 - s.length - 3;
    if (room > 0) s += " / " + comment.substring(0, room);
  }
  if (s.length > 80) s = s.substring(0, 80);
  return s.padEnd(80);
}

/** Splits a string into pieces whose quoted form (with '' escapes) is at most `max` chars. */
function splitEscaped(s: string, first: number, next: number): string[] {
  const out: string[] = [];
  let cur = "";
  let len = 0;
  let max = first;
  for (const ch of s) {
    const w = ch === "'" ? 2 : 1;
    if (len + w > max) {
      out.push(cur);
      cur = "";
      len = 0;
      max = next;
    }
    cur += ch;
    len += w;
  }
  out.push(cur);
  return out;
}

/**
 * Formats one header entry as one or more 80-character cards. Returns
 * `longString: true` when CONTINUE cards were used (the writer then adds
 * `LONGSTRN`).
 *
 * @param key Keyword (longer than 8 characters or not `[A-Z0-9_-]`: HIERARCH).
 * @param value Value; for COMMENT/HISTORY/blank keys the text.
 * @param comment Optional comment (truncated to fit the card).
 */
export function formatCards(
  key: string,
  value: HeaderValue,
  comment?: string,
): { cards: string[]; longString: boolean } {
  checkText(key, `Header keyword '${key}'`);
  if (comment !== undefined) checkText(comment, `Comment of header keyword ${key}`);
  const ukey = key.toUpperCase();
  if (COMMENTARY.has(ukey)) {
    const text = value === null ? "" : typeof value === "string" ? value : String(value);
    checkText(text, `${ukey || "blank"} card text`);
    const cards: string[] = [];
    for (let i = 0; i === 0 || i < text.length; i += 72) {
      cards.push((ukey.padEnd(8) + text.substring(i, i + 72)).padEnd(80));
    }
    return { cards, longString: false };
  }
  let prefix: string;
  if (STD_KEY.test(key)) {
    prefix = key.padEnd(8) + "= ";
  } else {
    if (key.includes("=") || key.trim() === "") {
      throw new FitsError(`Header keyword '${key}' is not valid`, {}, {
        hint: "keywords are up to 8 of A-Z 0-9 _ -, or longer words for HIERARCH",
      });
    }
    const h = key.trim().replace(/^HIERARCH\s+/i, "").replace(/\s+/g, " ");
    prefix = `HIERARCH ${h} = `;
    if (prefix.length > 70) throw new FitsError(`HIERARCH keyword '${key}' is too long`);
  }
  if (typeof value !== "string") {
    let field = formatScalar(value, key);
    if (prefix.length > 10) field = field.trimStart();
    if (prefix.length + field.length > 80) {
      throw new FitsError(`Header value of keyword ${key} does not fit in one card`);
    }
    return { cards: [cardText(prefix, field, comment)], longString: false };
  }
  checkText(value, `String value of header keyword ${key}`);
  const escaped = value.replace(/'/g, "''");
  const room = 80 - prefix.length - 2; // quotes
  if (escaped.length <= room) {
    const body = escaped.length < 8 ? escaped.padEnd(8) : escaped;
    return { cards: [cardText(prefix, `'${body}'`, comment)], longString: false };
  }
  // Long string: OGIP CONTINUE convention; each piece but the last ends with '&'.
  const pieces = splitEscaped(value, room - 1, 80 - 10 - 2 - 1);
  const cards: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const last = i === pieces.length - 1;
    const body = pieces[i]!.replace(/'/g, "''") + (last ? "" : "&");
    const pre = i === 0 ? prefix : "CONTINUE  ";
    cards.push(cardText(pre, `'${body}'`, last ? comment : undefined));
  }
  return { cards, longString: true };
}
