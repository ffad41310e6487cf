import { assert, assertEquals, assertRejects } from "../util/assert.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { memorySource } from "../../lib/survey/source.ts";
import { openStore, StoreError } from "../../lib/data/store.ts";
import { StoreWriter } from "../../lib/data/store_writer.ts";
import { INDEX_NAME } from "../../lib/data/store_format.ts";
import { synthSeries, tempDir } from "./synth.ts";

const objs = () => [
  synthSeries("a", { epochs: 3, label: "SNIa", confirmed: true }),
  synthSeries("b", { epochs: 5, label: "AGN", seed: 2 }),
];

Deno.test("store: float32 round trip is exact; float16 within half-precision rounding", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    for (const dtype of ["float32", "float16"] as const) {
      await ingest(memorySource(objs()), {
        out: `${dir}/${dtype}`,
        size: 8,
        dtype,
        progress: false,
      });
      const store = await openStore(`${dir}/${dtype}`);
      try {
        assertEquals(store.dtype, dtype);
        assertEquals(
          store.objects.map((o) => [o.id, o.count, o.label, o.confirmed, o.labelIndex]),
          [
            ["a", 15, "SNIa", true, 1],
            ["b", 25, "AGN", false, 0],
          ],
        );
        const src = objs()[1]!;
        const px = store.readObject(1);
        // Frames of b are already in (mjd, band) order in synthSeries.
        for (let f = 0; f < 25; f++) {
          const want = src.frames[f]!.pixels;
          for (let i = 0; i < 64; i++) {
            const got = px[f * 64 + i]!;
            if (dtype === "float32") assertEquals(got, want[i]);
            else {assert(
                Math.abs(got - want[i]!) <= Math.abs(want[i]!) * 2 ** -11,
                `${got} vs ${want[i]}`,
              );}
          }
          assertEquals(store.mjd[store.objects[1]!.first + f], src.frames[f]!.mjd);
        }
      } finally {
        store.close();
      }
    }
    // float16 is half the pixel bytes.
    const s32 = (await Deno.stat(
      `${dir}/float32/${
        JSON.parse(await Deno.readTextFile(`${dir}/float32/index.json`)).framesFile
      }`,
    )).size;
    const s16 = (await Deno.stat(
      `${dir}/float16/${
        JSON.parse(await Deno.readTextFile(`${dir}/float16/index.json`)).framesFile
      }`,
    )).size;
    assert(s16 < s32 * 0.6, `${s16} vs ${s32}`);
  } finally {
    await cleanup();
  }
});

Deno.test("store: a folder without a complete index is refused", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    // An ingest that never finished: frames written, no index.
    const w = await StoreWriter.create(`${dir}/s`, {
      size: 8,
      bands: ["g"],
      classes: ["A"],
      source: "t",
    });
    await w.addObject({ id: "x", label: null, confirmed: false }, [
      { pixels: new Float32Array(64), band: 1, mjd: 1, score: 0, invalid: 0 },
    ]);
    await assertRejects(() => openStore(`${dir}/s`), StoreError, /index.json is missing/);
    await w.abort();
    assertEquals([...Deno.readDirSync(`${dir}/s`)].length, 0);
    // Index present but not complete, or frames file of the wrong length.
    await ingest(memorySource(objs()), { out: `${dir}/t`, size: 8, progress: false });
    const index = JSON.parse(await Deno.readTextFile(`${dir}/t/${INDEX_NAME}`));
    await Deno.writeTextFile(
      `${dir}/t/${INDEX_NAME}`,
      JSON.stringify({ ...index, complete: false }),
    );
    await assertRejects(() => openStore(`${dir}/t`), StoreError, /not a complete/);
    await Deno.writeTextFile(`${dir}/t/${INDEX_NAME}`, JSON.stringify(index));
    const f = await Deno.open(`${dir}/t/${index.framesFile}`, { write: true });
    await f.truncate(1000);
    f.close();
    await assertRejects(() => openStore(`${dir}/t`), StoreError, /1000 bytes/);
    await Deno.remove(`${dir}/t/${index.framesFile}`);
    await assertRejects(() => openStore(`${dir}/t`), StoreError, /cannot be opened/);
  } finally {
    await cleanup();
  }
});

Deno.test("store: ingesting again replaces the store and removes the old frames file", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    await ingest(memorySource(objs()), { out: `${dir}/s`, size: 8, progress: false });
    await ingest(memorySource(objs().slice(0, 1)), { out: `${dir}/s`, size: 8, progress: false });
    const names = [...Deno.readDirSync(`${dir}/s`)].map((e) => e.name).sort();
    assertEquals(names.length, 3, names.join(", ")); // frames, index, report
    const store = await openStore(`${dir}/s`);
    assertEquals(store.objects.length, 1);
    store.close();
  } finally {
    await cleanup();
  }
});
