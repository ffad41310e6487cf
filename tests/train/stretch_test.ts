import { assertAlmostEquals, assertEquals } from "../util/assert.ts";
import { stretchBatch } from "../../lib/train/stretch.ts";
import { emptyBatch } from "../../lib/data/batch.ts";

Deno.test("stretch: asinh(x / s) in place, 0 stays 0, null leaves the batch alone", () => {
  const b = emptyBatch(1, 2, 1, 2);
  b.frames.set([0, 0.05, -3, 100]);
  stretchBatch(b, null);
  assertEquals(Array.from(b.frames), [0, 0.05, -3, 100].map(Math.fround));
  stretchBatch(b, 0.1);
  assertEquals(b.frames[0], 0);
  assertAlmostEquals(b.frames[1]!, Math.asinh(0.5), 1e-6);
  assertAlmostEquals(b.frames[2]!, -Math.asinh(30), 1e-6);
  assertAlmostEquals(b.frames[3]!, Math.asinh(1000), 1e-5);
});
