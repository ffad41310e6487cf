/**
 * Tile compression beyond the corpus: every variant fpack (cfitsio 4.2)
 * writes for small test images (GZIP_2 integers and floats, RICE on 8-bit,
 * tiles that do not divide the image, SUBTRACTIVE_DITHER_2 with zeros and
 * NaN, NO_DITHER, lossless GZIP floats, 3-D cubes, NOCOMPRESS) must decode
 * bit-exactly like `funpack` (the funpacked files are committed next to them).
 *
 * One exception, measured: for rice_float_dither2_tiles8x8.fits.fz, funpack
 * 1.7.0 (cfitsio 4.2.0) writes 81 pixels that are far from the source image
 * (displaced tiles), while python3-fitsio (the cfitsio library) and astropy
 * 5.2.1 agree with this reader; its reference is therefore fitsio's values
 * with NaN where the source image had NaN (see the file's COMMENT cards).
 */
import { readFitsFile } from "../../lib/fits/read.ts";
import type { FitsImage } from "../../lib/fits/types.ts";
import { assert, assertEquals } from "../util/assert.ts";

const DIR = "fixtures/fits/tiles";

function sameBits(a: FitsImage, b: FitsImage, tag: string): void {
  assertEquals(a.shape, b.shape, `${tag} shape`);
  assertEquals(a.data.constructor.name, b.data.constructor.name, `${tag} type`);
  assertEquals(a.data.length, b.data.length, `${tag} length`);
  let diff = 0, first = -1;
  for (let i = 0; i < a.data.length; i++) {
    if (!Object.is(a.data[i], b.data[i])) {
      diff++;
      if (first < 0) first = i;
    }
  }
  assertEquals(diff, 0, `${tag}: ${diff} pixels differ, first at ${first}`);
}

const files = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".fz")).sort();

Deno.test("fits tiles: fixtures cover every variant", () => {
  assert(files.length >= 10, `${files.length} .fz fixtures`);
});

for (const fz of files) {
  Deno.test(`fits tiles: ${fz} decodes like funpack`, async () => {
    const packed = await readFitsFile(`${DIR}/${fz}`);
    const plain = await readFitsFile(`${DIR}/${fz.replace(/\.fz$/, "")}`);
    assertEquals(packed.warnings, []);
    const c = packed.hdus.find((h) => h.kind === "compressed-image");
    assert(c?.image, `${fz}: no compressed image`);
    const p = plain.hdus.find((h) => h.image && h.image.data.length > 0);
    assert(p?.image, `${fz}: no plain image`);
    assertEquals(c.image.bitpix, p.image.bitpix);
    sameBits(c.image, p.image, fz);
    if (/nan|dither2|lossless|nodither/.test(fz) && c.image.bitpix === -32) {
      // The source float image holds 3 NaN pixels.
      let nan = 0;
      for (const v of c.image.data as Float32Array) if (v !== v) nan++;
      assertEquals(nan, 3, `${fz} NaN count`);
    }
  });
}
