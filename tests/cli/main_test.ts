import { assertEquals, assertMatch } from "../util/assert.ts";
import { cli } from "../util/cli.ts";

Deno.test("cli: --help lists every verb and exits 0", async () => {
  const r = await cli("--help");
  assertEquals(r.code, 0);
  for (
    const verb of ["simulate", "ingest", "train", "eval", "compare", "predict", "fits", "model"]
  ) {
    assertMatch(r.stdout, new RegExp(`\\b${verb}\\b`));
  }
});

Deno.test("cli: --version prints the deno.json version", async () => {
  const r = await cli("--version");
  const json = JSON.parse(await Deno.readTextFile("deno.json"));
  assertEquals(r.code, 0);
  assertEquals(r.stdout.trim(), json.version);
});

Deno.test("cli: usage errors exit 2 with one line", async () => {
  for (const args of [["no-such-verb"], ["fits", "--no-such-option"]]) {
    const r = await cli(...args);
    assertEquals(r.code, 2);
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assertMatch(r.stderr, /^error: /);
  }
});
