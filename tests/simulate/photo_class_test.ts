/**
 * Photometric labels (issue 17, item 5): the template chi-square classifier
 * run on simulated difference light curves; its confusion matrix on the true
 * classes, and the catalogue labels of unconfirmed objects are its output.
 */
import { assert, assertEquals } from "../util/assert.ts";
import { classifyLightCurve, photometricClass } from "../../lib/simulate/photo_class.ts";
import { simulateObject } from "../../lib/simulate/object.ts";

const CLASSES = ["AGN", "SNIa", "Variable", "SNOther"] as const;

Deno.test("photometric classifier: pure noise is not a transient", () => {
  const pts = Array.from({ length: 60 }, (_, k) => ({
    mjd: 53620 + k,
    band: "gr"[k % 2]!,
    flux: ((k * 7919) % 13 - 6) / 6,
    err: 1,
  }));
  assertEquals(classifyLightCurve(pts).label, "Variable");
});

Deno.test("photometric classifier: confusion matrix on 240 simulated objects (true classes)", () => {
  const n = 240;
  const m = CLASSES.map(() => CLASSES.map(() => 0));
  let unconfirmed = 0;
  for (let i = 0; i < n; i++) {
    const o = simulateObject(i, { objects: n, seed: 11 });
    const r = photometricClass(o.frames);
    m[CLASSES.indexOf(o.trueClass)]![CLASSES.indexOf(r.label)]!++;
    // The catalogue label: the truth when confirmed, the classifier's otherwise.
    assertEquals(o.label, o.confirmed ? o.trueClass : r.label, o.id);
    if (!o.confirmed) unconfirmed++;
  }
  const recall = m.map((row, c) => row[c]! / row.reduce((a, b) => a + b, 0));
  console.log(
    "photometric classifier, rows = true class, columns = label (AGN SNIa Variable SNOther):\n" +
      m.map((row, c) => `  ${CLASSES[c]!.padEnd(8)} ${row.join(" ")}`).join("\n") +
      `\n  recall ${recall.map((r) => r.toFixed(2)).join(" ")}; ${unconfirmed} unconfirmed`,
  );
  assert(unconfirmed > 50, `${unconfirmed} unconfirmed objects`);
  // SNe are recognised by their rise and fall, the rest by stochastic variability...
  assert(recall[1]! > 0.6 && recall[3]! > 0.6, `SN recalls ${recall}`);
  const balanced = recall.reduce((a, b) => a + b, 0) / 4;
  assert(balanced > 0.45, `balanced accuracy ${balanced}`);
  // ...with real confusions: SN Ia <-> SN other and AGN <-> Variable.
  assert(m[1]![3]! + m[3]![1]! > 0 && m[0]![2]! + m[2]![0]! > 0, "no confusions");
});
