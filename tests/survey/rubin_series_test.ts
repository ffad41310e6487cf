import { groupRubinSeries, placeRubinCutout, rubinSeries } from "../../lib/survey/rubin_series.ts";
import type { RubinFrame } from "../../lib/survey/rubin_series.ts";
import { rubinLightCurves } from "../../lib/survey/rubin_lightcurve.ts";
import { readRubinFile } from "../../lib/survey/rubin_files.ts";
import { decodeRubinCutout, type RubinCutout } from "../../lib/survey/rubin_cutout.ts";
import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { closeSum, loadRubinReference, RUBIN_DIR } from "./rubin_reference.ts";

const objectOf = (a: { diaObjectId: string; ssObjectId: string }) =>
  a.diaObjectId !== "0" ? a.diaObjectId : `ss:${a.ssObjectId}`;

Deno.test("rubin series: one series per object, frames in time order, sums kept", async () => {
  const ref = loadRubinReference();
  const { series, report } = await rubinSeries(RUBIN_DIR, { cutout: "difference" });
  assertEquals([report.files, report.alerts, report.alertsUsed, report.alertsSkipped], [
    21,
    56,
    56,
    0,
  ]);
  const objects = new Set(ref.map(objectOf));
  assertEquals(series.length, objects.size);
  assertEquals([report.paddedFrames, report.croppedFrames], [55, 1]); // one 74 px cut-out
  for (const s of series) {
    const mine = ref.filter((a) => objectOf(a) === s.id);
    assertEquals(s.frames.length, mine.length, s.id);
    assertEquals(
      s.frames.map((f) => f.mjd),
      mine.map((a) => a.midpointMjdTai).sort((x, y) => x - y),
    );
    for (const f of s.frames as RubinFrame[]) {
      const a = mine.find((x) => x.diaSourceId === f.meta!.diaSourceId)!;
      assertEquals([f.band, f.width, f.height], [a.band, 63, 63]);
      const img = a.cutouts.cutoutDifference![0]!;
      assertEquals(f.mask!.reduce((n, m) => n + m, 0), Math.min(img.shape[0], 63) ** 2);
      assertEquals(f.psf!.width, a.cutouts.cutoutDifference![2]!.shape[0]);
      assert(f.uncert !== null && f.uncert.length === 63 * 63);
      if (img.shape[0] <= 63) {
        let sum = 0;
        for (const v of f.pixels) sum += v;
        assert(closeSum(sum, img.finiteSum), `${s.id}: placed sum ${sum} vs ${img.finiteSum}`);
      }
    }
  }
});

Deno.test("rubin series: duplicate diaSourceIds dropped; a bad cut-out reported by name", async () => {
  const file = `${RUBIN_DIR}/part-1-0-398764591.parquet`;
  const { alerts } = await readRubinFile(file, { cutouts: ["science"], history: false });
  const broken = {
    ...alerts[1]!,
    cutouts: { science: decodeRubinCutout("science", new Uint8Array([1, 2, 3]), "x") },
  };
  const { series, report } = groupRubinSeries([...alerts, ...alerts, broken], { size: 40 });
  assertEquals(series.length, 3);
  assertEquals([report.alerts, report.alertsUsed, report.duplicates, report.alertsSkipped], [
    7,
    3,
    3,
    4,
  ]);
  const p = report.problems.find((x) => x.cutout === "cutoutScience")!;
  assertEquals([p.file, p.index, p.diaSourceId], [file, 1, alerts[1]!.diaSourceId]);
  assertMatch(p.problem, /cutoutScience is not usable: not FITS \(starts with 01 02 03\), 3 bytes/);
  assertMatch(
    report.problems[0]!.problem,
    /duplicate frame: same diaSourceId \d+ as .*398764591\.parquet\[0\]/,
  );
});

Deno.test("rubin series: NaN image pixels and non-positive UNCERT are masked, centre padding", () => {
  const plane = (extname: string, px: number[]) => ({
    extname,
    hdu: 0,
    width: 2,
    height: 2,
    pixels: new Float32Array(px),
    finiteSum: 0,
    nonFinite: 0,
  });
  const cut: RubinCutout = {
    name: "science",
    storedBytes: 0,
    image: plane("", [1, NaN, 3, 4]),
    uncert: plane("UNCERT", [1, 1, 0, 2]),
    psf: null,
    problem: null,
    warnings: [],
  };
  const p = placeRubinCutout(cut, 4);
  assertEquals([p.nan, p.badUncert], [1, 1]);
  assertEquals([...p.mask], [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  assertEquals([...p.pixels].filter((v) => v !== 0), [1, 4]);
  assertEquals(Number.isNaN(p.uncert![6]!) && p.uncert![10], 2);
  const n = placeRubinCutout(cut, "native");
  assertEquals([n.width, n.height, [...n.mask]], [2, 2, [1, 0, 0, 1]]);
});

Deno.test("rubin light curves: diaSource + prvDiaSources once each, forced photometry fills gaps", async () => {
  const ref = loadRubinReference();
  const { curves, report } = await rubinLightCurves(RUBIN_DIR);
  assertEquals([report.files, report.alerts, report.objects], [21, 56, 54]);
  const single = curves.filter((c) => c.alerts === 1);
  assertEquals(single.length, 52);
  for (const c of single) {
    const a = ref.find((r) => objectOf(r) === c.id)!;
    const det = c.points.filter((p) => p.origin !== "prvDiaForcedSources");
    assertEquals(det.length, 1 + (a.nPrvDiaSources ?? 0), c.id);
    const forced = c.points.length - det.length;
    assert(forced <= (a.nPrvDiaForcedSources ?? 0), c.id);
    const p = c.points.find((x) => x.origin === "diaSource")!;
    assertEquals([p.mjd, p.band, p.flux, p.sourceId], [
      a.midpointMjdTai,
      a.band,
      a.psfFlux,
      a.diaSourceId,
    ]);
    for (let i = 1; i < c.points.length; i++) assert(c.points[i]!.mjd >= c.points[i - 1]!.mjd);
    const epochs = new Set(det.map((x) => `${x.band}|${x.mjd}`));
    assert(
      c.points.every((x) =>
        x.origin !== "prvDiaForcedSources" || !epochs.has(`${x.band}|${x.mjd}`)
      ),
    );
  }
  const all = await rubinLightCurves(RUBIN_DIR, { forced: "none" });
  assertEquals([all.report.forced, all.report.detections], [0, report.detections]);
});
