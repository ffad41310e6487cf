/**
 * Leakage (issue 4, "What it must show" 2): a simple classifier on trivial
 * cues (number of frames, mean stamp flux, stamp size) stays below 60 %
 * balanced accuracy, so the classes can only be told apart from the images'
 * evolution; nuisance features of the series (issue 17) give chance.
 */
import { assert, assertEquals } from "../util/assert.ts";
import {
  balancedAccuracy,
  DecisionTree,
  leakageAccuracy,
  nuisanceAccuracy,
  nuisanceFeatures,
  trivialCues,
} from "../../lib/simulate/leakage.ts";
import { objectFileBytes } from "../../lib/simulate/write.ts";
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

Deno.test("leakage: a depth-4 tree on nuisance features (frames, span, MJDs, file size) is at chance", async () => {
  // Issue 17, item 4: every class is observed on the same epochs and gets its series by the same
  // rule, so what a series looks like from outside (number of frames, time span, first and last
  // MJD, size of the default survey's gzipped q = 4 file) does not tell the class.
  const n = 600;
  const rows = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = simulateObject(i, { objects: n, seed: 11 });
    const bytes = await objectFileBytes(o, { gzip: true, quantize: 4, seed: 11 });
    rows.push(nuisanceFeatures(o, bytes.length));
    y.push(CLASSES.indexOf(o.trueClass));
  }
  const acc = nuisanceAccuracy(rows, y, 4);
  console.log(
    `leakage: balanced accuracy from nuisance features = ${acc.toFixed(3)} (chance 0.25)`,
  );
  assert(acc < 0.3, `balanced accuracy ${acc}`);
  // Every class spans one season (at most 92 days) and has about 21 visits x 5 bands.
  for (const c of [0, 1, 2, 3]) {
    const spans = rows.filter((_, i) => y[i] === c).map((r) => r.span);
    assert(Math.max(...spans) <= 92, `${CLASSES[c]} span ${Math.max(...spans)}`);
  }
});
