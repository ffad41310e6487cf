/**
 * Issue 14 §3 findings 8-10 and 12 through the CLI as a user runs it: bad
 * option values and unwritable outputs are one `error:` line (exit 2 for
 * usage, 1 naming the path for I/O); empty inputs say nothing was found;
 * option values need no environment access; one exit-code convention.
 */
import { parseChoice, parseInteger, parseNumber } from "../../lib/cli/util/options.ts";
import { UsageError } from "../../lib/errors.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "../util/assert.ts";
import { cli, runCli } from "../util/cli.ts";

/**
 * Asserts one `error:` line (plus an optional `hint:` line; with `progress`,
 * after the verb's progress lines) and the exit code.
 */
function oneLine(
  r: { code: number; stderr: string },
  code: number,
  re: RegExp,
  what: string,
  progress = false,
) {
  assertEquals(r.code, code, `${what}: ${r.stderr}`);
  const lines = r.stderr.trim().split("\n").filter((l) =>
    !l.startsWith("hint: ") && (!progress || l.startsWith("error"))
  );
  assertEquals(lines.length, 1, `${what}: ${r.stderr}`);
  assertMatch(lines[0]!, /^error: /, what);
  assertMatch(lines[0]!, re, what);
  assert(!/\s+at .*\.ts:\d+/.test(r.stderr), `${what}: a stack trace: ${r.stderr}`);
}

Deno.test("options: integers, numbers and choices parsed strictly, errors name the option", () => {
  assertEquals(parseInteger("seed", "42"), 42);
  assertEquals(parseInteger("seed", "-3"), -3);
  assertEquals(parseNumber("lr1", "3e-4"), 3e-4);
  assertEquals(parseNumber("lr1", ".5"), 0.5);
  assertEquals(parseChoice("format", "csv", ["jsonl", "csv"]), "csv");
  for (const bad of ["1.5", "abc", "", "1e3", "0x10", "9007199254740993"]) {
    assertThrows(() => parseInteger("batch-size", bad), UsageError, /--batch-size/);
  }
  for (const bad of ["abc", "Infinity", "NaN", "1,5", ""]) {
    assertThrows(() => parseNumber("lr1", bad), UsageError, /is not a number/);
  }
  assertThrows(
    () => parseInteger("mc", "-1", { min: 0 }),
    UsageError,
    /--mc -1: expected an integer >= 0/,
  );
  assertThrows(
    () => parseChoice("format", "xml", ["jsonl", "csv"]),
    UsageError,
    /not jsonl or csv/,
  );
});

Deno.test("cli: bad option values are one line and exit 2 (finding 8)", async () => {
  const cases: [string[], RegExp][] = [
    [["train", "--batch-size", "1.5", "--print-config"], /--batch-size "1\.5" is not an integer/],
    [["train", "--lr1", "abc", "--print-config"], /--lr1 "abc" is not a number/],
    [["train", "--seed", "abc", "--print-config"], /--seed "abc" is not an integer/],
    [["train", "--batch-size", "0", "--print-config"], /--batch-size 0: expected an integer >= 1/],
    [["predict", "-m", "x", "--mc", "-1", "in"], /--mc -1: expected an integer >= 0/],
    [["predict", "-m", "x", "--batch-size", "0", "in"], /--batch-size 0/],
    [["predict", "-m", "x", "--format", "xml", "in"], /--format xml is not jsonl or csv/],
    [["simulate", "--out", "x", "--objects", "ten"], /--objects "ten" is not an integer/],
    [["ingest", "x", "--size", "0"], /--size 0: expected an integer from 1 to 4096/],
    [["eval", "--gallery", "-2"], /--gallery -2/],
    [["model", "--classes", "1"], /--classes 1: expected an integer >= 2/],
    [["alerts", "series", "x", "--size", "big"], /--size "big" is not an integer/],
    [["compare", "--seed", "1.5"], /--seed "1\.5" is not an integer/],
  ];
  for (const [args, re] of cases) oneLine(await cli(...args), 2, re, args.join(" "));
});

Deno.test("cli: unwritable outputs and --out naming a file exit 1 naming the path (finding 8)", async () => {
  // A path below a plain file cannot be created, whoever runs the test (root included).
  const dir = await Deno.makeTempDir({ prefix: "cli_unwritable_" });
  try {
    const file = `${dir}/plain-file`;
    await Deno.writeTextFile(file, "not a folder\n");
    const survey = `${dir}/s82`;
    const sim = await cli("simulate", "--out", survey, "--objects", "4", "--size", "16", "--quiet");
    assertEquals(sim.code, 0, sim.stderr);
    const bad = `${file}/sub`;
    const cases: [string[], RegExp][] = [
      [["simulate", "--out", bad, "--objects", "4", "--quiet"], /output folder .*plain-file\/sub/],
      [["ingest", survey, "--out", bad, "-q"], /store folder .*plain-file\/sub/],
      [["ingest", survey, "--out", file, "-q"], /store path .*plain-file is an existing file/],
      [
        ["ingest", survey, "--out", `${dir}/st`, "--report", `${bad}/r.json`, "-q"],
        /folder of the report file .*plain-file\/sub/,
      ],
      [["train", "--runs-dir", bad, "--data", survey], /runs folder .*plain-file\/sub/],
      [
        ["eval", "--runs-dir", `${dir}/runs`, "--report", `${bad}/r.html`],
        /folder of the report file .*plain-file\/sub/,
      ],
    ];
    for (const [args, re] of cases) oneLine(await cli(...args), 1, re, args.join(" "));
    // A folder the process may not write (Deno's permissions, as a read-only folder would).
    const denied = await runCli(
      ["ingest", survey, "--out", `${dir}/denied`, "-q"],
      ["--allow-read", `--allow-write=${dir}/elsewhere`, "--allow-env", "--allow-sys"],
    );
    oneLine(denied, 1, /Cannot write the store folder .*denied/, "ingest without write access");
    if (Deno.uid() !== 0) { // root writes into read-only folders
      const ro = `${dir}/read-only`;
      await Deno.mkdir(ro, { mode: 0o555 });
      const r = await cli("simulate", "--out", `${ro}/s`, "--objects", "4", "--quiet");
      oneLine(
        r,
        1,
        /Cannot write the output folder .*read-only\/s/,
        "simulate into a read-only folder",
      );
      await Deno.chmod(ro, 0o755);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: empty inputs say that nothing was found, exit 1 (finding 9)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cli_empty_" });
  try {
    const empty = `${dir}/empty`;
    await Deno.mkdir(empty);
    oneLine(await cli("alerts", "info", empty), 1, /No alert packet file was found/, "alerts info");
    oneLine(await cli("alerts", "series", empty), 1, /No alert packet file was found/, "series");
    oneLine(await cli("ingest", empty, "-q"), 1, /No object was found in .*empty/, "ingest");
    oneLine(
      await cli("train", "--data", empty, "--runs-dir", `${dir}/runs`, "--cache-dir", `${dir}/c`),
      1,
      /No object was found in .*empty/,
      "train --data EMPTY",
      true,
    );
    // No run was created for it.
    const runs = await Array.fromAsync(Deno.readDir(`${dir}/runs`)).catch(() => []);
    assertEquals(runs.map((e) => e.name), []);
    oneLine(await cli("fits", "info", `${empty}/none.fits`), 1, /None of the 1 files/, "fits info");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: a string option value needs no environment access (finding 10)", async () => {
  const r = await runCli(
    ["train", "--name", "abc", "--set", "data.source=some/folder", "--print-config"],
    ["--allow-read"],
  );
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /^name: abc$/m);
  assertMatch(r.stdout, /^ {2}source: some\/folder$/m);
});

Deno.test("cli: exit codes: skipped inputs exit 0 with a count, --strict exits 1 (finding 12)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cli_strict_" });
  try {
    const good = "fixtures/fits/corpus/gen_bitpix16.fits";
    const bad = `${dir}/bad.fits`;
    await Deno.writeTextFile(bad, "SIMPLE  = nonsense\n");
    const r = await cli("fits", "info", good, bad);
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stderr, /1 of 2 files not read \(skipped\)/);
    const s = await cli("fits", "info", "--strict", good, bad);
    assertEquals(s.code, 1, s.stderr);
    const alerts = "fixtures/ztf/alerts";
    const a = await cli("alerts", "info", alerts, bad);
    assertEquals(a.code, 0, a.stderr);
    assertMatch(a.stdout, /1 files not read/);
    assertEquals((await cli("alerts", "info", "--strict", alerts, bad)).code, 1);
    assertEquals((await cli("alerts", "series", "--strict", alerts, bad)).code, 1);
    assertEquals((await cli("alerts", "series", alerts, bad)).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
