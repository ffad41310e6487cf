import { loadExpected } from "../../fixtures/ztf/expected.ts";
import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { runCli } from "../util/cli.ts";

const DIR = "fixtures/ztf/alerts";

// Read-only permissions: the alerts verb must not need to write.
const cli = (...args: string[]) => runCli(args, ["--allow-read", "--allow-env", "--allow-sys"]);

interface InfoJson {
  packets: {
    file: string;
    objectId: string | null;
    candid: string;
    fid: number;
    jd: number;
    nPrv: number;
    cutouts: Record<
      string,
      { shape: [number, number]; sum: number; nanCount: number } | { problem: string }
    >;
  }[];
  failed: { file: string; error: string }[];
  summary: { files: number; packets: number; packetsWithNonFitsCutouts: number };
}

Deno.test("cli alerts info --json: every packet as the reference reader says", async () => {
  const r = await cli("alerts", "info", DIR, "--json");
  assertEquals(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout) as InfoJson;
  const expected = loadExpected("fixtures/ztf/expected.json");
  assertEquals(info.packets.length, 10);
  assertEquals(info.summary.packetsWithNonFitsCutouts, 2);
  for (const p of info.packets) {
    const e = expected[p.file.split("/").at(-1)!]![0]!;
    assertEquals([p.objectId, p.candid, p.fid, p.jd, p.nPrv], [
      e.objectId,
      e.candid,
      e.fid,
      e.jd,
      e.n_prv,
    ]);
    for (const [field, c] of Object.entries(p.cutouts)) {
      const want = e.cutouts[field]!;
      if (typeof want === "string") {
        assert("problem" in c);
        assertMatch(c.problem, /^JPEG image \(FF D8 FF\), [\d,]+ bytes$/);
      } else {
        assert("shape" in c);
        assertEquals([c.shape, c.nanCount], [want.shape, want.nan]);
        assert(Math.abs(c.sum - want.sum) <= 1e-10 * Math.abs(want.sum), `${p.file} ${field}`);
      }
    }
  }
});

Deno.test("cli alerts info: table output, bad files reported and counted (exit 0; 1 with --strict)", async () => {
  const files = [`${DIR}/87704463155000.avro`, `${DIR}/stamp-676.fits`];
  const r = await cli("alerts", "info", ...files);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /1 files not read/);
  assertEquals((await cli("alerts", "info", "--strict", ...files)).code, 1);
  assertMatch(r.stdout, /87704463155000\.avro {2}alertId:87704463155000 \(no objectId\)/);
  assertMatch(r.stdout, /cutoutScience +not FITS: JPEG image \(FF D8 FF\), 1,324 bytes/);
  assertMatch(r.stdout, /stamp-676\.fits {2}not read: .*not an Avro object container/);
});

Deno.test("cli alerts series and lightcurve", async () => {
  const s = await cli("alerts", "series", DIR, "--cutout", "difference", "--json");
  assertEquals(s.code, 0, s.stderr);
  const { objects, report } = JSON.parse(s.stdout);
  assertEquals(objects.length, 7);
  assertEquals([report.packets, report.packetsUsed, report.packetsSkipped], [10, 7, 3]);
  const bad = await cli("alerts", "series", DIR, "--cutout", "jpeg");
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /jpeg.*science, difference, template/);
  const lc = await cli("alerts", "lightcurve", `${DIR}/472263571115090000.avro`, "--json");
  assertEquals(lc.code, 0, lc.stderr);
  const { curves } = JSON.parse(lc.stdout);
  assertEquals([curves.length, curves[0].id, curves[0].points.length], [1, "ZTF18aaxjlwy", 12]);
});
