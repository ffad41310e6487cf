import { looksNvidia } from "../../tasks/gpu/adapter.ts";
import { syntheticInput } from "../../tasks/gpu/inputs.ts";
import { bandStats, normalizeInPlace } from "../../tasks/gpu/norm.ts";
import { shareIndices, workerUrl } from "../../tasks/gpu/sim_pool.ts";
import { accuracies } from "../../tasks/gpu/stats.ts";
import { formatMiB } from "../../tasks/gpu/pack_plan.ts";
import { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";

Deno.test("looksNvidia: names and the PCI vendor id, not llvmpipe", () => {
  assert(looksNvidia("4318", "", "NVIDIA H100 80GB HBM3"));
  assert(looksNvidia("", "", "", "nvidia"));
  assert(looksNvidia("0x10de"));
  assert(!looksNvidia("65541", "", "0", "llvmpipe (LLVM 15.0.6, 256 bits)"));
});

Deno.test("syntheticInput is deterministic, pads the tail with band 0 and zero frames", () => {
  const a = syntheticInput(3, 8, 4, 5);
  const b = syntheticInput(3, 8, 4, 5);
  assertEquals([...a.bands], [...b.bands]);
  assertEquals([...a.frames.slice(0, 16)], [...b.frames.slice(0, 16)]);
  for (let r = 0; r < 3; r++) {
    let seenPad = false;
    for (let t = 0; t < 8; t++) {
      const band = a.bands[r * 8 + t]!;
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

Deno.test("bandStats/normalizeInPlace: per-band mean 0 and std 1 on the rows used, padding stays 0", () => {
  const l = 3, px = 2;
  // two objects: bands [1, 2, 0] and [1, 1, 0]
  const bands = new Int32Array([1, 2, 0, 1, 1, 0]);
  const frames = new Float32Array([1, 3, 10, 10, 0, 0, 5, 7, 1, 3, 0, 0]);
  const s = bandStats(frames, bands, l, px, [0, 1], 5);
  assertAlmostEquals(s.mean[0]!, (1 + 3 + 5 + 7 + 1 + 3) / 6, 1e-12);
  assertEquals(s.mean[1], 10);
  assertEquals(s.std[1], 1); // no spread -> 1
  assertEquals(s.std[2], 1); // no pixel -> 1
  normalizeInPlace(frames, bands, l, px, s);
  const b1 = [0, 1, 6, 7, 8, 9].map((i) => frames[i]!);
  assertAlmostEquals(b1.reduce((a, x) => a + x, 0) / 6, 0, 1e-6);
  assertAlmostEquals(Math.sqrt(b1.reduce((a, x) => a + x * x, 0) / 6), 1, 1e-6);
  assertEquals([frames[4], frames[5], frames[10], frames[11]], [0, 0, 0, 0]);
});

Deno.test("shareIndices interleaves and drops empty shares", () => {
  assertEquals(shareIndices(5, 2), [[0, 2, 4], [1, 3]]);
  assertEquals(shareIndices(2, 4), [[0], [1]]);
});

Deno.test("workerUrl picks the bundled worker next to check.js", () => {
  assertEquals(workerUrl("file:///x/.gpu/check.js").href, "file:///x/.gpu/sim_worker.js");
  assertEquals(
    workerUrl("file:///x/tasks/gpu/sim_pool.ts").href,
    "file:///x/tasks/gpu/sim_worker.ts",
  );
});

Deno.test("accuracies: plain and balanced", () => {
  const r = accuracies([0, 0, 1, 1], [0, 0, 0, 1], 4);
  assertEquals(r.accuracy, 0.75);
  assertAlmostEquals(r.balanced, (2 / 3 + 1) / 2, 1e-12);
});

Deno.test("formatMiB", () => {
  assertEquals(formatMiB(31 * 1024 * 1024), "31.0 MiB");
});
