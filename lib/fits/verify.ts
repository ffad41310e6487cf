/**
 * Structural verification of FITS files, in the spirit of HEASARC's
 * `fitsverify`: mandatory keywords and their order and fixed format, legal
 * keyword names and characters, values that parse, END and block
 * alignment, header and data fill, data unit size, keywords not allowed
 * where they are, DATE formats, DATASUM/CHECKSUM, and that the data decode.
 * Not checked (fitsverify does): WCS keyword completeness, table values.
 *
 * @module
 */
import { FitsError } from "./errors.ts";
import { BLOCK, CARD } from "./header.ts";
import { isGzip, parseFits } from "./read.ts";
import { gunzipSync } from "node:zlib";
import type { Hdu } from "./types.ts";
import { describeValue } from "./values.ts";

/** One problem found by {@link verifyFits}. */
export interface VerifyProblem {
  /** HDU index (0 = primary), when the problem is inside an HDU. */
  hdu?: number;
  /** 1-based card number in the HDU header. */
  card?: number;
  /** What is wrong. */
  message: string;
}

/** The verdict for one file. */
export interface VerifyReport {
  /** File name. */
  file: string;
  /** Number of HDUs found. */
  hdus: number;
  /** Errors: the file breaks the standard. */
  errors: VerifyProblem[];
  /** Warnings: legal but discouraged or conventions misused. */
  warnings: VerifyProblem[];
  /** True when there are no errors. */
  ok: boolean;
}

const KEY_RE = /^[A-Z0-9_-]*$/;
const FIXED_INT = /^ {0,19}[+-]?\d+$/;
const DATE_RE = /^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?)?|\d{2}\/\d{2}\/\d{2})$/;
const DEPRECATED: Record<string, string> = {
  EPOCH: "EPOCH is deprecated; use EQUINOX",
  BLOCKED: "BLOCKED is deprecated",
};

function cardsOf(bytes: Uint8Array, start: number, end: number): string[] {
  const out: string[] = [];
  for (let p = start; p + CARD <= end; p += CARD) {
    out.push(String.fromCharCode(...bytes.subarray(p, p + CARD)));
  }
  return out;
}

function mandatoryOrder(hdu: Hdu): string[] {
  const naxis = hdu.header.getNumber("NAXIS") ?? 0;
  const axes = Array.from({ length: Math.max(0, Math.min(999, naxis)) }, (_, i) => `NAXIS${i + 1}`);
  if (hdu.index === 0) return ["SIMPLE", "BITPIX", "NAXIS", ...axes];
  const x = ["XTENSION", "BITPIX", "NAXIS", ...axes, "PCOUNT", "GCOUNT"];
  if (hdu.kind === "bintable" || hdu.kind === "compressed-image" || hdu.kind === "table") {
    x.push("TFIELDS");
  }
  return x;
}

/** Where problems of one HDU go. */
interface Sink {
  /** HDU index. */
  h: number;
  err: (p: VerifyProblem) => void;
  warn: (p: VerifyProblem) => void;
}

function checkHeader(
  bytes: Uint8Array,
  hdu: Hdu,
  nhdus: number,
  err: (p: VerifyProblem) => void,
  warn: (p: VerifyProblem) => void,
): void {
  const sink: Sink = { h: hdu.index, err, warn };
  const cards = cardsOf(bytes, hdu.headerOffset, hdu.dataOffset);
  const endAt = cards.findIndex((c) => c.startsWith("END     ") || c === "END".padEnd(80));
  const order = mandatoryOrder(hdu);
  checkMandatoryOrder(cards, order, sink);
  const continued = checkCards(cards, endAt < 0 ? cards.length : endAt, order, sink);
  checkValues(hdu, continued, sink);
  if (hdu.index === 0) checkPrimaryKeys(hdu, nhdus, sink);
  else checkExtensionKeys(hdu, sink);
  checkScaling(hdu, sink);
  checkDates(hdu, sink);
  // Header fill after END: blanks only.
  if (endAt >= 0) {
    for (let i = endAt + 1; i < cards.length; i++) {
      if (cards[i]!.trim() !== "") {
        err({ hdu: hdu.index, card: i + 1, message: "header fill after END is not all blanks" });
        break;
      }
    }
  }
}

/** The mandatory keywords come first, in order. */
function checkMandatoryOrder(cards: string[], order: string[], { h, err }: Sink): void {
  for (let i = 0; i < order.length; i++) {
    const key = (cards[i] ?? "").substring(0, 8).trimEnd();
    if (key !== order[i]) {
      err({
        hdu: h,
        card: i + 1,
        message: `mandatory keyword ${order[i]} must be card ${i + 1} (found '${key}')`,
      });
      break;
    }
  }
}

/**
 * Per card before END: legal characters and keyword names, duplicates,
 * deprecated keys, fixed format of mandatory values. Returns whether a
 * CONTINUE card was seen.
 */
function checkCards(cards: string[], n: number, order: string[], { h, err, warn }: Sink): boolean {
  const seen = new Map<string, number>();
  let continued = false;
  for (let i = 0; i < n; i++) {
    const card = cards[i]!;
    const no = i + 1;
    for (let k = 0; k < CARD; k++) {
      const c = card.charCodeAt(k);
      if (c < 32 || c > 126) {
        err({ hdu: h, card: no, message: `illegal character (code ${c}) in column ${k + 1}` });
        break;
      }
    }
    const key = card.substring(0, 8).trimEnd();
    if (key === "HIERARCH" || key === "COMMENT" || key === "HISTORY" || key === "") continue;
    if (key === "CONTINUE") {
      continued = true;
      continue;
    }
    if (!KEY_RE.test(key) || card.substring(0, 8).trim().includes(" ")) {
      const bad = [...key].find((ch) => !/[A-Z0-9_-]/.test(ch)) ?? " ";
      err({
        hdu: h,
        card: no,
        message: `keyword '${key}' contains '${bad}', not an upper case letter, digit, '-' or '_'`,
      });
    }
    if (card.substring(8, 10) !== "= ") continue;
    if (seen.has(key)) {
      warn({
        hdu: h,
        card: no,
        message: `keyword ${key} is duplicated in card ${seen.get(key)} and card ${no}`,
      });
    } else seen.set(key, no);
    if (DEPRECATED[key]) warn({ hdu: h, card: no, message: DEPRECATED[key]! });
    checkFixedFormat(card, key, no, order, err, h);
  }
  return continued;
}

function checkFixedFormat(
  card: string,
  key: string,
  no: number,
  order: string[],
  err: (p: VerifyProblem) => void,
  h: number,
): void {
  const isMandatory = order.includes(key) || key === "EXTEND";
  if (isMandatory && key !== "XTENSION") {
    const field = card.substring(10, 30);
    if (!(FIXED_INT.test(field) || /^ {19}[TF]$/.test(field))) {
      err({
        hdu: h,
        card: no,
        message:
          `mandatory keyword ${key} is not in fixed format (value right-justified to column 30)`,
      });
    }
  }
  if (key === "XTENSION" && card.charAt(10) !== "'") {
    err({ hdu: h, card: no, message: "XTENSION value must be a string starting in column 11" });
  }
}

/** Values that failed to parse (kept as text by the reader), and CONTINUE without LONGSTRN. */
function checkValues(hdu: Hdu, continued: boolean, { h, err, warn }: Sink): void {
  const hdr = hdu.header;
  for (const c of hdr.cards) {
    if (
      c.raw && typeof c.value === "string" && !/^[A-Z0-9_ -]{1,8}= *'|^HIERARCH .*= *'/i.test(c.raw)
    ) {
      err({ hdu: h, message: `keyword ${c.key}: value '${c.value}' is not a legal FITS value` });
    }
  }
  if (continued && !hdr.has("LONGSTRN")) {
    warn({
      hdu: h,
      message: "the OGIP long string convention (CONTINUE) is used without the LONGSTRN keyword",
    });
  }
}

function checkPrimaryKeys(hdu: Hdu, nhdus: number, { h, err, warn }: Sink): void {
  const hdr = hdu.header;
  for (const k of ["PCOUNT", "GCOUNT"]) {
    if (hdr.has(k) && hdr.get("GROUPS") !== true) {
      err({ hdu: h, message: `${k} is not allowed in a primary array` });
    }
  }
  if (nhdus > 1 && hdr.get("EXTEND") !== true) {
    warn({ hdu: h, message: "extensions follow but EXTEND = T is missing" });
  }
}

/** The largest TFIELDS the standard allows. */
const MAX_TFIELDS = 999;

function checkExtensionKeys(hdu: Hdu, { h, err, warn }: Sink): void {
  const hdr = hdu.header;
  const x = (hdr.getString("XTENSION") ?? "").trim();
  if (hdr.has("EXTEND")) {
    warn({ hdu: h, message: "EXTEND is only meaningful in the primary header" });
  }
  if (x === "IMAGE") {
    if (hdr.get("PCOUNT") !== 0) err({ hdu: h, message: "PCOUNT must be 0 in an IMAGE extension" });
    if (hdr.get("GCOUNT") !== 1) err({ hdu: h, message: "GCOUNT must be 1 in an IMAGE extension" });
  } else if (x === "BINTABLE" || x === "TABLE") {
    if (hdr.get("BITPIX") !== 8) err({ hdu: h, message: `BITPIX must be 8 in a ${x}` });
    if (hdr.get("NAXIS") !== 2) err({ hdu: h, message: `NAXIS must be 2 in a ${x}` });
    if (hdr.get("GCOUNT") !== 1) err({ hdu: h, message: `GCOUNT must be 1 in a ${x}` });
    const tf = hdr.get("TFIELDS");
    // Bounded: TFIELDS comes from the file (1e10 must not loop 1e10 times).
    if (typeof tf !== "number" || !Number.isInteger(tf) || tf < 0 || tf > MAX_TFIELDS) {
      // A BINTABLE's is a structural error of the reader, reported once from there.
      if (x === "TABLE") {
        err({ hdu: h, message: `TFIELDS = ${describeValue(tf)} is not an integer in 0..999` });
      }
      return;
    }
    for (let i = 1; i <= tf; i++) {
      if (!hdr.has(`TFORM${i}`)) err({ hdu: h, message: `TFORM${i} is missing (TFIELDS = ${tf})` });
    }
  } else if (!["A3DTABLE", "IUEIMAGE", "FOREIGN", "DUMP"].includes(x)) {
    warn({ hdu: h, message: `extension type '${x}' is not a standard one` });
  }
}

/** BZERO/BSCALE must be numbers, BLANK an integer on integer images only. */
function checkScaling(hdu: Hdu, { h, err, warn }: Sink): void {
  const hdr = hdu.header;
  const bitpix = hdr.getNumber("BITPIX") ?? 0;
  if (hdu.kind !== "image") {
    for (const k of ["BSCALE", "BZERO", "BLANK"]) {
      if (hdr.has(k) && hdu.kind === "bintable") {
        warn({ hdu: h, message: `${k} is not meaningful in a binary table` });
      }
    }
    return;
  }
  for (const k of ["BZERO", "BSCALE"]) {
    const v = hdr.get(k);
    if (v !== undefined && typeof v !== "number" && typeof v !== "bigint") {
      // fitsverify: "BZERO: value = abc is not a floating point number".
      const text = typeof v === "string" ? v : describeValue(v);
      err({ hdu: h, message: `${k}: value = ${text} is not a floating point number` });
    }
  }
  const blank = hdr.get("BLANK");
  if (blank !== undefined && bitpix < 0) {
    err({
      hdu: h,
      message: `BLANK must not be used with floating point data (BITPIX = ${bitpix})`,
    });
  } else if (
    blank !== undefined && typeof blank !== "bigint" &&
    !(typeof blank === "number" && Number.isInteger(blank))
  ) {
    err({ hdu: h, message: `BLANK: value = ${describeValue(blank)} is not an integer` });
  }
}

function checkDates(hdu: Hdu, { h, err }: Sink): void {
  for (const c of hdu.header.cards) {
    if (
      /^DATE(-OBS|-END|-BEG|-AVG)?$/.test(c.key) && typeof c.value === "string" &&
      !DATE_RE.test(c.value.trim())
    ) {
      err({
        hdu: h,
        message: `${c.key} = '${c.value}' is not a valid date (YYYY-MM-DD[Thh:mm:ss[.s]])`,
      });
    }
  }
}

function checkDataFill(bytes: Uint8Array, hdu: Hdu, err: (p: VerifyProblem) => void): void {
  const start = hdu.dataOffset + hdu.dataSize;
  const end = Math.min(bytes.length, hdu.dataOffset + Math.ceil(hdu.dataSize / BLOCK) * BLOCK);
  const fill = hdu.kind === "table" ? 32 : 0;
  for (let p = start; p < end; p++) {
    if (bytes[p] !== fill) {
      err({
        hdu: hdu.index,
        message: `data fill area is not all ${fill === 0 ? "zeros" : "blanks"} (byte ${p})`,
      });
      return;
    }
  }
}

/** 32-bit ones' complement sum of big-endian words (FITS checksum convention). */
export function onesComplementSum(bytes: Uint8Array, start: number, end: number, init = 0): number {
  let hi = init >>> 16, lo = init & 0xffff;
  const n = end - start;
  const full = start + (n - (n % 4));
  for (let p = start; p < full; p += 4) {
    hi += (bytes[p]! << 8) | bytes[p + 1]!;
    lo += (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (hi > 0x7fffffff || lo > 0x7fffffff) [hi, lo] = fold(hi, lo);
  }
  [hi, lo] = fold(hi, lo);
  return ((hi << 16) | lo) >>> 0;
}

function fold(hi: number, lo: number): [number, number] {
  let hc = hi >>> 16, lc = lo >>> 16;
  while (hc || lc) {
    hi = (hi & 0xffff) + lc;
    lo = (lo & 0xffff) + hc;
    hc = hi >>> 16;
    lc = lo >>> 16;
  }
  return [hi, lo];
}

function checkChecksums(bytes: Uint8Array, hdu: Hdu, warn: (p: VerifyProblem) => void): void {
  const hdr = hdu.header;
  const dataEnd = Math.min(bytes.length, hdu.dataOffset + Math.ceil(hdu.dataSize / BLOCK) * BLOCK);
  if (!hdr.has("DATASUM") && !hdr.has("CHECKSUM")) return;
  const dsum = onesComplementSum(bytes, hdu.dataOffset, dataEnd);
  const ds = hdr.getString("DATASUM");
  if (ds !== undefined && ds.trim() !== "" && Number(ds) !== dsum) {
    warn({ hdu: hdu.index, message: `data checksum ${dsum} does not match DATASUM = '${ds}'` });
  }
  if (hdr.has("CHECKSUM")) {
    const total = onesComplementSum(bytes, hdu.headerOffset, hdu.dataOffset, dsum);
    if (total !== 0xffffffff && total !== 0) {
      warn({ hdu: hdu.index, message: "HDU checksum does not agree with CHECKSUM" });
    }
  }
}

/**
 * Verifies the structure of a FITS file (plain or gzip bytes).
 *
 * @param bytes File content.
 * @param name File name for the report.
 * @returns Errors and warnings, `ok` when there is no error.
 *
 * @example
 * ```ts
 * import { verifyFits } from "./verify.ts";
 * import { writeFits } from "./write.ts";
 * const report = verifyFits(writeFits([{ bitpix: -32, shape: [2], data: [1, 2] }]), "a.fits");
 * if (!(report.ok && report.warnings.length === 0)) throw new Error("example check failed");
 * ```
 */
export function verifyFits(bytes: Uint8Array, name = "<bytes>"): VerifyReport {
  const errors: VerifyProblem[] = [];
  const warnings: VerifyProblem[] = [];
  const err = (p: VerifyProblem) => errors.push(p);
  const warn = (p: VerifyProblem) => warnings.push(p);
  let data = bytes;
  if (isGzip(bytes)) {
    try {
      data = gunzipSync(bytes);
    } catch (e) {
      err({ message: `cannot decompress the gzip file: ${(e as Error).message}` });
      return { file: name, hdus: 0, errors, warnings, ok: false };
    }
  }
  const fatal: FitsError[] = [];
  const f = parseFits(data, name, false, { headersOnly: true, errors: fatal });
  if (data.length % BLOCK !== 0) {
    err({ message: `file size ${data.length} is not a multiple of 2880 bytes` });
  }
  for (const hdu of f.hdus) {
    checkHeader(data, hdu, f.hdus.length, err, warn);
    checkDataFill(data, hdu, err);
    checkChecksums(data, hdu, warn);
  }
  for (const e of fatal) err({ hdu: e.hdu, card: e.card, message: e.message });
  for (const w of f.warnings) {
    if (/after HDU \d+ are not a FITS extension/.test(w)) err({ message: w });
  }
  if (fatal.length === 0) {
    // The data must decode (tile-compressed tiles, table layout).
    try {
      parseFits(data, name, false);
    } catch (e) {
      if (!(e instanceof FitsError)) throw e;
      err({ hdu: e.hdu, message: e.message });
    }
  }
  return { file: name, hdus: f.hdus.length, errors, warnings, ok: errors.length === 0 };
}
