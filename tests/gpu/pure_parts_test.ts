import { looksNvidia } from "../../tasks/gpu/adapter.ts";
import { syntheticBatch } from "../../tasks/bench/step_setup.ts";
import { formatMiB } from "../../tasks/gpu/pack_plan.ts";
import { assert, assertEquals } from "../util/assert.ts";

Deno.test("looksNvidia: names and the PCI vendor id, not llvmpipe", () => {
  assert(looksNvidia("4318", "", "NVIDIA H100 80GB HBM3"));
  assert(looksNvidia("", "", "", "nvidia"));
  assert(looksNvidia("0x10de"));
  assert(!looksNvidia("65541", "", "0", "llvmpipe (LLVM 15.0.6, 256 bits)"));
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

Deno.test("formatMiB", () => {
  assertEquals(formatMiB(31 * 1024 * 1024), "31.0 MiB");
});
