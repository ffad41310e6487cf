import { assertEquals } from "../util/assert.ts";
import { folderSource } from "../../lib/survey/folder.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { openStore } from "../../lib/data/store.ts";
import type { WriteHdu } from "../../lib/fits/write.ts";
import { EMPTY_PRIMARY, stampData, writeFitsFile } from "./fixtures.ts";

function img(header: WriteHdu["header"], base = 0): WriteHdu {
  return { bitpix: -32, shape: [8, 8], data: stampData(8, 8, base), header };
}

Deno.test("folder source: one sub-folder per object, band/time from header keys (MJD-OBS, DATE-OBS, JD)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "convention-folder-" });
  try {
    await Deno.mkdir(`${dir}/objA`);
    await Deno.mkdir(`${dir}/objB`);
    await writeFitsFile(`${dir}/objA/e1.fits`, [img([["FILTER", "g"], ["MJD-OBS", 55000]], 1)]);
    // Keys in the primary header, pixels in the extension; ISO date.
    await writeFitsFile(`${dir}/objA/e2.fits.gz`, [
      { ...EMPTY_PRIMARY, header: [["BAND", "r"], ["DATE-OBS", "2009-06-18T12:00:00"]] },
      img([], 2),
    ]);
    // Two image HDUs in one file; MJD given as a JD.
    await writeFitsFile(`${dir}/objA/e3.fits`, [
      EMPTY_PRIMARY,
      img([["FILTER", "g"], ["MJD", 2455010.5]], 3),
      img([["FILTER", "i"], ["MJD", 2455010.5]], 4),
    ]);
    await writeFitsFile(`${dir}/objB/x.fits`, [img([["FILTER", "g"]])]); // no time key
    await writeFitsFile(`${dir}/objB/y.fits`, [img([["FILTER", "z"], ["MJD-OBS", 55100]], 5)]);
    await Deno.writeTextFile(`${dir}/objB/junk.fits`, "not fits");
    await writeFitsFile(`${dir}/single.fits`, [img([["FILTER", "u"], ["MJD-OBS", 55200]], 6)]);
    await Deno.writeTextFile(
      `${dir}/labels.csv`,
      "object_id,label,confirmed\nobjA,SNIa,1\nobjB,AGN,0\n",
    );

    const src = folderSource(dir, { labels: `${dir}/labels.csv` });
    const r = await ingest(src, { out: `${dir}/store`, progress: false });
    assertEquals(r.objects, { in: 3, kept: 3, skipped: 0 });
    assertEquals(r.frames, { in: 8, kept: 6, skipped: 2 });
    assertEquals(r.problemCounts, {
      "unreadable-file": { objects: 0, frames: 1 },
      "missing-header-key": { objects: 0, frames: 1 },
    });
    const store = await openStore(`${dir}/store`);
    const a = store.get("objA");
    assertEquals([a.label, a.confirmed, a.count], ["SNIa", true, 4]);
    assertEquals([...store.mjd.subarray(a.first, a.first + 4)], [55000, 55000.5, 55010, 55010]);
    assertEquals([...store.band.subarray(a.first, a.first + 4)], [2, 3, 2, 4]);
    // Pixels: 8x8 zero-padded into 32x32 at (12, 12).
    assertEquals(store.readObject(a.index)[1024 + 12 * 32 + 12], 2);
    assertEquals(store.get("single").label, null);
    assertEquals(store.get("objB").count, 1);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("folder source: objects named by a header key; files without it reported", async () => {
  const dir = await Deno.makeTempDir({ prefix: "convention-folder-" });
  try {
    await writeFitsFile(`${dir}/a1.fits`, [
      img([["OBJECT", "A"], ["CLASS", "SNIa"], ["FILTER", "g"], ["MJD-OBS", 1]]),
    ]);
    await writeFitsFile(`${dir}/a2.fits`, [
      img([["OBJECT", "A"], ["CLASS", "SNIa"], ["FILTER", "r"], ["MJD-OBS", 2]]),
    ]);
    await writeFitsFile(`${dir}/b1.fits`, [
      img([["OBJECT", "B"], ["CLASS", "AGN"], ["FILTER", "g"], ["MJD-OBS", 1]]),
    ]);
    await writeFitsFile(`${dir}/nokey.fits`, [img([["FILTER", "g"], ["MJD-OBS", 1]])]);
    await Deno.writeTextFile(`${dir}/bad.fits`, "not fits");
    const r = await ingest(folderSource(dir, { objectFrom: "key", labelKey: "CLASS" }), {
      out: `${dir}/store`,
      progress: false,
    });
    assertEquals(r.objects, { in: 4, kept: 2, skipped: 2 });
    assertEquals(r.frames, { in: 5, kept: 3, skipped: 2 });
    assertEquals(r.problems.map((p) => [p.object, p.kind]), [
      ["file:bad.fits", "unreadable-file"],
      ["file:nokey.fits", "missing-header-key"],
    ]);
    assertEquals(r.labels, {
      SNIa: { confirmed: 0, unconfirmed: 1 },
      AGN: { confirmed: 0, unconfirmed: 1 },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
