import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { cli } from "../util/cli.ts";
import { EMPTY_PRIMARY, epochHdu, writeFitsFile } from "../survey/fixtures.ts";

Deno.test("cli ingest: a manifest with a broken file; JSON on stdout, one summary line on stderr", async () => {
  const dir = await Deno.makeTempDir({ prefix: "convention-cli-ingest-" });
  try {
    await writeFitsFile(`${dir}/a.fits`, [
      EMPTY_PRIMARY,
      epochHdu("g", 1, 0, { size: 16 }),
      epochHdu("r", 1, 0, { size: 16 }),
    ]);
    await Deno.writeTextFile(
      `${dir}/m.csv`,
      "object_id,file,hdu,band,mjd,label,confirmed\n" +
        "x,a.fits,1,,,SNIa,1\nx,a.fits,2,,,SNIa,1\nx,gone.fits,1,g,3,SNIa,1\ny,a.fits,1,,,SNII,0\n",
    );
    const r = await cli(
      "ingest",
      `${dir}/m.csv`,
      "--out",
      `${dir}/store`,
      "--size",
      "16",
      "--label-map",
      "SNII=SNOther",
    );
    assertEquals(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assertEquals(json.objects, { in: 2, kept: 2, skipped: 0 });
    assertEquals(json.frames, { in: 4, kept: 3, skipped: 1 });
    assertEquals(json.problemsListed, 1);
    const lines = r.stderr.trim().split("\n");
    assertEquals(lines.length, 1, r.stderr);
    assertMatch(
      lines[0]!,
      /^ingest: objects 2 in, 2 kept, 0 skipped; frames 4 in, 3 kept, 1 skipped/,
    );
    const report = JSON.parse(await Deno.readTextFile(`${dir}/store/ingest_report.json`));
    assertEquals(report.problems[0].kind, "unreadable-file");
    assert(report.problems[0].message.includes("gone.fits"));

    // Nothing usable: exit code 1; a bad option: exit code 2.
    await Deno.writeTextFile(`${dir}/bad.csv`, "object_id,file\nz,gone.fits\n");
    const bad = await cli("ingest", `${dir}/bad.csv`, "--out", `${dir}/s2`, "-q");
    assertEquals(bad.code, 1);
    assertMatch(bad.stderr, /^error: no object could be ingested/);
    const usage = await cli("ingest", `${dir}/m.csv`, "--dtype", "int8");
    assertEquals(usage.code, 2);
    assertMatch(usage.stderr, /--dtype int8/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
