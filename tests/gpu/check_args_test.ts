import { parseCheckArgs } from "../../tasks/gpu/check_args.ts";
import { assertEquals, assertThrows } from "../util/assert.ts";

Deno.test("parseCheckArgs: GPU defaults are the paper sizes, rehearsal defaults are tiny", () => {
  const g = parseCheckArgs([], (k) => (k === "OUT" ? "/out" : undefined));
  assertEquals(g.command, "run");
  assertEquals(g.mode, "gpu");
  assertEquals(g.sizes, "full");
  assertEquals(g.out, "/out");
  assertEquals(g.batches, [32, 128]);
  assertEquals(g.tuneBatch, 32);
  const r = parseCheckArgs(["run", "--mode", "rehearse"], () => undefined);
  assertEquals(r.sizes, "tiny");
  assertEquals(r.out, ".gpu/out");
  assertEquals(r.batches, [2, 4]);
  assertEquals(r.tuneBatch, 2);
});

Deno.test("parseCheckArgs reads every option", () => {
  const o = parseCheckArgs([
    "probe",
    "--out",
    "o",
    "--mode",
    "rehearse",
    "--sizes",
    "full",
    "--budget-s",
    "90",
    "--torch-json",
    "t.json",
    "--batches",
    "8,16",
    "--tune-batch",
    "8",
  ]);
  assertEquals(o, {
    command: "probe",
    mode: "rehearse",
    sizes: "full",
    out: "o",
    budgetS: 90,
    torchJson: "t.json",
    batches: [8, 16],
    tuneBatch: 8,
  });
});

Deno.test("parseCheckArgs rejects bad values", () => {
  assertThrows(() => parseCheckArgs(["go"]), RangeError);
  assertThrows(() => parseCheckArgs(["--mode", "cpu"]), RangeError);
  assertThrows(() => parseCheckArgs(["--budget-s", "-3"]), RangeError);
  assertThrows(() => parseCheckArgs(["--batches", "8,x"]), RangeError);
  assertThrows(() => parseCheckArgs(["--out"]), RangeError);
  assertThrows(() => parseCheckArgs(["--bogus", "1"]), RangeError);
});
