/**
 * Issue 14 §3 findings 5 and 6: a malformed catalog.csv row is skipped and
 * reported (the rest is ingested); the temporary files of a killed ingest
 * are removed by the next ingest into that folder.
 */
import { ingest } from "../../lib/data/ingest.ts";
import { openStore } from "../../lib/data/store.ts";
import { simulateSurvey } from "../../lib/simulate/survey.ts";
import { simulatedSource } from "../../lib/survey/simulated.ts";
import { memorySource } from "../../lib/survey/source.ts";
import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { tempDir } from "./synth.ts";

Deno.test("ingest: a catalog.csv row with the wrong column count is skipped and reported", async () => {
  const [dir, done] = await tempDir("ingest_bad_row_");
  try {
    await simulateSurvey({ out: `${dir}/s82`, objects: 6, size: 16, bands: "gr", progress: false });
    const path = `${dir}/s82/catalog.csv`;
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    const victim = lines[3]!.split(",")[0]!; // the third object
    const columns = lines[0]!.split(",").length;
    lines[3] = lines[3]!.split(",").slice(0, 4).join(","); // 4 fields instead of all
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const r = await ingest(simulatedSource(`${dir}/s82`), {
      out: `${dir}/store`,
      size: 16,
      bands: { bands: ["g", "r"] },
      progress: false,
    });
    assertEquals(r.objects, { in: 6, kept: 5, skipped: 1 });
    assertEquals(r.problemCounts["bad-value"], { objects: 1, frames: 0 });
    assertEquals(r.problems.length, 1);
    assertEquals(r.problems[0]!.object, "row4");
    assertMatch(
      r.problems[0]!.message,
      new RegExp(`catalog\\.csv line 4 has 4 fields, the header has ${columns}\\.`),
    );
    const store = await openStore(`${dir}/store`);
    assertEquals(store.objects.length, 5);
    assert(!store.objects.some((o) => o.id === victim), "the malformed row's object is not kept");
    store.close();
  } finally {
    await done();
  }
});

Deno.test("ingest: stale frames-*.bin.tmp of a killed ingest are removed by the next ingest", async () => {
  const [dir, done] = await tempDir("ingest_stale_");
  try {
    const out = `${dir}/store`;
    await Deno.mkdir(out);
    // What killed ingests leave: a frames file and an index being written.
    await Deno.writeFile(`${out}/frames-lx2abc12345678.bin.tmp`, new Uint8Array(4096));
    await Deno.writeFile(`${out}/frames-lx2abd87654321.bin.tmp`, new Uint8Array(100));
    await Deno.writeTextFile(`${out}/index.json.frames-lx2abc12345678.bin.tmp`, "{");
    await Deno.writeTextFile(`${out}/notes.txt`, "not ours"); // left alone
    const px = new Float32Array(64).fill(1);
    const r = await ingest(
      memorySource([{
        id: "a",
        label: "SNIa",
        confirmed: true,
        frames: [{ mjd: 1, band: "g", width: 8, height: 8, pixels: px }],
      }]),
      { out, size: 8, progress: false },
    );
    assertEquals(r.objects.kept, 1);
    assertEquals(r.staleRemoved?.files.sort(), [
      "frames-lx2abc12345678.bin.tmp",
      "frames-lx2abd87654321.bin.tmp",
      "index.json.frames-lx2abc12345678.bin.tmp",
    ]);
    assertEquals(r.staleRemoved?.bytes, 4096 + 100 + 1);
    const names = (await Array.fromAsync(Deno.readDir(out))).map((e) => e.name).sort();
    assertEquals(names.filter((n) => n.endsWith(".tmp")), []);
    assert(names.includes("notes.txt"));
    assert(names.includes("index.json"));
  } finally {
    await done();
  }
});
