/**
 * The FITS cut-outs inside the ZTF alert packets decode with the FITS reader
 * once gunzipped. The gzip members are pulled out of the Avro bytes the
 * simple way: each Avro `bytes` value is a zigzag varint length followed by
 * the bytes, so a gzip magic preceded by a varint gives the exact member.
 */
import { readFits, readFitsAsync, readFitsFile } from "../../lib/fits/read.ts";
import { pixelStats } from "../../lib/fits/stats.ts";
import { assert, assertEquals } from "../util/assert.ts";

const DIR = "fixtures/ztf/alerts";

type CutoutRef = { shape: number[]; sum: number; nan: number } | string;
interface Reference {
  alerts: Record<string, Array<{ objectId: string | null; cutouts: Record<string, CutoutRef> }>>;
  stamps: Record<
    string,
    Array<{ hdu: number; shape: number[]; sum: number; nan: number; first4: number[] }>
  >;
}
const ref: Reference = JSON.parse(Deno.readTextFileSync("fixtures/fits/ztf_reference.json"));

/** Gzip members stored as Avro `bytes` values, in file order. */
function gzipMembers(avro: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 1; i + 3 < avro.length; i++) {
    if (avro[i] !== 0x1f || avro[i + 1] !== 0x8b || avro[i + 2] !== 8) continue;
    // The varint length ends at i-1 (high bit clear); its earlier bytes have the high bit set.
    if ((avro[i - 1]! & 0x80) !== 0) continue;
    let start = i - 1;
    while (start > 0 && i - start < 5 && (avro[start - 1]! & 0x80) !== 0) start--;
    let v = 0;
    for (let j = i - 1; j >= start; j--) v = v * 128 + (avro[j]! & 0x7f);
    const len = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    if (len > 18 && i + len <= avro.length) out.push(avro.subarray(i, i + len));
  }
  return out;
}

Deno.test("fits ztf: alert cut-outs decode as FITS like astropy reads them", async () => {
  let checked = 0;
  for (const [file, packets] of Object.entries(ref.alerts)) {
    const bytes = await Deno.readFile(`${DIR}/${file}`);
    const members = gzipMembers(bytes);
    const expected = packets.flatMap((p) => Object.values(p.cutouts)).filter((c) =>
      typeof c !== "string"
    );
    const jpegOnly = expected.length === 0;
    assertEquals(members.length, expected.length, `${file}: gzip members`);
    for (let k = 0; k < members.length; k++) {
      const want = expected[k] as { shape: number[]; sum: number; nan: number };
      // Sync (node:zlib) and async (DecompressionStream) gzip paths agree.
      const fits = readFits(members[k]!, `${file}#${k}`);
      const again = await readFitsAsync(members[k]!, `${file}#${k}`);
      const img = fits.hdus[0]!.image!;
      assertEquals(again.hdus[0]!.image!.data, img.data);
      assertEquals(img.shape, want.shape, `${file} cut-out ${k} shape`);
      const s = pixelStats(img.data);
      assert(
        Math.abs(s.sum - want.sum) <= 1e-9 * Math.abs(want.sum),
        `${file} cut-out ${k}: ${s.sum} != ${want.sum}`,
      );
      assertEquals(s.nan, want.nan, `${file} cut-out ${k} NaN`);
      checked++;
    }
    if (jpegOnly) {
      // The early-format packets hold JPEG cut-outs (FF D8 FF), not FITS.
      assert(
        packets.every((p) =>
          Object.values(p.cutouts).every((c) => typeof c === "string" && /not FITS/.test(c))
        ),
      );
    }
  }
  assert(checked >= 20, `only ${checked} cut-outs checked`);
});

Deno.test("fits ztf: single-stamp FITS files match astropy", async () => {
  for (const [file, hdus] of Object.entries(ref.stamps)) {
    const f = await readFitsFile(`${DIR}/${file}`);
    for (const want of hdus) {
      const img = f.hdus[want.hdu]!.image!;
      assertEquals(img.shape, want.shape, `${file} HDU ${want.hdu} shape`);
      const s = pixelStats(img.data);
      assert(
        Math.abs(s.sum - want.sum) <= 1e-9 * Math.max(1, Math.abs(want.sum)),
        `${file} HDU ${want.hdu} sum`,
      );
      assertEquals(s.nan, want.nan);
      assertEquals(Array.from(img.data.subarray(0, 4) as ArrayLike<number>), want.first4);
    }
  }
});
