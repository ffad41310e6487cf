import { assertEquals } from "../util/assert.ts";
import { simulatedSource } from "../../lib/survey/simulated.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { openStore } from "../../lib/data/store.ts";
import { EMPTY_PRIMARY, epochHdu, stampData, writeFitsFile } from "./fixtures.ts";

const HEADER =
  "object_id,class,true_class,subtype,confirmed,ra,dec,redshift,host_mag_r,peak_mag_r,n_epochs,n_frames,file";

Deno.test("simulated layout: catalog + one MEF per object (.fits and .fits.gz, float and scaled int)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "convention-sim-" });
  try {
    await Deno.mkdir(`${dir}/objects`);
    // Object 1: float32, 2 epochs x g,r. Object 2: gzip, BITPIX 16 with BSCALE/BZERO, 1 epoch x ugriz.
    await writeFitsFile(`${dir}/objects/000001.fits`, [
      EMPTY_PRIMARY,
      epochHdu("g", 53616.1, 10),
      epochHdu("r", 53616.1, 20),
      epochHdu("g", 53620.2, 30),
      epochHdu("r", 53620.2, 40),
    ]);
    await writeFitsFile(
      `${dir}/objects/000002.fits.gz`,
      [
        EMPTY_PRIMARY,
        ...["u", "g", "r", "i", "z"].map((b, i) => epochHdu(b, 53700, i, { bitpix: 16 })),
      ],
    );
    // Object 3: the catalog promises 3 frames, the file has 2. Object 4: the file is missing.
    await writeFitsFile(`${dir}/objects/000003.fits`, [
      EMPTY_PRIMARY,
      epochHdu("i", 53616.1, 0),
      epochHdu("i", 53630.1, 0),
    ]);
    await Deno.writeTextFile(
      `${dir}/catalog.csv`,
      [
        HEADER,
        "1,SNIa,SNIa,Ia,1,10.5,-0.5,0.12,21.3,20.1,2,4,objects/000001.fits",
        "2,AGN,AGN,,0,11.0,0.2,0.8,20.0,19.5,1,5,objects/000002.fits.gz",
        "3,Variable,Variable,RRLyr,1,12.0,0.1,0,,18.0,3,3,objects/000003.fits",
        "4,SNOther,SNII,II,0,13.0,0.3,0.05,22.0,21.0,2,10,objects/000004.fits",
      ].join("\n") + "\n",
    );
    const src = simulatedSource(dir);
    assertEquals(src.count, 4);
    const items = [];
    for await (const it of src.items()) items.push(it);
    assertEquals(items.map((i) => [i.id, i.series?.frames.length ?? null, i.framesIn]), [
      ["1", 4, 4],
      ["2", 5, 5],
      ["3", 2, 3],
      ["4", null, 10],
    ]);
    const s1 = items[0]!.series!;
    assertEquals([s1.label, s1.trueLabel, s1.confirmed], ["SNIa", "SNIa", true]);
    assertEquals(s1.meta, {
      ra: 10.5,
      dec: -0.5,
      redshift: 0.12,
      host_mag_r: 21.3,
      peak_mag_r: 20.1,
      n_epochs: 2,
      subtype: "Ia",
    });
    assertEquals([s1.frames[2]!.band, s1.frames[2]!.mjd, s1.frames[2]!.width], ["g", 53620.2, 32]);
    assertEquals([...s1.frames[2]!.pixels.slice(0, 3)], [30, 31, 32]);
    assertEquals(s1.frames[0]!.meta, { SEEING: 1.4, MAGZP: 28.3, SKYSIG: 3.2 });
    // Scaled integers come back as physical values.
    assertEquals([...items[1]!.series!.frames[3]!.pixels.slice(0, 2)], [3, 4]);
    assertEquals(items[2]!.problems.map((p) => [p.kind, p.skipped]), [["missing-hdu", "frame"]]);
    assertEquals(items[3]!.problems.map((p) => [p.kind, p.skipped]), [[
      "unreadable-file",
      "object",
    ]]);

    // Worker threads read the same objects, in the same order.
    const viaWorkers = [];
    for await (const it of simulatedSource(dir, { workers: 2, readAhead: 1 }).items()) {
      viaWorkers.push(it);
    }
    assertEquals(viaWorkers, items);

    const r = await ingest(simulatedSource(dir), { out: `${dir}/store`, progress: false });
    assertEquals(r.objects, { in: 4, kept: 3, skipped: 1 });
    assertEquals(r.frames, { in: 22, kept: 11, skipped: 11 });
    const store = await openStore(`${dir}/store`);
    const o2 = store.get("2");
    assertEquals([o2.label, o2.confirmed, o2.count], ["AGN", false, 5]);
    assertEquals([...store.band.subarray(o2.first, o2.first + 5)], [1, 2, 3, 4, 5]);
    const px = store.readObject(o2.index);
    // Frame 2 (band r) of object 2 starts at pixel 2 * 32 * 32.
    assertEquals([...px.subarray(2048, 2050)], stampData(32, 32, 2).slice(0, 2));
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
