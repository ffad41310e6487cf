import { parseCheckArgs } from "../../tasks/gpu/check_args.ts";
import { assertEquals, assertThrows } from "../util/assert.ts";

Deno.test("parseCheckArgs: GPU defaults are the paper sizes, rehearsal defaults are tiny", () => {
  const g = parseCheckArgs([], (k) => (k === "OUT" ? "/out" : undefined), 16);
  assertEquals(g.command, "run");
  assertEquals(g.mode, "gpu");
  assertEquals(g.sizes, "full");
  assertEquals(g.out, "/out");
  assertEquals(g.batches, [32, 128]);
  assertEquals(g.objects, 2000);
  assertEquals(g.workers, 8);
  const r = parseCheckArgs(["run", "--mode", "rehearse"], () => undefined, 2);
  assertEquals(r.sizes, "tiny");
  assertEquals(r.out, ".gpu/out");
  assertEquals(r.workers, 1);
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
    "--objects",
    "50",
    "--workers",
    "3",
    "--batches",
    "8,16",
    "--train-batch",
    "8",
  ]);
  assertEquals(o, {
    command: "probe",
    mode: "rehearse",
    sizes: "full",
    out: "o",
    budgetS: 90,
    torchJson: "t.json",
    objects: 50,
    workers: 3,
    batches: [8, 16],
    trainBatch: 8,
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
