import { PRESETS } from "../../lib/model/config.ts";
import { assertEquals } from "../util/assert.ts";

// fixtures/model/presets.json: the presets as they were written out field by field
// before they became `{ ...PAPER, what differs }` (commit d3512d3, printed with JSON.stringify).
const before = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/model/presets.json", import.meta.url)),
);

Deno.test("presets: written as differences from paper, they resolve to the same values", () => {
  assertEquals(Object.keys(PRESETS), Object.keys(before));
  for (const name of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
    assertEquals(JSON.parse(JSON.stringify(PRESETS[name])), before[name], name);
  }
});

Deno.test("presets: cpu and tiny differ from paper only in size", () => {
  const differs = (name: keyof typeof PRESETS) =>
    Object.keys(PRESETS.paper).filter((k) =>
      JSON.stringify(PRESETS[name][k as keyof typeof PRESETS.paper]) !==
        JSON.stringify(PRESETS.paper[k as keyof typeof PRESETS.paper])
    );
  assertEquals(differs("paper-g"), ["bands"]);
  assertEquals(differs("cpu"), ["stamp", "length", "cnn", "dense"]);
  assertEquals(differs("tiny"), ["stamp", "length", "cnn", "d", "heads", "ffHidden", "dense"]);
});
