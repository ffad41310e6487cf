/**
 * Issue 14 §3 findings 1-3: header values that drive loops and allocations
 * (TFIELDS, NAXISn) give one typed error, never a loop to 1e10; string
 * BZERO/BSCALE warn on read and are errors in verify; truncation messages
 * give the true byte count; a complex NAXIS prints as (re, im).
 */
import { FitsError } from "../../lib/fits/errors.ts";
import { readFits } from "../../lib/fits/read.ts";
import { verifyFits } from "../../lib/fits/verify.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "../util/assert.ts";

/** One 80-character card, the value right-justified to column 30 (strings from column 11). */
function card(key: string, value: string): string {
  const v = value.startsWith("'") ? value.padEnd(20) : value.padStart(20);
  return `${key.padEnd(8)}= ${v}`.padEnd(80);
}

/** A header (cards + END, padded) followed by `dataBytes` of zero data, padded. */
function hdu(cards: string[], dataBytes = 0): Uint8Array {
  let h = cards.join("") + "END".padEnd(80);
  while (h.length % 2880) h += " ";
  const out = new Uint8Array(h.length + Math.ceil(dataBytes / 2880) * 2880);
  for (let i = 0; i < h.length; i++) out[i] = h.charCodeAt(i);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const PRIMARY = hdu([
  card("SIMPLE", "T"),
  card("BITPIX", "8"),
  card("NAXIS", "0"),
  card("EXTEND", "T"),
]);

function bintable(tfields: string, extra: string[] = []): Uint8Array {
  return hdu([
    card("XTENSION", "'BINTABLE'"),
    card("BITPIX", "8"),
    card("NAXIS", "2"),
    card("NAXIS1", "0"),
    card("NAXIS2", "0"),
    card("PCOUNT", "0"),
    card("GCOUNT", "1"),
    card("TFIELDS", tfields),
    ...extra,
  ]);
}

Deno.test("fits verify: a huge TFIELDS (1e10, 1E400) is one error, like fits info (finding 1)", () => {
  for (const tf of ["10000000000", "1E400", "-3", "2.5"]) {
    for (const extra of [[], [card("ZIMAGE", "T")]]) {
      const bytes = concat(PRIMARY, bintable(tf, extra));
      const r = verifyFits(bytes, "t.fits");
      assertEquals(r.ok, false);
      const tfErrors = r.errors.filter((e) => /TFIELDS =/.test(e.message));
      assertEquals(tfErrors.length, 1, `TFIELDS ${tf}: ${JSON.stringify(r.errors)}`);
      assertMatch(tfErrors[0]!.message, /TFIELDS = \S+/);
      assertEquals(tfErrors[0]!.hdu, 1);
      assertThrows(() => readFits(bytes, "t.fits"), FitsError, /TFIELDS/);
    }
  }
});

Deno.test("fits verify: huge NAXISn give the exact size needed, not a loop or an allocation (findings 1, 3)", () => {
  const bytes = hdu([
    card("SIMPLE", "T"),
    card("BITPIX", "32"),
    card("NAXIS", "2"),
    card("NAXIS1", "100000"),
    card("NAXIS2", "100000"),
  ]);
  const e = assertThrows(() => readFits(bytes, "big.fits"), FitsError);
  // 4 bytes x 1e5 x 1e5 = 4e10 bytes (37.3 GiB), not a clamped count.
  assertMatch(e.message, /needs 40000000000 bytes \(37\.3 GiB\) but only 0 remain/);
  const r = verifyFits(bytes, "big.fits");
  assertEquals(r.errors.length, 1, JSON.stringify(r.errors));
  assertMatch(r.errors[0]!.message, /needs 40000000000 bytes/);
  // 999 axes of 2^53-1: the product is exact, however large.
  const many = [card("SIMPLE", "T"), card("BITPIX", "8"), card("NAXIS", "999")];
  for (let i = 1; i <= 999; i++) many.push(card(`NAXIS${i}`, "9007199254740991"));
  const e2 = assertThrows(() => readFits(hdu(many), "many.fits"), FitsError);
  assertMatch(e2.message, /needs about 4\.31e15938 bytes but only 0 remain/);
});

Deno.test("fits: a complex NAXIS prints as (re, im) (finding 3)", () => {
  const bytes = hdu([card("SIMPLE", "T"), card("BITPIX", "16"), card("NAXIS", "(1, 2)")]);
  const e = assertThrows(() => readFits(bytes, "c.fits"), FitsError);
  assertMatch(e.message, /Keyword NAXIS = \(1, 2\) is not an integer in 0\.\.999/);
  assert(!e.message.includes("[object Object]"));
});

Deno.test("fits: string BZERO/BSCALE warn on read and are errors in verify (finding 2)", () => {
  const image = (bzero: string, bscale: string) =>
    hdu([
      card("SIMPLE", "T"),
      card("BITPIX", "16"),
      card("NAXIS", "1"),
      card("NAXIS1", "2"),
      card("BZERO", bzero),
      card("BSCALE", bscale),
    ], 4);
  const bytes = image("'abc'", "'2'");
  // Stored values 1 and 2 (big-endian int16).
  bytes.set([0, 1, 0, 2], 2880);
  const f = readFits(bytes, "s.fits");
  assertEquals(Array.from(f.hdus[0]!.image!.data as ArrayLike<number>), [2, 4]);
  assertEquals(f.warnings.length, 2, JSON.stringify(f.warnings));
  assertMatch(f.warnings[0]!, /BZERO = 'abc' is not a number; ignored \(BZERO 0 used\)/);
  assertMatch(f.warnings[1]!, /BSCALE = '2' is a string, not a number; read as 2/);
  const r = verifyFits(bytes, "s.fits");
  assertEquals(r.ok, false);
  assertEquals(r.errors.map((e) => e.message), [
    "BZERO: value = abc is not a floating point number",
    "BSCALE: value = 2 is not a floating point number",
  ]);
  // Numbers are fine.
  const good = verifyFits(image("32768", "1"), "n.fits");
  assertEquals(good.errors, []);
  assertEquals(readFits(image("32768", "1"), "n.fits").warnings, []);
});
