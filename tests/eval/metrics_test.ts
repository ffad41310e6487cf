import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../util/assert.ts";
import { argmax, computeMetrics } from "../../lib/eval/metrics.ts";
import { rocAuc, rocCurve } from "../../lib/eval/roc_auc.ts";
import { expectedCalibrationError } from "../../lib/eval/calibration.ts";
import { Rng } from "../../lib/util/rng.ts";

// Six samples, three classes; every expected value below was worked out by hand
// (see the comments).
const labels = [0, 0, 1, 1, 2, 2];
const probs = [
  [0.7, 0.2, 0.1], // pred 0, right, conf 0.7
  [0.4, 0.5, 0.1], // pred 1, wrong, conf 0.5
  [0.2, 0.6, 0.2], // pred 1, right, conf 0.6
  [0.1, 0.3, 0.6], // pred 2, wrong, conf 0.6
  [0.2, 0.2, 0.6], // pred 2, right, conf 0.6
  [0.3, 0.3, 0.4], // pred 2, right, conf 0.4
];
const classes = ["a", "b", "c"];

Deno.test("metrics: hand-computed accuracy, confusion, precision/recall/F1", () => {
  const m = computeMetrics(labels, probs, classes);
  assertEquals(m.n, 6);
  assertEquals(m.confusion, [[1, 1, 0], [0, 1, 1], [0, 0, 2]]);
  assertAlmostEquals(m.accuracy, 4 / 6, 1e-12);
  // class a: TP 1, support 2, predicted 1 -> P 1, R 1/2, F1 2/3
  // class b: TP 1, support 2, predicted 2 -> P 1/2, R 1/2, F1 1/2
  // class c: TP 2, support 2, predicted 3 -> P 2/3, R 1, F1 4/5
  const want = [[1, 0.5, 2 / 3], [0.5, 0.5, 0.5], [2 / 3, 1, 0.8]];
  m.perClass.forEach((p, k) => {
    assertAlmostEquals(p.precision, want[k]![0]!, 1e-12);
    assertAlmostEquals(p.recall, want[k]![1]!, 1e-12);
    assertAlmostEquals(p.f1, want[k]![2]!, 1e-12);
    assertEquals(p.support, 2);
  });
  assertEquals(m.perClass.map((p) => p.predicted), [1, 2, 3]);
  assertAlmostEquals(m.balancedAccuracy, (0.5 + 0.5 + 1) / 3, 1e-12);
  assertAlmostEquals(m.macroF1, 59 / 90, 1e-12);
  assertAlmostEquals(m.weightedF1, 59 / 90, 1e-12);
});

Deno.test("metrics: hand-computed one-vs-rest ROC AUC with ties", () => {
  const m = computeMetrics(labels, probs, classes);
  // a: positives 0.7, 0.4 beat every negative (0.2, 0.1, 0.2, 0.3) -> 1
  // b: positive 0.6 beats 4; positive 0.3 beats 0.2, 0.2, ties 0.3, loses to 0.5 -> 6.5 / 8
  // c: positive 0.6 beats 3, ties 0.6; positive 0.4 beats 3 -> 6.5 / 8
  assertEquals(m.perClass.map((p) => p.rocAuc), [1, 0.8125, 0.8125]);
  assertAlmostEquals(m.macroRocAuc!, 0.875, 1e-12);
});

Deno.test("metrics: hand-computed ECE (15 bins) and log loss", () => {
  const m = computeMetrics(labels, probs, classes);
  // bins: 0.7 right -> |1 - 0.7|; 0.5 wrong -> 0.5; three 0.6 (2 right) -> |2/3 - 0.6| each;
  // 0.4 right -> 0.6. ECE = (0.3 + 0.5 + 3 * (1/15) + 0.6) / 6
  assertAlmostEquals(m.ece, 1.6 / 6, 1e-12);
  assertEquals(m.eceBins, 15);
  assertEquals(m.calibration.map((b) => b.count).reduce((a, b) => a + b, 0), 6);
  assertEquals(m.calibration[8]!.count, 3);
  // true-class probabilities: 0.7, 0.4, 0.6, 0.3, 0.6, 0.4
  const ll = -(Math.log(0.7) + 2 * Math.log(0.4) + 2 * Math.log(0.6) + Math.log(0.3)) / 6;
  assertAlmostEquals(m.logLoss, ll, 1e-12);
});

Deno.test("metrics: flat probabilities equal rows; bad labels throw", () => {
  const a = computeMetrics(labels, probs, classes);
  const b = computeMetrics(Int32Array.from(labels), Float32Array.from(probs.flat()), classes);
  assertEquals(b.confusion, a.confusion);
  assertAlmostEquals(b.macroF1, a.macroF1, 1e-12);
  assertThrows(() => computeMetrics([3], [[1, 0, 0]], classes), RangeError);
  assertThrows(() => computeMetrics([0, 1], [[1, 0, 0]], classes), RangeError);
});

Deno.test("metrics: absent class is skipped in balanced accuracy and macro averages", () => {
  // class c never appears and is never predicted
  const m = computeMetrics([0, 1, 1], [[0.9, 0.1, 0], [0.2, 0.8, 0], [0.6, 0.4, 0]], classes);
  assertAlmostEquals(m.balancedAccuracy, (1 + 0.5) / 2, 1e-12);
  // F1: a: P 1/2 R 1 -> 2/3; b: P 1 R 1/2 -> 2/3
  assertAlmostEquals(m.macroF1, 2 / 3, 1e-12);
  assertEquals(m.perClass[2]!.rocAuc, null);
  assertEquals(argmax([0.2, 0.4, 0.4]), 1);
});

Deno.test("roc auc: examples, all ties, undefined cases", () => {
  assertEquals(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
  assertEquals(rocAuc([0.5, 0.5, 0.5], [true, false, false]), 0.5);
  assertEquals(rocAuc([0.1, 0.2], [true, true]), null);
  assertEquals(rocAuc([], []), null);
  assertEquals(rocAuc([0.9, 0.1], [false, true]), 0);
});

Deno.test("roc auc: equals the trapezoid area under rocCurve on tied random scores", () => {
  const rng = new Rng(7);
  for (let t = 0; t < 20; t++) {
    const n = 5 + rng.int(0, 60);
    const scores = Array.from({ length: n }, () => rng.int(0, 6) / 6);
    const pos = Array.from({ length: n }, () => rng.bernoulli(0.4));
    const auc = rocAuc(scores, pos);
    const curve = rocCurve(scores, pos);
    if (auc === null) {
      assertEquals(curve.length, 0);
      continue;
    }
    let area = 0;
    for (let i = 1; i < curve.length; i++) {
      const a = curve[i - 1]!, b = curve[i]!;
      area += (b.fpr - a.fpr) * (a.tpr + b.tpr) / 2;
    }
    assertAlmostEquals(auc, area, 1e-12);
    assertEquals(curve[curve.length - 1]!.fpr, 1);
    assertEquals(curve[curve.length - 1]!.tpr, 1);
  }
});

Deno.test("calibration: perfectly calibrated bins give 0; edges go to the lower bin", () => {
  const e = expectedCalibrationError([0.5, 0.5, 1, 1], [true, false, true, true]);
  assertAlmostEquals(e.ece, 0, 1e-12);
  assertEquals(e.table[14]!.count, 2);
  assertEquals(e.table[7]!.count, 2); // 0.5 is in (7/15, 8/15]
  const z = expectedCalibrationError([0], [false], 10);
  assertEquals(z.table[0]!.count, 1);
  assert(expectedCalibrationError([], []).ece === 0);
});
