import { ConventionError, UsageError } from "../../lib/errors.ts";
import { EXIT_FAILURE, EXIT_USAGE, reportError } from "../../lib/cli/util/output.ts";
import { assertEquals, assertMatch } from "../util/assert.ts";

function stderrOf(f: () => number): { code: number; text: string } {
  const lines: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    return { code: f(), text: lines.join("\n") };
  } finally {
    console.error = orig;
  }
}

Deno.test("reportError: usage, project, wasm heap and unexpected errors", () => {
  let r = stderrOf(() => reportError(new UsageError("--epochs -1", { hint: "positive" })));
  assertEquals([r.code, r.text], [EXIT_USAGE, "error: --epochs -1\nhint: positive"]);
  r = stderrOf(() => reportError(new ConventionError("bad file x.fits")));
  assertEquals([r.code, r.text], [EXIT_FAILURE, "error: bad file x.fits"]);
  r = stderrOf(() => reportError(new WebAssembly.RuntimeError("memory access out of bounds")));
  assertEquals(r.code, EXIT_FAILURE);
  assertMatch(r.text, /^error: the wasm heap \(4 GB at most\) ran out of memory: memory access/);
  assertMatch(r.text, /\nhint: use smaller batches .*evalBatchSize=8/);
  r = stderrOf(() => reportError(new TypeError("x is undefined")));
  assertEquals(r.code, EXIT_FAILURE);
  assertMatch(r.text, /^error: internal error \(please report\): TypeError: x is undefined/);
});
