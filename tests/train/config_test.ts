import { assertEquals, assertMatch, assertThrows } from "../util/assert.ts";
import {
  applyOverrides,
  configFromYaml,
  configToYaml,
  loadConfigFile,
  TRAIN_PRESETS,
  trainPreset,
} from "../../lib/train/config.ts";
import { UsageError } from "../../lib/errors.ts";

Deno.test("config: paper preset is the paper's training", () => {
  const c = trainPreset("paper");
  assertEquals(c.optim.name, "adam");
  assertEquals(c.loss.name, "cross-entropy");
  assertEquals(c.batchSize, 128);
  assertEquals([c.stage1.lr, c.stage2.lr], [1e-3, 1e-3]);
  assertEquals([c.stage1.enabled, c.stage2.enabled], [true, true]);
  assertEquals(c.select, "macro-f1");
  assertEquals(trainPreset("paper-g").data.bands, ["g"]);
});

Deno.test("config: YAML round trip and the shipped configs/*.yaml equal the presets", async () => {
  for (const name of Object.keys(TRAIN_PRESETS)) {
    const c = trainPreset(name);
    assertEquals(configFromYaml(configToYaml(c), "x"), c);
  }
  for (const name of ["paper", "paper-g", "cpu"]) {
    assertEquals(await loadConfigFile(`configs/${name}.yaml`), trainPreset(name), name);
  }
});

Deno.test("config: overrides are typed; unknown keys and bad values are usage errors", () => {
  const c = applyOverrides(trainPreset("cpu"), [
    "stage1.epochs=3",
    "stage2.lr=1e-4",
    "data.bands=[g, r]",
    "model.options.dropout=0.3",
    "name=abc",
  ]);
  assertEquals(c.stage1.epochs, 3);
  assertEquals(c.stage2.lr, 1e-4);
  assertEquals(c.data.bands, ["g", "r"]);
  assertEquals(c.model.options, { dropout: 0.3 });
  assertEquals(c.name, "abc");
  assertThrows(
    () => applyOverrides(c, ["stage1.epoch=3"]),
    UsageError,
    /Unknown configuration key/,
  );
  assertThrows(() => applyOverrides(c, ["noequals"]), UsageError);
  assertThrows(() => configFromYaml("stage1: {epochs: 0}", "f.yaml"), UsageError, /stage1.epochs/);
  assertThrows(() => configFromYaml("optim: {name: sgd}", "f.yaml"), UsageError, /optim.name/);
  // data.stamps: written to a run's config.yaml and read back; older files without it: science.
  const masked = applyOverrides(c, ["data.stamps=host-masked"]);
  assertEquals(configFromYaml(configToYaml(masked), "x").data.stamps, "host-masked");
  assertEquals(configFromYaml("seed: 2", "old.yaml").data.stamps, "science");
  assertThrows(() => configFromYaml("data: {stamps: raw}", "f.yaml"), UsageError, /data.stamps/);
  assertThrows(
    () => configFromYaml("foo: 1", "f.yaml"),
    UsageError,
    /unknown configuration key "foo"/,
  );
  const e = assertThrows(
    () => configFromYaml("stage1: {enabled: false}\nstage2: {enabled: false}", "f.yaml"),
    UsageError,
  );
  assertMatch(e.message, /Both stages are disabled/);
  assertThrows(() => trainPreset("nope"), UsageError, /presets: paper/);
});
