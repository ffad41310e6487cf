import { verifyFits } from "../../lib/fits/verify.ts";
import { writeFits } from "../../lib/fits/write.ts";
import { assert, assertEquals } from "../util/assert.ts";
import { CORPUS, loadExpected } from "./helpers.ts";

/** Warnings fitsverify gives that we do not check (WCS keyword completeness). */
const WCS_WARNINGS: Record<string, number> = {
  "real_timmi2_bitpix32_cube_eso.fits": 1,
  "real_ukidss_wfcam_ext_bscale.fits": 3,
};

Deno.test("fits verify: same error and warning counts as fitsverify on the corpus", () => {
  for (const [file, exp] of Object.entries(loadExpected())) {
    const r = verifyFits(Deno.readFileSync(`${CORPUS}/${file}`), file);
    const m = /(\d+) warnings and (\d+) errors/.exec(exp.fitsverify);
    const [warnings, errors] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    const detail = JSON.stringify([...r.errors, ...r.warnings]);
    assertEquals(r.errors.length, errors, `${file} errors ${detail}`);
    assertEquals(
      r.warnings.length,
      warnings - (WCS_WARNINGS[file] ?? 0),
      `${file} warnings ${detail}`,
    );
    assertEquals(r.ok, errors === 0);
  }
});

function card(s: string): string {
  return s.padEnd(80).slice(0, 80);
}

function fileOf(cards: string[], data = 0): Uint8Array {
  const h = Math.ceil(((cards.length + 1) * 80) / 2880) * 2880;
  const out = new Uint8Array(h + Math.ceil(data / 2880) * 2880);
  out.fill(32, 0, h);
  [...cards, "END"].forEach((c, i) => {
    const s = card(c);
    for (let k = 0; k < 80; k++) out[i * 80 + k] = s.charCodeAt(k);
  });
  return out;
}

Deno.test("fits verify: broken structure is reported with HDU and card", () => {
  const swapped = verifyFits(fileOf([
    "SIMPLE  =                    T",
    "NAXIS   =                    0",
    "BITPIX  =                    8",
  ]));
  assert(!swapped.ok);
  assertEquals(swapped.errors[0]!.card, 2);
  const free = verifyFits(
    fileOf(["SIMPLE  =                    T", "BITPIX  = 8", "NAXIS   =                    0"]),
  );
  assert(free.errors.some((e) => /fixed format/.test(e.message)), JSON.stringify(free.errors));
  const truncated = writeFits([{ bitpix: -32, shape: [100, 100], data: new Float32Array(10000) }]);
  const t = verifyFits(truncated.subarray(0, 20000), "t.fits");
  assert(t.errors.some((e) => /truncated/.test(e.message)), JSON.stringify(t.errors));
  assert(t.errors.some((e) => /multiple of 2880/.test(e.message)));
  const junk = new Uint8Array(truncated.length + 2880);
  junk.set(truncated);
  junk.fill(65, truncated.length);
  assert(verifyFits(junk).errors.some((e) => /not a FITS extension/.test(e.message)));
  const bad = verifyFits(new TextEncoder().encode("not fits at all".repeat(200)));
  assert(!bad.ok && bad.errors.some((e) => /Not a FITS file/.test(e.message)));
});

Deno.test("fits verify: writer output is clean", () => {
  const r = verifyFits(writeFits([
    {
      bitpix: 8,
      shape: [],
      header: [["LONG", "x".repeat(200)], ["DATE-OBS", "2020-01-01T00:00:00"]],
    },
    { bitpix: 16, shape: [4, 4], data: new Array(16).fill(3), bzero: 32768 },
  ]));
  assertEquals([...r.errors, ...r.warnings], []);
});
