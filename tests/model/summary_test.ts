import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import { summarize } from "../../lib/model/summary.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { runCli } from "../util/cli.ts";

Deno.test("summary: parameter totals equal the built models' paramCount", async () => {
  await selectBackend("cpu", { quiet: true });
  for (const name of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
    const m = createConvEntion(name);
    assertEquals(summarize(PRESETS[name]).totalParams, m.paramCount(), name);
    m.dispose();
  }
});

Deno.test("summary: paper MACs, dense form about 20 GMAC with conv2 about 17 GMAC", () => {
  const s = summarize(PRESETS.paper);
  const conv2 = s.layers.find((l) => l.name === "cnn.1.conv")!;
  assertEquals(conv2.macsDense, 33 * 5 * 13 * 13 * 5 * 5 * 3 * 64 * 128);
  // valid taps only: 9 of the 15 time taps of conv2
  assertEquals(conv2.macs, 33 * 9 * 13 * 13 * 5 * 5 * 64 * 128);
  assert(s.macsForwardDense > 20e9 && s.macsForwardDense < 21e9, `${s.macsForwardDense}`);
  assertEquals(s.flopsForward, 2 * s.macsForward);
  assertEquals(s.layers.find((l) => l.name === "bert.0.attn.m")!.output, [33, 33, 4, 9, 9]);
});

// `convention model` with read-only permissions.
const cli = (...args: string[]) =>
  runCli(["model", ...args], ["--allow-read", "--allow-env", "--allow-sys"]);

Deno.test("cli: convention model --preset paper prints layers, totals and FLOPs", async () => {
  const r = await cli("--preset", "paper");
  assertEquals(r.code, 0, r.stderr);
  assertMatch(
    r.stdout,
    /cnn\.1\.conv\s+conv3d 64->128 k\(5,5,3\).*\[33, 128, 13, 13, 5\]\s+614,528/,
  );
  assertMatch(r.stdout, /total trainable parameters: 1,253,108/);
  assertMatch(r.stdout, /FLOPs = 2 x MACs/);
  const j = await cli("--preset", "cpu", "--json");
  assertEquals(j.code, 0);
  const s = JSON.parse(j.stdout);
  assertEquals(s.preset, "cpu");
  assertEquals(s.totalParams, summarize(PRESETS.cpu).totalParams);
  const bad = await cli("--preset", "nope");
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /^error: Unknown model preset 'nope'/);
});
