/**
 * The baselines join the model registry where the program is composed
 * (lib/compare/register_baselines.ts), and data-parallel replica workers,
 * which live in lib/train below it, still build them: each entry names the
 * module that registers it.
 */
import { selectBackend } from "../../lib/train/backend.ts";
import { DataParallel } from "../../lib/train/data_parallel.ts";
import { getModel, modelNames, type ModelSpec } from "../../lib/train/models.ts";
import "../../lib/compare/register_baselines.ts";
import { assertEquals } from "../util/assert.ts";
import { runCli } from "../util/cli.ts";

const BASELINES = ["cnn-lstm", "cnn-gru", "supernnova", "supernnova-bayes", "sits-bert", "scone"];

Deno.test("registry: the six baselines are registered, each naming its registering module", () => {
  assertEquals(BASELINES.filter((n) => modelNames().includes(n)), BASELINES);
  for (const name of BASELINES) {
    assertEquals(
      getModel(name).module,
      new URL("../../lib/compare/register_baselines.ts", import.meta.url).href,
      name,
    );
  }
  assertEquals(getModel("convention").module, undefined);
});

Deno.test("registry: a cnn-gru replica worker builds the model from its entry's module", async () => {
  await selectBackend("wasm", { quiet: true });
  const spec: ModelSpec = {
    preset: "tiny",
    options: {},
    numClasses: 4,
    bands: ["g", "r"],
    seed: 1,
  };
  const model = getModel("cnn-gru").create(spec);
  const weightNames = [...model.weights().keys()];
  model.dispose();
  const dp = await DataParallel.start({ replicas: 2, model: "cnn-gru", spec, weightNames });
  assertEquals(dp.replicas, 2);
  dp.close();
});

Deno.test("registry: `train --help` lists every registered model with its presets", async () => {
  const { code, stdout } = await runCli(["train", "--help"]);
  assertEquals(code, 0);
  const help = stdout.replace(/\s+/g, " ");
  for (
    const name of [
      "convention (paper, paper-g, cpu, tiny)",
      ...BASELINES.map((n) => `${n} (paper, cpu, tiny)`),
    ]
  ) {
    assertEquals(help.includes(name), true, `${name} missing from: ${help}`);
  }
});
