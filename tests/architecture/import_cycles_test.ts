/**
 * The import structure of `lib/` (docs/ARCHITECTURE.md): no cycle between
 * files or packages, every package above the packages it imports, and the
 * model's kernels (`lib/model/ops/`) below the rest of the model.
 */
import {
  cycles,
  graphFromInfo,
  type ImportGraph,
  libImportGraph,
  packageGraph,
} from "./import_graph.ts";
import { layerOf, LAYERS } from "./layers.ts";
import { assertEquals } from "../util/assert.ts";

const ROOT = new URL("../../", import.meta.url);
const graph = await libImportGraph(ROOT);

Deno.test("imports: the graph covers lib/ (deno info read every file)", () => {
  for (const f of ["errors.ts", "model/convention.ts", "train/train.ts", "cli/train.ts"]) {
    assertEquals(graph.has(f), true, f);
  }
  assertEquals(graph.get("model/convention.ts")!.has("model/config.ts"), true);
});

Deno.test("imports: no cycle between files of lib/", () => {
  const found = cycles(graph);
  assertEquals(found, [], `files importing each other: ${JSON.stringify(found)}`);
});

Deno.test("imports: no cycle between packages of lib/", () => {
  assertEquals(cycles(packageGraph(graph)), []);
});

Deno.test("imports: every package imports only packages of lower layers", () => {
  const wrong: string[] = [];
  for (const [from, tos] of packageGraph(graph)) {
    if (layerOf(from) < 0) {
      wrong.push(
        `${from} is in no layer: add it to tests/architecture/layers.ts and ARCHITECTURE.md`,
      );
      continue;
    }
    for (const to of tos) {
      if (!(layerOf(to) >= 0 && layerOf(to) < layerOf(from))) {
        const file = [...graph].find(([f, ts]) =>
          f.startsWith(`${from}/`) && [...ts].some((t) => t.startsWith(`${to}/`) || t === to)
        )?.[0];
        wrong.push(`${from} imports ${to} (e.g. lib/${file})`);
      }
    }
  }
  assertEquals(wrong, [], `layers, lowest first: ${JSON.stringify(LAYERS)}`);
});

Deno.test("imports: lib/model/ops (the kernels) imports no other file of lib/", () => {
  const wrong = [...graph].flatMap(([f, tos]) =>
    f.startsWith("model/ops/")
      ? [...tos].filter((t) => !t.startsWith("model/ops/")).map((t) => `${f} -> ${t}`)
      : []
  );
  assertEquals(wrong, []);
});

Deno.test("imports: the cycle finder finds file and package cycles", () => {
  const g: ImportGraph = new Map([
    ["a/x.ts", new Set(["a/y.ts"])],
    ["a/y.ts", new Set(["b/z.ts"])],
    ["b/z.ts", new Set(["a/x.ts", "b/w.ts"])],
    ["b/w.ts", new Set(["b/w.ts"])],
    ["c/v.ts", new Set(["a/x.ts"])],
  ]);
  assertEquals(cycles(g), [["a/x.ts", "a/y.ts", "b/z.ts"], ["b/w.ts"]]);
  assertEquals(cycles(packageGraph(g)), [["a", "b"]]);
  const lib = new URL("file:///r/lib/");
  const info = {
    modules: [{
      specifier: "file:///r/lib/a/x.ts",
      dependencies: [
        { code: { specifier: "file:///r/lib/a/y.ts" } },
        { type: { specifier: "file:///r/lib/b/t.ts" } },
        { code: { specifier: "npm:/yaml@2.9.1" } },
      ],
    }],
  };
  assertEquals(graphFromInfo(info, lib), new Map([["a/x.ts", new Set(["a/y.ts", "b/t.ts"])]]));
});
