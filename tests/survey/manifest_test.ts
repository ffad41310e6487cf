import { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";
import { manifestSource } from "../../lib/survey/manifest.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { openStore, type Store } from "../../lib/data/store.ts";
import { writeFits } from "../../lib/fits/write.ts";
import { EMPTY_PRIMARY, epochHdu, writeFitsFile } from "./fixtures.ts";

const ZTF = Deno.realPathSync("fixtures/ztf/alerts");
const CORPUS = Deno.realPathSync("fixtures/fits/corpus");

/** Sum of the finite pixels of frame `f` of object `id`, and its NaN count. */
function frameSum(store: Store, id: string, f: number): { sum: number; nan: number } {
  const o = store.get(id);
  const n = store.size * store.size;
  const px = store.readObject(o.index).subarray(f * n, (f + 1) * n);
  let sum = 0, nan = 0;
  for (const v of px) {
    if (Number.isNaN(v)) nan++;
    else sum += v;
  }
  return { sum, nan };
}

async function makeManifest(dir: string): Promise<string> {
  // Good and broken files.
  await writeFitsFile(`${dir}/good.fits`, [EMPTY_PRIMARY, epochHdu("g", 55000, 1, { size: 8 })]);
  await Deno.writeTextFile(`${dir}/notfits.fits`, "this is not a FITS file\n".repeat(200));
  await Deno.writeFile(
    `${dir}/truncated.fits`,
    writeFits([epochHdu("g", 1, 1, { size: 64 })]).slice(0, 5000),
  );
  await Deno.writeFile(`${dir}/empty.fits`, new Uint8Array(0));
  await Deno.writeFile(
    `${dir}/corrupt.fits.gz`,
    new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]),
  );
  await writeFitsFile(`${dir}/cube.fits`, [{
    bitpix: -32,
    shape: [8, 8, 3],
    data: new Array(192).fill(1),
  }]);
  await writeFitsFile(`${dir}/nofilter.fits`, [{
    bitpix: -32,
    shape: [8, 8],
    data: new Array(64).fill(1),
  }]);
  const rows = [
    "object_id,file,hdu,band,mjd,label,confirmed",
    // Real ZTF stamps: 31x31, band from FILTER (r), time from the manifest.
    `ztf1,${ZTF}/stamp-676.fits,IMAGE,,58300.1,SNIa,1`,
    `ztf1,${ZTF}/stamp-40320.fits,0,,58302.2,SNIa,1`,
    // Tile-compressed (.fz) files used as stamps: RICE float32 with a NaN, RICE int16.
    `fz1,${CORPUS}/gen_fpack_rice_float32_nan.fits.fz,1,g,55000,Variable,0`,
    `fz1,${CORPUS}/gen_rice_int16.fits.fz,,r,55001,Variable,0`,
    // Broken files and rows, one object.
    "broken,missing.fits,,g,55000,AGN,0",
    "broken,notfits.fits,,g,55001,AGN,0",
    "broken,truncated.fits,,g,55002,AGN,0",
    "broken,empty.fits,,g,55003,AGN,0",
    "broken,good.fits,5,g,55004,AGN,0",
    "broken,good.fits,NOPE,g,55005,AGN,0",
    "broken,cube.fits,0,g,55006,AGN,0",
    "broken,nofilter.fits,0,,55007,AGN,0",
    "broken,good.fits,1,g,yesterday,AGN,0",
    "broken,good.fits,1,g,55000,AGN,0",
    "broken,good.fits,1,g,55000,AGN,0",
    "broken,corrupt.fits.gz,,g,55008,AGN,0",
    "broken,good.fits,1,y,55009,AGN,0",
    // Every frame broken; labels in conflict.
    "allbroken,missing2.fits,,g,1,AGN,0",
    "conflict,good.fits,1,g,1,SNIa,1",
    "conflict,good.fits,1,r,1,AGN,1",
  ];
  await Deno.writeTextFile(`${dir}/manifest.csv`, rows.join("\n") + "\n");
  return `${dir}/manifest.csv`;
}

Deno.test("manifest: real ZTF stamps, .fz stamps and broken files, with exact counts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "convention-manifest-" });
  try {
    const manifest = await makeManifest(dir);
    const r = await ingest(manifestSource(manifest), { out: `${dir}/store`, progress: false });
    assertEquals(r.objects, { in: 5, kept: 3, skipped: 2 });
    assertEquals(r.frames, { in: 20, kept: 5, skipped: 15 });
    assertEquals(r.problemCounts, {
      "unreadable-file": { objects: 0, frames: 6 },
      "missing-hdu": { objects: 0, frames: 2 },
      "wrong-shape": { objects: 0, frames: 1 },
      "missing-header-key": { objects: 0, frames: 1 },
      "bad-value": { objects: 1, frames: 3 },
      "duplicate-frame": { objects: 0, frames: 1 },
      "unknown-band": { objects: 0, frames: 1 },
      "no-frames": { objects: 1, frames: 0 },
    });
    // Each problem names its object and file.
    const broken = r.problems.filter((p) => p.object === "broken");
    assertEquals(broken.length, 12);
    assert(broken.every((p) => p.message.includes("broken")), "message without object");
    assertEquals(
      broken.filter((p) => p.kind === "unreadable-file").map((p) => p.file),
      ["missing.fits", "notfits.fits", "truncated.fits", "empty.fits", "corrupt.fits.gz"],
    );
    // Zero-padding to 32x32: 31x31 ZTF stamps 63 pixels each, 30x20 .fz stamps 424 each, the
    // 8x8 good stamp 960. The RICE float stamp has one NaN (as funpack restores it).
    assertEquals(r.pixels, {
      nan: 1,
      padded: 63 * 2 + 424 * 2 + 960,
      framesWithNaN: 1,
      framesCropped: 0,
      framesPadded: 5,
    });
    const store = await openStore(`${dir}/store`);
    try {
      const z = store.get("ztf1");
      assertEquals([z.label, z.confirmed, z.count], ["SNIa", true, 2]);
      assertEquals([...store.band.subarray(z.first, z.first + 2)], [3, 3]); // FILTER = r
      // Sums against astropy (tools/fits_reference.py): 30046.254744, 31167.616393.
      assertAlmostEquals(frameSum(store, "ztf1", 0).sum, 30046.254744142294, 1e-3);
      assertAlmostEquals(frameSum(store, "ztf1", 1).sum, 31167.61639264226, 1e-3);
      assertEquals(store.invalid[z.first], 63);
      // funpack: sum -1202.737476354465 with 1 NaN; int16: 70862.
      const f = frameSum(store, "fz1", 0);
      assertAlmostEquals(f.sum, -1202.737476354465, 1e-2);
      assertEquals(f.nan, 1 + 424);
      assertEquals(frameSum(store, "fz1", 1).sum, 70862);
    } finally {
      store.close();
    }
    // Any stamp size: a 16-pixel store centre-crops the 31x31 and 30x20 stamps.
    const r16 = await ingest(manifestSource(manifest), {
      out: `${dir}/s16`,
      size: 16,
      progress: false,
    });
    assertEquals(r16.pixels.framesCropped, 4);
    assertEquals(r16.frames, r.frames);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
