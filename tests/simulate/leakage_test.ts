/**
 * Leakage (issue 4, "What it must show" 2): a simple classifier on trivial
 * cues (number of frames, mean stamp flux, stamp size) stays below 60 %
 * balanced accuracy, so the classes can only be told apart from the images'
 * evolution.
 */
import { assert, assertEquals } from "../util/assert.ts";
import {
  balancedAccuracy,
  DecisionTree,
  leakageAccuracy,
  trivialCues,
} from "../../lib/simulate/leakage.ts";
import { simulateObject } from "../../lib/simulate/object.ts";

const CLASSES = ["AGN", "SNIa", "Variable", "SNOther"];

Deno.test("leakage: the decision tree works (it learns a separable toy problem)", () => {
  const x = Array.from({ length: 200 }, (_, i) => [i % 4 + 0.1 * (i % 7), 0, 32]);
  const y = x.map((r) => Math.floor(r[0]!));
  const tree = new DecisionTree().fit(x, y, 4);
  assertEquals(balancedAccuracy(y, x.map((r) => tree.predict(r)), 4), 1);
});

Deno.test("leakage: trivial cues give < 60 % balanced accuracy on the true classes", () => {
  const n = 600;
  const cues = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = simulateObject(i, { objects: n, seed: 11 });
    cues.push(trivialCues(o));
    y.push(CLASSES.indexOf(o.trueClass));
  }
  const acc = leakageAccuracy(cues, y, 4);
  console.log(`leakage: balanced accuracy from trivial cues = ${acc.toFixed(3)} (chance 0.25)`);
  assert(acc < 0.6, `balanced accuracy ${acc}`);
});
