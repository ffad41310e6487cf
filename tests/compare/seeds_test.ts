import { assertAlmostEquals, assertEquals, assertMatch } from "../util/assert.ts";
import { meanSd, summarizeSeeds } from "../../lib/eval/seed_summary.ts";
import { compareCsv, type CompareRow, compareTable } from "../../lib/eval/compare_tables.ts";
import { seedsMarkdown } from "../../lib/compare/train_seeds.ts";

const m = (accuracy: number, balancedAccuracy: number) => ({
  accuracy,
  balancedAccuracy,
  macroF1: 0.5,
  n: 116,
});

Deno.test("seeds: mean and sample sd by hand", () => {
  // 0.8, 0.6, 0.7: mean 0.7, sample variance (0.01 + 0.01 + 0) / 2 = 0.01.
  const s = meanSd([0.8, 0.6, 0.7]);
  assertAlmostEquals(s.mean, 0.7, 1e-12);
  assertAlmostEquals(s.sd, 0.1, 1e-12);
  assertEquals(meanSd([0.4]), { mean: 0.4, sd: 0 });
  const sum = summarizeSeeds([
    { seed: 2, run: "b", metrics: m(0.6, 0.5) },
    { seed: 1, run: "a", metrics: m(0.8, 0.7) },
  ]);
  assertEquals(sum.perSeed.map((v) => v.seed), [1, 2]);
  assertAlmostEquals(sum.accuracy.mean, 0.7, 1e-12);
  assertAlmostEquals(sum.accuracy.sd, Math.SQRT2 / 10, 1e-12);
  assertMatch(seedsMarkdown(sum), /\| mean ± sd +\| 70\.0 ± 14\.1 +\| 60\.0 ± 14\.1/);
});

Deno.test("seeds: the comparison table shows mean, sd and per-seed values", () => {
  const row: CompareRow = {
    model: "ConvEntion",
    bands: "ugriz",
    input: "images",
    accuracy: 0.8,
    balancedAccuracy: 0.7,
    macroF1: 0.5,
    parameters: 10,
    trainTimeS: 1,
    testObjects: 116,
    run: "runs/a",
    n: 116,
    seedSummary: summarizeSeeds([
      { seed: 1, run: "a", metrics: m(0.8, 0.7) },
      { seed: 2, run: "b", metrics: m(0.6, 0.5) },
    ]),
  };
  const t = compareTable([row]);
  assertEquals(t.header.slice(-2), [
    "accuracy % over seeds: mean ± sd (per seed)",
    "balanced accuracy % over seeds: mean ± sd (per seed)",
  ]);
  assertEquals(t.rows[0]!.slice(-2), ["70.0 ± 14.1 (80.0, 60.0)", "60.0 ± 14.1 (70.0, 50.0)"]);
  const csv = compareCsv([row]).trim().split("\n");
  const head = csv[0]!.split(","), cells = csv[1]!.split(",");
  assertEquals(cells[head.indexOf("accuracy_per_seed")], "0.8 0.6");
  assertEquals(Number(cells[head.indexOf("accuracy_seed_mean")]), 0.7);
});
