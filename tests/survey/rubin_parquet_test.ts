import { listRubinFiles, readRubinFile } from "../../lib/survey/rubin_files.ts";
import { RUBIN_CUTOUT_FIELDS, RUBIN_CUTOUT_NAMES } from "../../lib/survey/rubin_cutout.ts";
import { isParquet, ParquetError, readParquetRows } from "../../lib/survey/parquet_read.ts";
import { assert, assertEquals, assertRejects } from "../util/assert.ts";
import { closeSum, loadRubinReference, RUBIN_DIR } from "./rubin_reference.ts";

Deno.test("rubin parquet: every fixture alert matches the parquet-wasm + astropy reference", async () => {
  const ref = loadRubinReference();
  const files = await listRubinFiles([RUBIN_DIR]);
  assertEquals(files.length, 21);
  const alerts = [];
  for (const f of files) {
    const { alerts: a, problems } = await readRubinFile(f, { columns: ["xm.simbad_otype"] });
    assertEquals(problems, [], f);
    alerts.push(...a);
  }
  assertEquals(alerts.length, 56);
  assertEquals(alerts.length, ref.length);
  for (let i = 0; i < ref.length; i++) {
    const a = alerts[i]!;
    const e = ref[i]!;
    const at = `${e.file}[${e.index}]`;
    assertEquals([a.file.split("/").at(-1), a.index, a.diaSourceId], [
      e.file,
      e.index,
      e.diaSourceId,
    ]);
    assertEquals(a.source.band, e.band, at);
    assertEquals(a.source.mjd, e.midpointMjdTai, at);
    assertEquals(a.source.psfFlux, e.psfFlux, at);
    assertEquals(a.diaObjectId ?? "0", e.diaObjectId, at);
    assertEquals(a.ssObjectId ?? "0", e.ssObjectId, at);
    assertEquals(a.prvDiaSources?.length ?? null, e.nPrvDiaSources, at);
    assertEquals(a.prvDiaForcedSources?.length ?? null, e.nPrvDiaForcedSources, at);
    assertEquals(a.schemaVersion, e.lsstSchemaVersion, at);
    assertEquals(a.columns["xm.simbad_otype"], e.simbadOtype, at);
    for (const name of RUBIN_CUTOUT_NAMES) {
      const field = RUBIN_CUTOUT_FIELDS[name];
      const c = a.cutouts[name]!;
      const want = e.cutouts[field]!;
      assertEquals(c.problem, null, `${at} ${field}`);
      const planes = [c.image!, c.uncert!, c.psf!];
      assertEquals(planes.map((p) => p.extname), want.map((h) => h.extname), `${at} ${field}`);
      planes.forEach((p, k) => {
        const h = want[k]!;
        assertEquals([p.width, p.height, p.nonFinite], [h.shape[0], h.shape[1], h.nonFinite]);
        assert(closeSum(p.finiteSum, h.finiteSum), `${at} ${field} HDU ${k}: ${p.finiteSum}`);
      });
    }
  }
});

Deno.test("rubin parquet: the object ids group several alerts; solar-system ones by ssObjectId", async () => {
  const files = await listRubinFiles([RUBIN_DIR]);
  const ids = new Map<string, number>();
  const sources = new Map<string, number>();
  for (const f of files) {
    for (const a of (await readRubinFile(f, { cutouts: [] })).alerts) {
      ids.set(a.id, (ids.get(a.id) ?? 0) + 1);
      sources.set(a.idSource, (sources.get(a.idSource) ?? 0) + 1);
      assertEquals(Object.keys(a.cutouts).length, 0);
    }
  }
  assertEquals(Object.fromEntries(sources), { diaObjectId: 43, ssObjectId: 13 });
  assert([...ids.values()].some((n) => n > 1), "some object has two alerts");
  assert([...ids.keys()].every((k) => k !== "0"));
});

Deno.test("rubin parquet: a file that is not Parquet is a typed error naming it", async () => {
  assert(!isParquet(new TextEncoder().encode("PAR1 but not the end")));
  const bytes = Deno.readFileSync(`${RUBIN_DIR}/part-1-0-243580376.parquet`);
  const cut = bytes.slice(0, bytes.length - 100);
  await assertRejects(() => readParquetRows(cut, "cut.parquet"), ParquetError, /cut\.parquet/);
  const broken = bytes.slice();
  broken.fill(7, 4, 2000); // corrupt the first pages, keep the footer
  await assertRejects(
    () => readParquetRows(broken, "broken.parquet"),
    ParquetError,
    /broken\.parquet/,
  );
});
