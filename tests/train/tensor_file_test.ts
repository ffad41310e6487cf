import { assertAlmostEquals, assertEquals } from "../util/assert.ts";
import { decodeTensors, encodeTensors } from "../../lib/train/tensor_file.ts";
import { validationScores } from "../../lib/train/validation.ts";
import { computeMetrics } from "../../lib/eval/metrics.ts";
import { Rng } from "../../lib/util/rng.ts";

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
