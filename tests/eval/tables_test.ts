import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { evaluationMetrics } from "../../lib/eval/eval_metrics.ts";
import { metricsCsv, metricsMarkdown } from "../../lib/eval/tables.ts";
import { buildReport } from "../../lib/eval/report.ts";
import { clopperPearsonInterval } from "../../lib/eval/stats/binomial.ts";
import { Rng } from "../../lib/util/rng.ts";

const classes = ["AGN", "SNIa", "Variable", "SNOther"];

function fixture(scaled = true) {
  const rng = new Rng(5);
  const labels: number[] = [], logits: number[] = [];
  for (let i = 0; i < 60; i++) {
    const y = i % 4;
    labels.push(y);
    for (let k = 0; k < 4; k++) logits.push(rng.normal(0, 1) + (k === y ? 2 : 0));
  }
  const temperature = {
    value: 1.7,
    fittedOn: 30,
    split: "stage2.val",
    nllBefore: 1,
    nllAfter: 0.9,
  };
  return evaluationMetrics(labels, logits, classes, scaled ? { temperature } : {});
}

Deno.test("tables: every shown metric has its interval and n (Markdown, CSV, HTML)", () => {
  const { metrics: m } = fixture();
  const right = Math.round(m.accuracy * m.n);
  const cp = clopperPearsonInterval(right, m.n);
  assertEquals(m.intervals!.accuracyClopperPearson, cp);
  const md = metricsMarkdown(m);
  const iv = `[${(100 * cp.lo).toFixed(1)}, ${(100 * cp.hi).toFixed(1)}]`;
  assert(md.includes(`| accuracy % `) && md.includes(iv), md);
  assertMatch(
    md,
    /\| balanced accuracy % +\| [\d.]+ +\| \[[\d.]+, [\d.]+\] +\| bootstrap \(2000, seed 1\) \| 60 /,
  );
  assertMatch(md, /### SN Ia selection/);
  assertMatch(md, /\| efficiency \(argmax\) +\| [\d.]+ +\| \[[\d.]+, [\d.]+\] +\| \d+\/15 /);
  assertMatch(md, /### Calibration \(temperature scaling\)/);
  assertMatch(md, /after \(T = 1\.700\)/);
  const csv = metricsCsv(m).trim().split("\n");
  assertEquals(csv[0], "metric,class,value,lo,hi,n");
  const acc = csv.find((l) => l.startsWith("accuracy,"))!.split(",");
  assertEquals(acc.slice(3).map(Number), [cp.lo, cp.hi, 60]);
  assert(csv.some((l) => l.startsWith("recall,SNIa,") && l.split(",")[5] === "15"));
  assert(csv.some((l) => l.startsWith("temperature,,1.7,")));
  const html = buildReport({
    title: "t",
    facts: [],
    metrics: m,
    plots: [],
    gallery: [],
    misclassified: 0,
    early: [{
      days: 5,
      n: 60,
      meanFrames: 3,
      accuracy: 0.5,
      accuracyInterval: { lo: 0.4, hi: 0.6 },
      balancedAccuracy: 0.5,
      balancedAccuracyInterval: { lo: 0.4, hi: 0.6 },
      macroF1: 0.5,
      macroF1Interval: { lo: 0.4, hi: 0.6 },
      sniaEfficiency: 0.5,
      sniaPurity: 0.5,
      ece: 0.1,
    }],
  });
  for (
    const h of ["SN Ia selection", "Calibration (temperature scaling)", "Early classification"]
  ) {
    assert(html.includes(`<h2>${h}</h2>`), h);
  }
  assert(html.includes(iv) && html.includes("<td>Clopper-Pearson</td>"));
});

Deno.test("tables: the temperature changes probabilities, never the argmax", () => {
  const { metrics: m } = fixture();
  const c = m.temperatureScaling!;
  assertEquals(c.temperature, 1.7);
  assert(c.eceBefore !== m.ece && c.logLossBefore !== m.logLoss);
  assertEquals(c.calibrationBefore.length, 15);
  const raw = fixture(false).metrics;
  assertEquals(raw.confusion, m.confusion);
  assertEquals([raw.ece, raw.logLoss], [c.eceBefore, c.logLossBefore]);
  assertEquals(raw.temperatureScaling, undefined);
});
