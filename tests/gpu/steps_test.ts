import { extrapolate, looksNvidia, type SpeedRun } from "../../tasks/gpu/steps.ts";
import { syntheticBatch } from "../../tasks/bench/step_setup.ts";
import { compareTensors, median } from "../../tasks/bench/shared.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../util/assert.ts";

Deno.test("looksNvidia: names and the PCI vendor id, not llvmpipe", () => {
  assert(looksNvidia("4318", "", "NVIDIA H100 80GB HBM3"));
  assert(looksNvidia("", "", "", "nvidia"));
  assert(looksNvidia("0x10de"));
  assert(!looksNvidia("65541", "", "0", "llvmpipe (LLVM 15.0.6, 256 bits)"));
});

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

Deno.test("compareTensors: exact zeros, non-finite values and missing values", () => {
  assert(compareTensors([0, 0], [0, 0]).ok);
  // an exactly-zero gradient: float32 noise on both sides passes under 1e-6, not above it
  const z = compareTensors([3e-7, -2e-7], [1e-7, 2e-8]);
  assert(z.exactZero && z.ok);
  assertEquals(z.relErr, 0);
  assert(!compareTensors([3e-6, 0], [1e-7, 0]).ok);
  assert(!compareTensors([NaN, 1], [1, 1]).ok);
  assert(!compareTensors([Infinity, 1], [1, 1]).ok);
  assert(!compareTensors([1], [1, 2]).ok);
  assert(!compareTensors([], [1]).ok);
});

function speed(batch: number, medianMs: number, error?: string): SpeedRun {
  return {
    batch,
    warmupMs: [],
    stepMs: [medianMs],
    medianMs,
    meanMsSynced: medianMs,
    objectsPerS: batch / medianMs * 1000,
    tfMemory: { numTensors: 0, numDataBuffers: 0, numBytes: 0, reasons: [] },
    error,
  };
}

Deno.test("extrapolate: the paper's 8,249 objects x 50 epochs at batch 128", () => {
  const x = extrapolate([speed(32, 100), speed(128, 500)])!;
  assertEquals([x.fromBatch, x.steps], [128, 3250]);
  assertAlmostEquals(x.minutes, 3250 * 0.5 / 60, 1e-9);
  assertEquals(x.meetsGoal, true);
  // without batch 128: the largest batch timed without error, scaled by 128 / batch
  const y = extrapolate([speed(32, 100), speed(64, 300), speed(128, NaN, "out of memory")])!;
  assertEquals([y.fromBatch, y.msPerStep], [64, 600]);
  assertEquals(extrapolate([speed(128, NaN, "boom")]), null);
});

Deno.test("syntheticBatch is deterministic, pads the tail with band 0, mask 0 and zero frames", () => {
  const a = syntheticBatch(3, 8, 4, 5);
  const b = syntheticBatch(3, 8, 4, 5);
  assertEquals([...a.bands], [...b.bands]);
  assertEquals([...a.frames.slice(0, 16)], [...b.frames.slice(0, 16)]);
  for (let r = 0; r < 3; r++) {
    let seenPad = false;
    for (let t = 0; t < 8; t++) {
      const band = a.bands[r * 8 + t]!;
      assertEquals(a.mask[r * 8 + t], band === 0 ? 0 : 1);
      if (band === 0) {
        seenPad = true;
        assert(a.frames.subarray((r * 8 + t) * 16, (r * 8 + t + 1) * 16).every((v) => v === 0));
      } else {
        assert(!seenPad, "padding only at the end");
        assert(band >= 1 && band <= 5);
      }
    }
    assert(a.labels[r]! >= 0 && a.labels[r]! < 4);
  }
});
