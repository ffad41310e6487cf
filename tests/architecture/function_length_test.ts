/**
 * No function in `lib/` is over 100 lines (from its first token to its
 * closing brace, nested functions included; the TypeScript parser finds them).
 */
import { functionLengths, tsFiles } from "./function_lengths.ts";
import { assertEquals } from "../util/assert.ts";

const ROOT = new URL("../../", import.meta.url);
const MAX_LINES = 100;

Deno.test(`functions: none in lib/ over ${MAX_LINES} lines`, async () => {
  const long: string[] = [];
  for (const f of await tsFiles(ROOT, "lib")) {
    for (const fn of functionLengths(f, await Deno.readTextFile(new URL(f, ROOT)))) {
      if (fn.lines > MAX_LINES) long.push(`${f} ${fn.name}`);
    }
  }
  assertEquals(long, [], `split these by their concerns: ${long.join("; ")}`);
});

Deno.test("functions: lengths of declarations, methods, arrows and nested functions", () => {
  const src = [
    "/** Doc. */", // 1: not counted
    "export function outer(a: number): number {", // 2
    "  const inner = (b: number) => {", // 3
    "    return b + 1;", // 4
    "  };", // 5
    "  return inner(a);", // 6
    "}", // 7
    "class K {", // 8
    "  m(): void {}", // 9
    "  constructor() {", // 10
    "  }", // 11
    "}", // 12
    "const o = { f: function () { return 1; } };", // 13
    "declare function bodiless(): void;", // 14: no body, not counted
  ].join("\n");
  assertEquals(
    functionLengths("x.ts", src).map((f) => [f.name, f.line, f.lines]),
    [["outer", 2, 6], ["inner", 3, 3], ["K.m", 9, 1], ["K.constructor", 10, 2], ["f", 13, 1]],
  );
});
