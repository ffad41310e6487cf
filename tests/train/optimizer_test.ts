import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { assertAlmostEquals, assertEquals } from "../util/assert.ts";
import { Adam } from "../../lib/train/optimizer.ts";
import { decodeTensors, encodeTensors } from "../../lib/train/tensor_file.ts";
import { validationScores } from "../../lib/train/validation.ts";
import { computeMetrics } from "../../lib/eval/metrics.ts";
import { Rng } from "../../lib/util/rng.ts";

await tf.setBackend("cpu");

const GRADS = [[0.1, -0.2, 0.3], [0.0, 0.5, -0.1], [1.0, 1.0, 1.0]];

async function run(weightDecay: number, restoreAfter = -1): Promise<Float32Array> {
  let p = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -1.0, 2.0])));
  let opt = new Adam(new Map([["p", p]]), { lr: 0.01, weightDecay });
  for (const [i, g] of GRADS.entries()) {
    const grad = tf.tensor1d(g);
    opt.apply(new Map([["p", grad]]));
    grad.dispose();
    if (i === restoreAfter) {
      // Save, rebuild from scratch, restore: the next steps must be identical.
      const state = await opt.getState();
      const values = p.dataSync().slice();
      opt.dispose();
      p.dispose();
      p = tf.tidy(() => tf.variable(tf.tensor1d(values)));
      opt = new Adam(new Map([["p", p]]), { lr: 0.01, weightDecay });
      opt.setState(state);
    }
  }
  const out = p.dataSync() as Float32Array;
  opt.dispose();
  p.dispose();
  return out;
}

Deno.test("adam/adamw: same numbers as torch.optim.Adam / AdamW (3 steps)", async () => {
  // /usr/bin/python3: torch.optim.Adam([p], lr=0.01, eps=1e-8) and AdamW(..., weight_decay=0.1)
  const torchAdam = [0.4764280617237091, -1.0016673803329468, 1.978974461555481];
  const torchAdamW = [0.4749562740325928, -0.9986859560012817, 1.9730045795440674];
  const a = await run(0), w = await run(0.1);
  for (let i = 0; i < 3; i++) {
    assertAlmostEquals(a[i]!, torchAdam[i]!, 2e-7);
    assertAlmostEquals(w[i]!, torchAdamW[i]!, 2e-7);
  }
});

Deno.test("adam: state save/restore continues bit for bit; no tensor leak", async () => {
  const before = tf.memory().numTensors;
  assertEquals(await run(0.1, 0), await run(0.1));
  assertEquals(await run(0, 1), await run(0));
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("tensor file: round trip of float32/int32 arrays and metadata", () => {
  const arrays = new Map([
    ["a/b", { data: new Float32Array([1.5, NaN, -0, 3e38]), shape: [2, 2] }],
    ["i", { data: new Int32Array([7, -8, 9]), shape: [3] }],
  ]);
  const { arrays: back, metadata } = decodeTensors(encodeTensors(arrays, { k: "v" }));
  assertEquals(metadata, { k: "v" });
  assertEquals(back.get("a/b")!.data, arrays.get("a/b")!.data);
  assertEquals(back.get("i")!.data, arrays.get("i")!.data);
  assertEquals(back.get("a/b")!.shape, [2, 2]);
});

Deno.test("validation scores equal lib/eval metrics on random predictions", () => {
  const rng = new Rng(3);
  for (let t = 0; t < 10; t++) {
    const n = 30, c = 4;
    const labels = Array.from({ length: n }, () => rng.int(0, c - 2)); // class 3 absent
    const probs = Array.from({ length: n }, () => Array.from({ length: c }, () => rng.next()));
    const preds = probs.map((r) => r.indexOf(Math.max(...r)));
    const v = validationScores(labels, preds, 0, c);
    const m = computeMetrics(labels, probs, ["a", "b", "c", "d"]);
    assertAlmostEquals(v.accuracy, m.accuracy, 1e-12);
    assertAlmostEquals(v.balancedAccuracy, m.balancedAccuracy, 1e-12);
    assertAlmostEquals(v.macroF1, m.macroF1, 1e-12);
  }
});
