/**
 * No function in `lib/` is over 100 lines (from its first token to its
 * closing brace, nested functions included; the TypeScript parser finds them).
 */
import { functionLengths, tsFiles } from "./function_lengths.ts";
import { assertEquals } from "../util/assert.ts";

const ROOT = new URL("../../", import.meta.url);
const MAX_LINES = 100;

/**
 * TEMPORARY: functions over the limit that other branches are splitting in
 * parallel (helpers "rel", "eval", "sim"), or that sit in files they edit
 * (the last three, not yet assigned). The lead empties this list at merge;
 * an entry that is no longer over the limit fails the test, so it can only
 * shrink.
 */
const BEING_SPLIT_ELSEWHERE = new Set([
  "lib/fits/compressed.ts decodeCompressedImage",
  "lib/fits/verify.ts checkHeader",
  "lib/fits/read.ts readHdus",
  "lib/fits/header.ts parseValueRange",
  "lib/data/ingest.ts ingest",
  "lib/cli/predict.ts registerPredict",
  "lib/cli/train.ts registerTrain",
  "lib/train/train.ts train",
  "lib/eval/evaluate.ts evaluateRun",
  "lib/simulate/survey.ts simulateSurvey",
  "lib/simulate/params.ts drawObjectParams",
  // Not assigned to anyone; in files other helpers edit (lib/simulate, lib/survey/ztf_*).
  "lib/simulate/object.ts renderObject",
  "lib/survey/ztf_series.ts groupAlertSeries",
  "lib/survey/ztf_source.ts alertSource",
]);

Deno.test(`functions: none in lib/ over ${MAX_LINES} lines`, async () => {
  const long: string[] = [];
  for (const f of await tsFiles(ROOT, "lib")) {
    for (const fn of functionLengths(f, await Deno.readTextFile(new URL(f, ROOT)))) {
      if (fn.lines > MAX_LINES) long.push(`${f} ${fn.name}`);
    }
  }
  const offenders = long.filter((k) => !BEING_SPLIT_ELSEWHERE.has(k));
  assertEquals(offenders, [], `split these by their concerns: ${offenders.join("; ")}`);
  const stale = [...BEING_SPLIT_ELSEWHERE].filter((k) => !long.includes(k));
  assertEquals(stale, [], "no longer over the limit: remove from BEING_SPLIT_ELSEWHERE");
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
