import { FitsError } from "../../lib/fits/errors.ts";
import { FitsHeader, parseHeader } from "../../lib/fits/header.ts";
import { readFits, readFitsFile } from "../../lib/fits/read.ts";
import { assertEquals, assertThrows } from "../util/assert.ts";
import { CORPUS, loadExpected } from "./helpers.ts";

function block(cards: string[]): Uint8Array {
  const n = Math.ceil((cards.length * 80) / 2880) * 2880;
  const out = new Uint8Array(n).fill(32);
  cards.forEach((c, i) => {
    const s = c.padEnd(80).slice(0, 80);
    for (let k = 0; k < 80; k++) out[i * 80 + k] = s.charCodeAt(k);
  });
  return out;
}

Deno.test("fits header: long strings, quotes and HIERARCH as astropy reads them", async () => {
  const f = await readFitsFile(`${CORPUS}/gen_longstr_hierarch.fits`);
  const h = f.hdus[0]!.header;
  assertEquals(
    h.get("LONGSTR"),
    "This is a deliberately long string value that must be split over several CONTINUE cards " +
      "according to the FITS long-string convention; a reader must join them. END-OF-VALUE",
  );
  assertEquals(h.getComment("LONGSTR"), "long comment");
  assertEquals(h.get("QUOTES"), "It's got 'quotes' inside");
  assertEquals(h.get("HIERARCH ESO DET CHIP TEMP"), -120.5);
  assertEquals(h.get("ESO DET CHIP TEMP"), -120.5);
  assertEquals(h.getComment("ESO DET CHIP TEMP"), "HIERARCH float");
  assertEquals(h.getString("ESO OBS NAME"), "my observation");
  assertEquals(h.getNumber("eso tel airm start"), 1.234);
  assertEquals(h.get("THIS.IS.A.VERY.LONG.KEYWORD"), 42);
  assertEquals(f.warnings, []);
});

Deno.test("fits header: HIERARCH card counts match the corpus", async () => {
  for (const [file, exp] of Object.entries(loadExpected())) {
    const f = await readFitsFile(`${CORPUS}/${file}`, { headersOnly: true });
    let hier = 0;
    for (const hdu of f.hdus) {
      for (const c of hdu.header.cards) if (c.raw?.startsWith("HIERARCH")) hier++;
    }
    assertEquals(hier, exp.HIERARCH_cards, `${file} HIERARCH cards`);
  }
});

Deno.test("fits header: every value type", () => {
  const bytes = block([
    "SIMPLE  =                    T / file does conform",
    "BITPIX  =                    8",
    "NAXIS   =                    0",
    "LOGT    =                    T",
    "LOGF    =                    F / false",
    "INT     =                 -123",
    "BIG     =  9223372036854775807",
    "FLT     =            -1.25E-03",
    "DBL     =             1.5D+300",
    "FREEFLT = .5",
    "CPLX    = (1.5, -2.0E3) / complex",
    "STR     = 'O''Neil  '           / with a quote",
    "EMPTY   = ''",
    "BLANKS  = '    '",
    "LEADING = '  x'",
    "UNDEF   =                      / no value",
    "SLASH   = 'a/b' / slash in string",
    "COMMENT   free text / not a comment",
    "HISTORY step 1",
    "        blank keyword text",
    "NOVALUE  no equals sign here",
    "DUP     =                    1",
    "DUP     =                    2",
    "END",
  ]);
  const f = readFits(bytes);
  const h = f.hdus[0]!.header;
  assertEquals(h.get("LOGT"), true);
  assertEquals(h.getBoolean("LOGF"), false);
  assertEquals(h.getComment("LOGF"), "false");
  assertEquals(h.get("INT"), -123);
  assertEquals(h.get("BIG"), 9223372036854775807n);
  assertEquals(h.get("FLT"), -1.25e-3);
  assertEquals(h.get("DBL"), 1.5e300);
  assertEquals(h.get("FREEFLT"), 0.5);
  assertEquals(h.get("CPLX"), { re: 1.5, im: -2000 });
  assertEquals(h.getComment("CPLX"), "complex");
  assertEquals(h.get("STR"), "O'Neil");
  assertEquals(h.get("EMPTY"), "");
  assertEquals(h.get("BLANKS"), "");
  assertEquals(h.get("LEADING"), "  x");
  assertEquals(h.get("UNDEF"), null);
  assertEquals(h.has("UNDEF"), true);
  assertEquals(h.get("SLASH"), "a/b");
  assertEquals(h.getComment("SLASH"), "slash in string");
  assertEquals(h.commentary("COMMENT"), ["  free text / not a comment"]);
  assertEquals(h.commentary("HISTORY"), ["step 1"]);
  assertEquals(h.commentary(""), ["blank keyword text"]);
  assertEquals(h.has("NOVALUE"), false);
  assertEquals(h.get("DUP"), 1);
  assertEquals(h.get("MISSING"), undefined);
  assertEquals(h.getNumber("STR"), undefined);
  assertEquals(f.warnings, []);
});

Deno.test("fits header: bad values are kept as text with a warning", () => {
  const f = readFits(block([
    "SIMPLE  =                    T",
    "BITPIX  =                    8",
    "NAXIS   =                    0",
    "ODD     = 12abc",
    "OPEN    = 'no closing quote",
    "END",
  ]));
  const h = f.hdus[0]!.header;
  assertEquals(h.get("ODD"), "12abc");
  assertEquals(h.get("OPEN"), "no closing quote");
  assertEquals(f.warnings.length, 2);
});

Deno.test("fits header: missing END and bad mandatory keywords are FitsErrors", () => {
  const noEnd = block(["SIMPLE  =                    T", "BITPIX  =                    8"]);
  const e = assertThrows(() => readFits(noEnd, "x.fits"), FitsError, /END/);
  assertEquals(e.file, "x.fits");
  assertEquals(e.hdu, 0);
  assertThrows(
    () =>
      readFits(
        block([
          "SIMPLE  =                    T",
          "BITPIX  =                   12",
          "NAXIS   =                    0",
          "END",
        ]),
      ),
    FitsError,
    /BITPIX 12/,
  );
  assertThrows(
    () =>
      readFits(block(["SIMPLE  =                    T", "BITPIX  =                    8", "END"])),
    FitsError,
    /NAXIS is missing/,
  );
  assertThrows(
    () => readFits(new TextEncoder().encode("hello world".repeat(300))),
    FitsError,
    /Not a FITS file/,
  );
  assertThrows(() => parseHeader(new Uint8Array(10), 0, 0, { file: "f", warnings: [] }), FitsError);
});

Deno.test("fits header: FitsHeader lookup normalises keys", () => {
  const h = new FitsHeader([{ key: "ESO DET DIT", value: 2 }, { key: "OBJECT", value: "M31" }]);
  assertEquals(h.get("hierarch  eso det dit"), 2);
  assertEquals(h.get("object"), "M31");
  assertEquals(h.getString("ESO DET DIT"), "2");
});
