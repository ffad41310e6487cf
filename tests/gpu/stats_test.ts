import { compareTensors, extrapolateTraining } from "../../tasks/gpu/stats.ts";
import { median } from "../../tasks/bench/shared.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../util/assert.ts";

Deno.test("median of odd and even lists", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  assertThrows(() => median([]), RangeError);
});

Deno.test("compareTensors measures error relative to the reference's max magnitude", () => {
  const ref = [10, -20, 5];
  const c = compareTensors([10, -20.001, 5.0005], ref, 1e-4);
  assertEquals(c.maxAbsRef, 20);
  assertAlmostEquals(c.maxAbsDiff, 0.001, 1e-9);
  assertAlmostEquals(c.relErr, 5e-5, 1e-9);
  assert(c.ok);
  assert(!compareTensors([10, -20.01, 5], ref, 1e-4).ok);
});

Deno.test("compareTensors: exact zeros pass, non-finite values fail", () => {
  assert(compareTensors([0, 0], [0, 0], 1e-4).ok);
  // an exactly-zero gradient: float32 noise on both sides passes under zeroAbs, not above it
  const z = compareTensors([3e-7, -2e-7], [1e-7, 2e-8], 1e-4, 1e-6);
  assert(z.exactZero && z.ok);
  assertEquals(z.relErr, 0);
  assert(!compareTensors([3e-6, 0], [1e-7, 0], 1e-4, 1e-6).ok);
  const bad = compareTensors([NaN, 1], [1, 1], 1e-4);
  assertEquals(bad.nonFinite, 1);
  assert(!bad.ok);
  assertThrows(() => compareTensors([1], [1, 2], 1e-4), RangeError);
});

Deno.test("extrapolateTraining: the paper's 8,249 objects x 50 epochs at batch 128", () => {
  const x = extrapolateTraining(500, 8249, 50, 128);
  assertEquals(x.stepsPerEpoch, 65);
  assertEquals(x.steps, 3250);
  assertAlmostEquals(x.minutes, 3250 * 0.5 / 60, 1e-9);
});
