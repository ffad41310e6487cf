import { assertEquals, assertRejects } from "../util/assert.ts";
import { markRunFailed, updateRunInfo } from "../../lib/train/run_info.ts";
import { openRun } from "../../lib/train/open_run.ts";
import { readRunInfo, type RunInfo, writeRunInfo } from "../../lib/train/run_dir.ts";
import { configToYaml, trainPreset } from "../../lib/train/config.ts";
import { ConventionError, UsageError } from "../../lib/errors.ts";

function info(): RunInfo {
  return {
    version: 1,
    name: "r",
    model: "convention",
    modelLabel: "ConvEntion",
    preset: "tiny",
    input: "images",
    classes: ["a", "b"],
    bands: ["g"],
    parameters: 1,
    store: "s",
    stampSize: 8,
    backend: "wasm",
    status: "running",
    trainTimeS: 0,
    started: "2026-01-01T00:00:00.000Z",
    updated: "2026-01-01T00:00:00.000Z",
    stagesDone: [],
  };
}

Deno.test("run info: one update for epochs, stops and the end; failures recorded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const i = info();
    const done = [1];
    await updateRunInfo(dir, i, { trainTimeS: 12.5, stagesDone: done });
    done.push(2); // the update copied the list
    let back = await readRunInfo(dir);
    assertEquals([back.status, back.trainTimeS, back.stagesDone], ["running", 12.5, [1]]);
    assertEquals(back.updated !== "2026-01-01T00:00:00.000Z", true);
    await updateRunInfo(dir, i, { status: "stopped", trainTimeS: 13, stagesDone: done });
    back = await readRunInfo(dir);
    assertEquals([back.status, back.stagesDone], ["stopped", [1, 2]]);
    await markRunFailed(dir, "diverged", readRunInfo);
    back = await readRunInfo(dir);
    assertEquals([back.status, back.error], ["failed", "diverged"]);
    // A folder without run.json: nothing thrown (the original error is kept by the caller).
    await markRunFailed(`${dir}/none`, "x", readRunInfo);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("open run: a new run is named, an existing one is refused, a resume reads its config", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = { ...trainPreset("tiny"), runsDir: dir, name: "one" };
    const opened = await openRun({ config });
    assertEquals([opened.dir, opened.resuming, opened.config.name], [`${dir}/one`, false, "one"]);
    await Deno.mkdir(`${dir}/one`);
    await writeRunInfo(`${dir}/one`, info());
    await assertRejects(() => openRun({ config }), UsageError);
    await Deno.writeTextFile(`${dir}/one/config.yaml`, configToYaml({ ...config, seed: 7 }));
    const resumed = await openRun({ resume: `${dir}/one/` });
    assertEquals([resumed.dir, resumed.resuming, resumed.config.seed], [`${dir}/one`, true, 7]);
    await assertRejects(() => openRun({ resume: `${dir}/none` }), ConventionError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
