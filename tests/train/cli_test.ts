import { parse } from "yaml";
import { assertEquals, assertMatch } from "../util/assert.ts";
import { cli } from "../util/cli.ts";

Deno.test("cli train --print-config: preset, options and --set overrides", async () => {
  const r = await cli(
    "train",
    "--print-config",
    "--preset",
    "tiny",
    "--epochs1",
    "3",
    "--stage",
    "2",
    "--optimizer",
    "adamw",
    "--set",
    "stage2.lr=1e-4",
    "model.options.dropout=0.2",
  );
  assertEquals(r.code, 0, r.stderr);
  const c = parse(r.stdout);
  assertEquals(c.preset, "tiny");
  assertEquals(c.stage1.epochs, 3);
  assertEquals([c.stage1.enabled, c.stage2.enabled], [false, true]);
  assertEquals(c.stage2.lr, 1e-4);
  assertEquals(c.optim.name, "adamw");
  assertEquals(c.model.options, { dropout: 0.2 });
  const d = parse((await cli("train", "--print-config")).stdout);
  assertEquals(d.preset, "cpu");
});

Deno.test("cli: bad training options and missing runs are one-line errors", async () => {
  for (
    const [args, code, re] of [
      [["train", "--set", "stage1.nope=1", "--print-config"], 2, /Unknown configuration key/],
      [["train", "--preset", "huge", "--print-config"], 2, /Unknown training preset/],
      [["train", "--stage", "3", "--print-config"], 2, /--stage 3/],
      [["eval", "--runs-dir", "/nonexistent-runs"], 1, /latest does not exist/],
      [["compare", "--models", "all", "--budget", "huge"], 2, /--budget must be cpu or paper/],
      [["compare", "runs/x", "--models", "all"], 2, /either run folders or --data/],
      [["predict", "--model", "/nonexistent-run", "x"], 1, /not found/],
    ] as [string[], number, RegExp][]
  ) {
    const r = await cli(...args);
    assertEquals(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assertMatch(r.stderr, /^error: /);
    assertMatch(r.stderr, re);
  }
});

Deno.test("cli end to end: train (stopped, resumed), eval with report, predict csv with --mc", async () => {
  const { writeTinySurvey } = await import("./fixture.ts");
  const root = await Deno.makeTempDir({ prefix: "convention-cli-" });
  try {
    await writeTinySurvey(`${root}/survey`, 6);
    const common = ["--runs-dir", `${root}/runs`, "--name", "cli"];
    const t1 = await cli(
      "train",
      "--preset",
      "tiny",
      "--backend",
      "wasm",
      "--data",
      `${root}/survey`,
      "--store",
      `${root}/store`,
      "--stop-after-epochs",
      "1",
      ...common,
    );
    assertEquals(t1.code, 0, t1.stderr);
    assertMatch(t1.stderr, /stage 1 epoch 1\/2: loss/);
    assertMatch(t1.stderr, /stopped; resume with --resume/);
    const t2 = await cli("train", "--resume", `${root}/runs/cli`, "--report", `${root}/r.html`);
    assertEquals(t2.code, 0, t2.stderr);
    assertMatch(t2.stderr, /resuming .*stage 1, 1 epoch\(s\) done/);
    assertMatch(t2.stderr, /test accuracy: \d+\.\d\d %/);
    assertMatch(t2.stdout, /\| accuracy %/);
    await Deno.stat(`${root}/r.html`);
    const ev = await cli("eval", "--runs-dir", `${root}/runs`, "--json", "--no-report");
    assertEquals(ev.code, 0, ev.stderr);
    assertEquals(typeof JSON.parse(ev.stdout).accuracy, "number");
    const pr = await cli(
      "predict",
      "--model",
      "cli",
      "--runs-dir",
      `${root}/runs`,
      "--format",
      "csv",
      "--mc",
      "3",
      `${root}/survey`,
    );
    assertEquals(pr.code, 0, pr.stderr);
    const lines = pr.stdout.trim().split("\n");
    assertEquals(lines.length, 1 + 24);
    assertMatch(lines[0]!, /^object_id,label,predicted,frames,p_AGN,.*,mc_predicted,mc_mean_AGN/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
