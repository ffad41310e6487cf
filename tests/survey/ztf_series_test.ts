import { alertSeries, groupAlertSeries } from "../../lib/survey/ztf_series.ts";
import type { AlertCandidate, AlertPacket } from "../../lib/survey/ztf_packet.ts";
import type { AlertCutout } from "../../lib/survey/ztf_cutout.ts";
import { readAlertFile } from "../../lib/survey/ztf_packet.ts";
import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "../util/assert.ts";
import { ConventionError } from "../../lib/errors.ts";

const DIR = "fixtures/ztf/alerts";

Deno.test("ztf series: the sample folder groups into 7 objects, JPEG packets skipped", async () => {
  for (const cutout of ["science", "difference"] as const) {
    const { series, report } = await alertSeries(DIR, { cutout });
    assertEquals(series.map((s) => s.id), [
      "ZTF18aaxjdyr",
      "ZTF17aaacxxf",
      "ZTF18aagqxtf",
      "ZTF18aagtxuc",
      "ZTF18aaxjlwy",
      "ZTF17aaajnnn",
      "ZTF18abdqakc",
    ]);
    assertEquals(report.files, 10);
    assertEquals(report.filesFailed, 0);
    assertEquals(report.packets, 10);
    assertEquals(report.packetsUsed, 7);
    assertEquals(report.packetsSkipped, 3);
    assertEquals(report.packets, report.packetsUsed + report.packetsSkipped);
    assertEquals(report.duplicates, 1);
    assertEquals([report.objects, report.frames, report.paddedFrames], [7, 7, 1]);
    assertEquals(report.nanPixels, 160 + 1322);
    assertEquals(report.badPixels, 0);
    const field = cutout === "science" ? "cutoutScience" : "cutoutDifference";
    const jpeg = report.problems.filter((p) => p.cutout === field);
    assertEquals(jpeg.map((p) => p.file), [
      `${DIR}/1726958725155000.avro`,
      `${DIR}/87704463155000.avro`,
    ]);
    for (const p of jpeg) assertMatch(p.problem, /^JPEG image \(FF D8 FF\), [\d,]+ bytes$/);
    const dup = report.problems.find((p) => p.problem.startsWith("duplicate frame"));
    assertEquals(dup?.file, `${DIR}/472263571115115000.avro`);
    for (const s of series) {
      for (const f of s.frames) {
        assertEquals([f.width, f.height, f.pixels.length, f.mask!.length], [63, 63, 3969, 3969]);
        assertEquals(f.band, "r");
        assert(f.pixels.every(Number.isFinite), "no NaN left");
        assertEquals(f.source, `${f.source!.split(":")[0]}:${field}`);
      }
    }
  }
});

Deno.test("ztf series: an edge cut-out (63x41, ypos 10.4) is padded below and masked", async () => {
  const { series } = await alertSeries(`${DIR}/396522680015040001.avro`, { cutout: "science" });
  const f = series[0]!.frames[0]!;
  assertEquals(f.mjd, 2458151.0226852 - 2400000.5);
  const [p] = await readAlertFile(`${DIR}/396522680015040001.avro`, { cutouts: ["science"] });
  const src = p!.cutouts.science!;
  assertEquals([src.width, src.height], [63, 41]);
  assertEquals([f.meta!.offsetX, f.meta!.offsetY, f.meta!.nanPixels], [0, 22, 160]);
  let masked = 0;
  for (let y = 0; y < 63; y++) {
    for (let x = 0; x < 63; x++) {
      const i = y * 63 + x;
      const v = y < 22 ? NaN : src.pixels![(y - 22) * 63 + x]!;
      if (Number.isNaN(v)) {
        masked++;
        assertEquals([f.mask![i], f.pixels[i]], [0, 0]);
      } else {
        assertEquals([f.mask![i], f.pixels[i]], [1, v]);
      }
    }
  }
  assertEquals(masked, 22 * 63 + 160);
});

function cand(jd: number, fid: number, extra: Record<string, number> = {}): AlertCandidate {
  return {
    candid: null,
    jd,
    fid,
    magpsf: 19,
    sigmapsf: 0.1,
    diffmaglim: 20.5,
    isdiffpos: "t",
    ra: 10,
    dec: 20,
    fields: { jd, fid, ...extra },
  };
}

function stamp(w: number, h: number, fill: (i: number) => number): AlertCutout {
  const pixels = new Float32Array(w * h).map((_, i) => fill(i));
  return {
    name: "difference",
    fileName: null,
    storedBytes: 0,
    width: w,
    height: h,
    pixels,
    sum: 0,
    nanCount: 0,
    problem: null,
    warnings: [],
  };
}

function packet(
  id: string,
  candid: bigint,
  c: AlertCandidate,
  cut: AlertCutout | undefined,
): AlertPacket {
  return {
    file: `${id}-${candid}.avro`,
    index: 0,
    objectId: id,
    id,
    idSource: "objectId",
    candid,
    schemaVersion: "3.3",
    candidate: c,
    prvCandidates: [],
    cutouts: cut ? { difference: cut } : {},
  };
}

Deno.test("ztf series: grouping, ordering, padding sides, cropping, sentinels, duplicates", () => {
  const packets = [
    packet("B", 10n, cand(2459002.5, 1), stamp(8, 8, () => 1)),
    // A: out of time order, two bands, low-x edge, high-y edge, unknown band, duplicate.
    packet("A", 1n, cand(2459003.5, 2, { xpos: 2.5, ypos: 500 }), stamp(3, 5, (i) => i + 1)),
    packet("A", 2n, cand(2459001.5, 1, { xpos: 500, ypos: 3079 }), stamp(5, 3, () => 7)),
    packet("A", 3n, cand(2459002.5, 4), stamp(5, 5, () => 1)),
    packet("A", 1n, cand(2459003.5, 2), stamp(5, 5, () => 1)),
    packet("A", 4n, cand(2459004.5, 3), undefined),
    packet("B", 11n, cand(2459000.5, 2), stamp(5, 5, (i) => (i === 0 ? -3.4e38 : NaN))),
  ];
  const { series, report } = groupAlertSeries(packets, { cutout: "difference", size: 5 });
  assertEquals(series.map((s) => s.id), ["B", "A"]);
  const [b, a] = series as [typeof series[0], typeof series[0]];
  assertEquals(a.frames.map((f) => [f.mjd, f.band]), [[59001, "g"], [59003, "r"]]);
  assertEquals(b.frames.map((f) => f.mjd), [59000, 59002]);
  // 3x5 stamp at xpos 2.5 (low-x edge): aligned right, columns 0-1 padded.
  const low = a.frames[1]!;
  assertEquals(low.meta!.offsetX, 2);
  assertEquals(Array.from(low.mask!.slice(0, 5)), [0, 0, 1, 1, 1]);
  assertEquals(Array.from(low.pixels.slice(0, 5)), [0, 0, 1, 2, 3]);
  // 5x3 stamp at ypos 3079 (high-y edge): aligned low, rows 3-4 padded.
  const high = a.frames[0]!;
  assertEquals(high.meta!.offsetY, 0);
  assertEquals(Array.from(high.mask!), [...Array(15).fill(1), ...Array(10).fill(0)]);
  // 8x8 centre-cropped to 5x5 (from offset 1).
  assertEquals(b.frames[1]!.meta!.offsetX, -1);
  assertEquals(Array.from(b.frames[1]!.mask!), Array(25).fill(1));
  // Sentinel and NaN pixels masked.
  assertEquals(Array.from(b.frames[0]!.mask!), Array(25).fill(0));
  assertEquals([report.nanPixels, report.badPixels], [24, 1]);
  assertEquals([report.paddedFrames, report.croppedFrames], [2, 1]);
  assertEquals([report.packets, report.packetsUsed, report.packetsSkipped], [7, 4, 3]);
  assertEquals(report.duplicates, 1);
  assertEquals(report.problems.map((p) => p.problem.split(" ")[0]), [
    "unknown",
    "duplicate",
    "packet",
  ]);
  assertEquals(a.meta!.nPackets, 2);
  assertThrows(() => groupAlertSeries([], { size: 0 }), RangeError);
});

Deno.test("ztf series: unreadable files are reported and counted, missing paths throw", async () => {
  const { series, report } = await alertSeries([
    `${DIR}/stamp-676.fits`,
    `${DIR}/472263571115090000.avro`,
  ]);
  assertEquals(series.length, 1);
  assertEquals([report.files, report.filesFailed, report.packets], [2, 1, 1]);
  assertMatch(report.problems[0]!.problem, /stamp-676\.fits: not an Avro object container/);
  await assertRejects(() => alertSeries("no/such/dir"), ConventionError, /no\/such\/dir/);
});
