import { assert, assertEquals } from "../util/assert.ts";
import { cutCount, cutLimit, cutSeries } from "../../lib/data/cut.ts";
import type { Frame, ObjectSeries } from "../../lib/survey/series.ts";
import { earlyCsv, earlyTable } from "../../lib/eval/early_tables.ts";
import type { EarlyRow } from "../../lib/eval/early.ts";

function frame(mjd: number, band = "g"): Frame {
  return { mjd, band, width: 1, height: 1, pixels: new Float32Array([mjd]) };
}

Deno.test("early: the cut keeps the epochs up to t days after the first and adds none", () => {
  // Out of order on purpose: the first epoch is the earliest MJD, 100.
  const s: ObjectSeries = {
    id: "o1",
    label: "SNIa",
    confirmed: true,
    frames: [frame(112), frame(100), frame(105, "r"), frame(110), frame(140), frame(110.5, "i")],
  };
  const at = (days: number) => cutSeries(s, { days }).frames.map((f) => f.mjd);
  assertEquals(at(0), [100]);
  assertEquals(at(5), [100, 105]); // 105 is exactly 5 days on: kept
  assertEquals(at(10), [100, 105, 110]);
  assertEquals(at(12), [112, 100, 105, 110, 110.5]);
  assertEquals(at(1000).length, 6);
  // Never adds, never changes a frame: every kept frame is one of the input's, untouched.
  for (const d of [0, 3, 7, 11, 39, 41]) {
    const kept = cutSeries(s, { days: d }).frames;
    assert(kept.every((f) => s.frames.includes(f)));
    assert(kept.every((f) => f.mjd <= 100 + d));
    assertEquals(kept.length, s.frames.filter((f) => f.mjd <= 100 + d).length);
  }
  // An absolute MJD (predict --as-of), and both: the earlier limit.
  assertEquals(cutSeries(s, { mjd: 106 }).frames.map((f) => f.mjd), [100, 105]);
  assertEquals(cutSeries(s, { mjd: 99 }).frames, []);
  assertEquals(cutLimit(100, { mjd: 130, days: 10 }), 110);
  assertEquals(cutSeries(s, {}).frames.length, 6);
  // The input is not modified.
  assertEquals(s.frames.length, 6);
});

Deno.test("early: the store form counts a time-ordered prefix of the object's frames", () => {
  const mjd = [1, 2, 50, 52, 61, 70, 3];
  // Object at frames 2..5 (MJD 50, 52, 61, 70).
  assertEquals(cutCount(mjd, 2, 4, { days: 0 }), 1);
  assertEquals(cutCount(mjd, 2, 4, { days: 10 }), 2);
  assertEquals(cutCount(mjd, 2, 4, { days: 11 }), 3);
  assertEquals(cutCount(mjd, 2, 4, { days: 20 }), 4);
  assertEquals(cutCount(mjd, 2, 4, null), 4);
  assertEquals(cutCount(mjd, 2, 4, { mjd: 49 }), 0);
  assertEquals(cutCount(mjd, 2, 0, { days: 5 }), 0);
});

Deno.test("early: table and CSV carry n and intervals per cut", () => {
  const row = (days: number | null, acc: number): EarlyRow => ({
    days,
    n: 116,
    meanFrames: 7.5,
    accuracy: acc,
    accuracyInterval: { lo: acc - 0.05, hi: acc + 0.04 },
    balancedAccuracy: 0.6,
    balancedAccuracyInterval: { lo: 0.5, hi: 0.7 },
    macroF1: 0.55,
    macroF1Interval: { lo: 0.45, hi: 0.65 },
    sniaEfficiency: 0.5,
    sniaPurity: null,
    ece: 0.1,
  });
  const t = earlyTable([row(5, 0.7), row(null, 0.9)]);
  assertEquals(t.rows.map((r) => r[0]), ["5 d", "all"]);
  assertEquals(t.rows[0]!.slice(1, 4), ["116", "7.5", "70.00 [65.0, 74.0]"]);
  assertEquals(t.rows[0]![7], "n/a");
  const csv = earlyCsv([row(5, 0.7)]).trim().split("\n");
  assertEquals(csv[0]!.split(",").slice(0, 6), [
    "days",
    "n",
    "mean_frames",
    "accuracy",
    "accuracy_lo",
    "accuracy_hi",
  ]);
  assertEquals(csv[1]!.split(",").slice(0, 4), ["5", "116", "7.5", "0.7"]);
});
