import {
  alertLightCurves,
  lightCurvesFromPackets,
  magToMicroJy,
} from "../../lib/survey/ztf_lightcurve.ts";
import { readAlertFile } from "../../lib/survey/ztf_packet.ts";
import { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";

const DIR = "fixtures/ztf/alerts";

/**
 * [points, detections, upper limits] per object, counted independently with
 * python3-avro: the union of candidate + prv_candidates over an object's
 * packets, keyed by (jd, fid), a detection (magpsf not null) winning over an
 * upper limit. Command (run in fixtures/ztf/alerts):
 *
 *   /usr/bin/python3 -c "import avro.datafile, avro.io, glob, json
 *   objs={}
 *   for p in sorted(glob.glob('*.avro')):
 *     for rec in avro.datafile.DataFileReader(open(p,'rb'), avro.io.DatumReader()):
 *       oid = rec.get('objectId') or 'alertId:%d'%rec['alertId']
 *       d=objs.setdefault(oid,{})
 *       for c in [rec['candidate']]+(rec['prv_candidates'] or []):
 *         k=(c['jd'],c['fid']); det = c.get('magpsf') is not None
 *         if k not in d or (det and not d[k]): d[k]=det
 *   print(json.dumps({k:[len(v),sum(v.values()),len(v)-sum(v.values())] for k,v in objs.items()}))"
 */
const COUNTS: Record<string, [number, number, number]> = {
  "ZTF18aaxjdyr": [24, 1, 23],
  "alertId:1726958725155000": [1, 1, 0],
  "ZTF17aaacxxf": [29, 23, 6],
  "ZTF18aagqxtf": [13, 1, 12],
  "ZTF18aagtxuc": [12, 1, 11],
  "ZTF18aaxjlwy": [12, 1, 11],
  "ZTF17aaajnnn": [74, 63, 11],
  "ZTF18abdqakc": [12, 1, 11],
  "alertId:87704463155000": [18, 1, 17],
};

Deno.test("ztf light curves: per-object points match an independent count", async () => {
  const { curves, report } = await alertLightCurves(DIR);
  assertEquals(curves.map((c) => c.id), Object.keys(COUNTS));
  for (const c of curves) {
    const n = c.points.length;
    const det = c.points.filter((p) => !p.upperLimit).length;
    assertEquals([n, det, n - det], COUNTS[c.id], c.id);
    for (let i = 1; i < n; i++) assert(c.points[i - 1]!.mjd <= c.points[i]!.mjd, "sorted");
    const epochs = new Set(c.points.map((p) => `${p.mjd}|${p.fid}`));
    assertEquals(epochs.size, n, `${c.id} no repeated epoch`);
    for (const p of c.points) {
      if (p.upperLimit) {
        assertEquals([p.magpsf, p.flux, p.fluxErr, p.candid], [null, null, null, null]);
        assert(p.limitFlux !== null && p.limitFlux > 0);
      } else {
        assert(p.flux !== null && p.fluxErr !== null && p.fluxErr > 0);
      }
    }
  }
  assertEquals(report.objects, 9);
  assertEquals(report.packets, 10);
  const total = Object.values(COUNTS).reduce((s, v) => s + v[0], 0);
  assertEquals(report.points, total);
  assertEquals(report.detections + report.upperLimits, total);
  assertEquals(curves.find((c) => c.id === "ZTF17aaajnnn")!.packets, 2);
});

Deno.test("ztf light curves: flux in µJy from magpsf (ZP 23.9), signed by isdiffpos", async () => {
  assertAlmostEquals(magToMicroJy(23.9), 1, 1e-12);
  assertAlmostEquals(magToMicroJy(16.4), 1e3, 1e-9);
  const [p] = await readAlertFile(`${DIR}/472263571115090000.avro`, { cutouts: [] });
  const { curves } = lightCurvesFromPackets([p!]);
  const pt = curves[0]!.points.find((q) => q.origin === "candidate")!;
  const m = p!.candidate.magpsf!;
  assertEquals(p!.candidate.isdiffpos, "f");
  assertAlmostEquals(pt.flux!, -(10 ** ((23.9 - m) / 2.5)), 1e-9);
  assertAlmostEquals(pt.fluxErr!, 10 ** ((23.9 - m) / 2.5) * Math.LN10 / 2.5 * pt.sigmapsf!, 1e-9);
  assertEquals(pt.band, "r");
  assertAlmostEquals(pt.mjd, 58226.2635764, 1e-6);
});
