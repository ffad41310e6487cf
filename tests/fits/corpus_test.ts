import { readFitsFile } from "../../lib/fits/read.ts";
import { pixelStats } from "../../lib/fits/stats.ts";
import type { FitsImage, Hdu } from "../../lib/fits/types.ts";
import { assert, assertEquals } from "../util/assert.ts";
import { arrayClassFor, CORPUS, expectedPixel, loadExpected } from "./helpers.ts";

const expected = loadExpected();

function pixel(img: FitsImage, i: number): number {
  const v = img.data[i]!;
  return typeof v === "bigint" ? Number(v) : v;
}

function checkImage(
  file: string,
  hdu: Hdu,
  want: {
    shape: number[];
    dtype: string;
    sum: number;
    nan: number;
    first4: Array<number | string>;
    inf?: number;
  },
): void {
  const tag = `${file} HDU ${hdu.index}`;
  const img = hdu.image;
  assert(img, `${tag}: no image decoded`);
  assertEquals(img.shape, want.shape, `${tag} shape`);
  assertEquals(img.data.constructor.name, arrayClassFor(want.dtype), `${tag} dtype ${want.dtype}`);
  const s = pixelStats(img.data);
  const tol = 1e-9 * Math.max(1, Math.abs(want.sum));
  assert(Math.abs(s.sum - want.sum) <= tol, `${tag}: sum ${s.sum} != ${want.sum}`);
  assertEquals(s.nan, want.nan, `${tag} NaN count`);
  if (want.inf !== undefined) assertEquals(s.inf, want.inf, `${tag} inf count`);
  assertEquals(
    want.first4.map((_, i) => pixel(img, i)),
    want.first4.map(expectedPixel),
    `${tag} first pixels`,
  );
}

function checkTable(tag: string, hdu: Hdu, rows: number, columns: string[], row0: unknown[]): void {
  const t = hdu.table;
  assert(t, `${tag}: no table decoded`);
  assertEquals(t.rows, rows, `${tag} rows`);
  columns.forEach((spec, i) => {
    const c = t.columns[i]!;
    assertEquals(`${c.name}:${c.format}`, spec, `${tag} column ${i + 1}`);
    // Row 0, as astropy gives it: scalars, lists for fixed arrays.
    const want = row0[i];
    if (want === undefined) return;
    const d = c.data as ArrayLike<unknown>;
    const got = c.type === "A"
      ? d[0]
      : c.repeat === 1
      ? d[0]
      : Array.from({ length: c.repeat }, (_, k) => d[k]);
    assertEquals(got, want, `${tag} ${c.name} row 0`);
  });
  assertEquals(t.column(t.columns[0]!.name.toLowerCase()), t.columns[0], `${tag} column lookup`);
}

for (const [file, exp] of Object.entries(expected)) {
  Deno.test(`fits corpus: ${file} reads like astropy/funpack`, async () => {
    const fits = await readFitsFile(`${CORPUS}/${file}`);
    assertEquals(fits.hdus.length, exp.hdus.length, `${file} HDU count`);
    for (const e of exp.hdus) {
      const hdu = fits.hdus[e.index]!;
      const tag = `${file} HDU ${e.index}`;
      assertEquals(hdu.header.getString("EXTNAME") ?? null, e.EXTNAME, `${tag} EXTNAME`);
      if (e.class === "CompImageHDU") {
        assertEquals(hdu.kind, "compressed-image", `${tag} kind`);
        const ref = exp.funpack_reference;
        if (ref) {
          // funpack (cfitsio) is the reference for tile-compressed images.
          checkImage(file, hdu, {
            shape: [...ref.shape_numpy].reverse(),
            dtype: ref.dtype,
            sum: ref.sum,
            nan: ref.nan_count,
            first4: ref.first4,
          });
        } else {
          checkImage(file, hdu, {
            shape: [...e.shape_numpy!].reverse(),
            dtype: e.dtype!,
            sum: e.sum!,
            nan: e.nan_count!,
            first4: e.first4!,
            inf: e.inf_count,
          });
        }
        continue;
      }
      if (e.class === "BinTableHDU") {
        assertEquals(hdu.kind, "bintable", `${tag} kind`);
        checkTable(tag, hdu, e.nrows!, e.columns!, e.row0!);
        continue;
      }
      assertEquals(hdu.kind, "image", `${tag} kind`);
      assertEquals(hdu.header.getNumber("BITPIX"), e.BITPIX, `${tag} BITPIX`);
      if (e.shape_numpy === undefined) {
        assertEquals(hdu.image?.shape, [], `${tag} empty shape`);
        assertEquals(hdu.image?.data.length, 0, `${tag} empty data`);
        continue;
      }
      checkImage(file, hdu, {
        shape: [...e.shape_numpy].reverse(),
        dtype: e.dtype!,
        sum: e.sum!,
        nan: e.nan_count!,
        first4: e.first4!,
        inf: e.inf_count,
      });
    }
  });
}
