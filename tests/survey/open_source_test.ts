import { assertEquals, assertThrows } from "../util/assert.ts";
import {
  detectSourceKind,
  openSource,
  registerSource,
  sourceKinds,
} from "../../lib/survey/open_source.ts";
import { memorySource } from "../../lib/survey/source.ts";
import { UsageError } from "../../lib/errors.ts";

Deno.test("open source: kinds detected from the input; custom kinds and detectors plug in", async () => {
  const dir = await Deno.makeTempDir({ prefix: "convention-open-" });
  try {
    await Deno.mkdir(`${dir}/sim`);
    await Deno.writeTextFile(`${dir}/sim/catalog.csv`, "object_id,class,confirmed,file\n");
    await Deno.mkdir(`${dir}/stamps`);
    await Deno.writeTextFile(`${dir}/m.csv`, "object_id,file\n");
    await Deno.writeTextFile(`${dir}/x.txt`, "");
    assertEquals(detectSourceKind(`${dir}/sim`), "simulated");
    assertEquals(detectSourceKind(`${dir}/stamps`), "folder");
    assertEquals(detectSourceKind(`${dir}/m.csv`), "manifest");
    assertThrows(() => detectSourceKind(`${dir}/x.txt`), UsageError);
    assertThrows(() => detectSourceKind(`${dir}/none`), UsageError, /does not exist/);
    assertThrows(() => openSource("nope", `${dir}/sim`), UsageError, /Unknown source kind/);
    assertEquals(openSource("auto", `${dir}/sim`).count, 0);
    // A new kind with a detector.
    registerSource(
      "test-kind",
      () => memorySource([], "test"),
      (input, info) => info.isDirectory && input.endsWith("stamps"),
    );
    assertEquals(sourceKinds().includes("test-kind"), true);
    assertEquals(detectSourceKind(`${dir}/stamps`), "test-kind");
    assertEquals(openSource("auto", `${dir}/stamps`).description, "test");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
