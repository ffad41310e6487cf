import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { cli, runCli } from "../util/cli.ts";
import { closeSum, loadRubinReference, RUBIN_DIR } from "./rubin_reference.ts";

const readOnly = (...args: string[]) =>
  runCli(args, ["--allow-read", "--allow-env", "--allow-sys"]);

type Plane = { extname: string; shape: [number, number]; finiteSum: number; nonFinite: number };

Deno.test("cli alerts info --json on the Rubin fixtures: every alert, every cut-out HDU", async () => {
  const r = await readOnly("alerts", "info", RUBIN_DIR, "--json");
  assertEquals(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout) as {
    survey: string;
    alerts: {
      file: string;
      diaSourceId: string;
      band: string;
      mjd: number;
      nPrvDiaSources: number | null;
      cutouts: Record<string, { image: Plane; uncert: Plane; psf: Plane }>;
    }[];
    summary: { files: number; alerts: number; filesFailed: number };
  };
  const ref = loadRubinReference();
  assertEquals([info.survey, info.summary.files, info.summary.alerts], ["rubin", 21, 56]);
  assertEquals(info.alerts.map((a) => a.diaSourceId), ref.map((a) => a.diaSourceId));
  info.alerts.forEach((a, i) => {
    const e = ref[i]!;
    assertEquals([a.band, a.mjd, a.nPrvDiaSources], [e.band, e.midpointMjdTai, e.nPrvDiaSources]);
    assertEquals(Object.keys(a.cutouts), ["cutoutScience", "cutoutDifference", "cutoutTemplate"]);
    for (const [field, c] of Object.entries(a.cutouts)) {
      [c.image, c.uncert, c.psf].forEach((p, k) => {
        const h = e.cutouts[field]![k]!;
        assertEquals([p.extname, p.shape, p.nonFinite], [h.extname, h.shape, h.nonFinite]);
        assert(closeSum(p.finiteSum, h.finiteSum), `${e.diaSourceId} ${field} ${k}`);
      });
    }
  });
});

Deno.test("cli alerts: a bad file among Rubin files is reported by name, the rest go on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rubin-cli-" });
  try {
    await Deno.copyFile(`${RUBIN_DIR}/part-1-0-398764591.parquet`, `${dir}/a.parquet`);
    await Deno.writeTextFile(`${dir}/b.parquet`, "not parquet at all");
    const info = await readOnly("alerts", "info", dir);
    assertEquals(info.code, 1);
    assertMatch(info.stdout, /b\.parquet {2}not read: .*b\.parquet is not a Parquet file/);
    assertMatch(info.stdout, /3 Rubin alerts in 2 files; .* 1 files not read/);
    const series = await readOnly(
      "alerts",
      "series",
      "--kind",
      "rubin",
      "--json",
      "--size",
      "32",
      dir,
    );
    assertEquals(series.code, 1);
    const s = JSON.parse(series.stdout);
    assertEquals([s.report.objects, s.report.frames, s.report.filesFailed], [3, 3, 1]);
    const lc = await readOnly("alerts", "lightcurve", "--json", dir);
    const l = JSON.parse(lc.stdout);
    assertEquals([l.fluxUnit, l.curves.length, l.report.filesFailed], ["nJy", 3, 1]);
    assertEquals(
      l.curves[0].points.filter((p: { origin: string }) => p.origin === "diaSource").length,
      1,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli ingest on Rubin alerts: bands ugrizy, labels from xm.simbad_otype via a table", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rubin-ingest-" });
  try {
    const ref = loadRubinReference();
    await Deno.writeTextFile(
      `${dir}/map.csv`,
      "value,label\nQSO,AGN\nSy1,AGN\nEB*,Variable\nRR*,Variable\n",
    );
    const r = await cli(
      "ingest",
      RUBIN_DIR,
      "--bands",
      "rubin",
      "--label-column",
      "xm.simbad_otype",
      "--label-map",
      `${dir}/map.csv`,
      "--drop-unlabelled",
      "-o",
      `${dir}/store`,
      "-q",
    );
    assertEquals(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assertEquals(out.source, `rubin-alerts:${RUBIN_DIR}`);
    assertEquals(out.bands, ["u", "g", "r", "i", "z", "y"]);
    // Objects whose latest alert names a mapped SIMBAD type are kept; the others are reported.
    const mapped = new Set(["QSO", "Sy1", "EB*", "RR*"]);
    const byObject = new Map<string, string | null>();
    for (const a of ref) {
      const id = a.diaObjectId !== "0" ? a.diaObjectId : `ss:${a.ssObjectId}`;
      byObject.set(id, a.simbadOtype ?? byObject.get(id) ?? null);
    }
    const kept = [...byObject.values()].filter((v) => v !== null && mapped.has(v)).length;
    assertEquals([out.objects.in, out.objects.kept], [54, kept]);
    assert(kept > 20 && kept < 54, `kept ${kept}`);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/store/ingest_report.json`));
    assertEquals(report.problems.length, 54 - kept);
    assert(report.problems.every((p: { kind: string }) => p.kind === "unknown-label"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
