import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { assertAlmostEquals, assertEquals, assertThrows } from "../util/assert.ts";
import { lossOf, type LossOptions } from "../../lib/model/ops/loss.ts";
import { Rng } from "../../lib/util/rng.ts";

await tf.setBackend("cpu");

/** The loss in float64 JavaScript, straight from its definition. */
function jsLoss(z: number[][], y: number[], opts: LossOptions): number {
  const gamma = opts.loss === "focal" ? (opts.gamma ?? 2) : 0;
  let num = 0, den = 0;
  z.forEach((row, i) => {
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
    const logp = row[y[i]!]! - lse;
    const w = opts.classWeights ? opts.classWeights[y[i]!]! : 1;
    num += w * -Math.pow(1 - Math.exp(logp), gamma) * logp;
    den += w;
  });
  return num / den;
}

for (
  const opts of [
    { loss: "cross-entropy" },
    { loss: "focal", gamma: 2 },
    { loss: "focal", gamma: 1.5, classWeights: [1, 2, 0.5, 3] },
    { loss: "cross-entropy", classWeights: [0.3, 1, 1, 2] },
  ] as LossOptions[]
) {
  Deno.test(`loss ${JSON.stringify(opts)}: value and closed-form gradient vs float64`, () => {
    const rng = new Rng(9);
    const z = Array.from({ length: 6 }, () => Array.from({ length: 4 }, () => rng.normal(0, 2)));
    const y = [0, 1, 2, 3, 1, 2];
    const labels = tf.tensor1d(y, "int32");
    const zt = tf.tensor2d(z);
    const value = tf.tidy(() => lossOf(zt, labels, opts).dataSync()[0]!);
    assertAlmostEquals(value, jsLoss(z, y, opts), 1e-5);
    const g = tf.tidy(() =>
      tf.grad((t: tf.Tensor) => lossOf(t as tf.Tensor2D, labels, opts))(zt)
        .arraySync() as number[][]
    );
    const h = 1e-5;
    for (let i = 0; i < 6; i++) {
      for (let k = 0; k < 4; k++) {
        const zp = z.map((r) => [...r]), zm = z.map((r) => [...r]);
        zp[i]![k]! += h;
        zm[i]![k]! -= h;
        const num = (jsLoss(zp, y, opts) - jsLoss(zm, y, opts)) / (2 * h);
        assertAlmostEquals(g[i]![k]!, num, 1e-5, `d/dz[${i}][${k}]`);
      }
    }
    zt.dispose();
    labels.dispose();
    assertEquals(tf.memory().numTensors, 0);
  });
}

Deno.test("loss: defaults, float64 formulas (cross-entropy, class weights, focal)", async () => {
  const z = [[2, -1, 0.5, 0], [0.1, 0.2, -0.3, 3], [-1, -2, 4, 0]];
  const y = [0, 3, 1];
  const w = [1, 2, 0.5, 3];
  const logp = z.map((r, i) => {
    const m = Math.max(...r);
    const lse = m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
    return r[y[i]!]! - lse;
  });
  const ce = -logp.reduce((a, b) => a + b) / 3;
  const wce = -logp.reduce((a, b, i) => a + w[y[i]!]! * b, 0) / y.reduce((a, c) => a + w[c]!, 0);
  const focal = logp.reduce((a, lp) => a - Math.pow(1 - Math.exp(lp), 2) * lp, 0) / 3;
  const logits = tf.tensor2d(z), labels = tf.tensor1d(y, "int32");
  const got = [
    lossOf(logits, labels),
    lossOf(logits, labels, { classWeights: w }),
    lossOf(logits, labels, { loss: "focal" }),
  ];
  const vals = await Promise.all(got.map(async (t) => (await t.data())[0]!));
  assertAlmostEquals(vals[0]!, ce, 1e-6);
  assertAlmostEquals(vals[1]!, wce, 1e-6);
  assertAlmostEquals(vals[2]!, focal, 1e-6);
  assertThrows(() => lossOf(logits, labels, { classWeights: [1, 2] }), RangeError, /2 entries/);
  tf.dispose([logits, labels, ...got]);
  assertEquals(tf.memory().numTensors, 0);
});
