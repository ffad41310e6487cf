import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertMatch, assertRejects } from "../util/assert.ts";
import { merge, type TrainConfig, trainPreset } from "../../lib/train/config.ts";
import { train, TrainingDivergedError } from "../../lib/train/train.ts";
import { WasmMemoryError } from "../../lib/train/wasm_memory.ts";
import { readManifest } from "../../lib/train/checkpoint.ts";
import { decodeSafetensors } from "../../lib/model/infra/safetensors.ts";
import { decodeTensors } from "../../lib/train/tensor_file.ts";
import { readEpochLog } from "../../lib/train/metrics_log.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { UsageError } from "../../lib/errors.ts";
import { registerFaultyConvEntion } from "./faulty_model.ts";
import { writeTinySurvey } from "./fixture.ts";
import { hasTool } from "../util/tools.ts";

// ConvEntion's tiny preset on the wasm backend (one thread: deterministic).
await selectBackend("wasm", { quiet: true });
// 4 training steps per epoch (32 objects, batch 8): NaN at epoch 2, batch 2.
registerFaultyConvEntion(6);
registerFaultyConvEntion(3, "oom");
const root = await Deno.makeTempDir({ prefix: "convention-train-" });
await writeTinySurvey(`${root}/survey`);

function cfg(name: string, over: Record<string, unknown> = {}): TrainConfig {
  return merge(trainPreset("tiny"), {
    name,
    runsDir: `${root}/runs`,
    backend: "wasm",
    data: { source: `${root}/survey`, store: `${root}/store` },
    ...over,
  } as Record<string, unknown>);
}
const quiet = { log: () => {}, tty: false };

/** Every tensor of a final weights file (PyTorch-layout safetensors). */
async function weightsOf(path: string): Promise<Map<string, unknown>> {
  const { tensors } = decodeSafetensors(await Deno.readFile(path), path);
  return new Map([...tensors].map(([k, v]) => [k, v.data]));
}

Deno.test("train: two stages write the run folder; no tensor leak", async () => {
  const before = tf.memory().numTensors;
  const r = await train({ config: cfg("full"), ...quiet });
  assertEquals(tf.memory().numTensors, before);
  assertEquals(r.stopped, false);
  assertEquals(r.info.status, "done");
  assertEquals(r.info.stagesDone, [1, 2]);
  assertEquals(r.log.map((l) => `${l.stage}.${l.epoch}`), ["1.1", "1.2", "2.1", "2.2"]);
  for (
    const f of [
      "config.yaml",
      "run.json",
      "split.json",
      "normalization.json",
      "metrics.csv",
      "metrics.jsonl",
      "checkpoints/latest.json",
      "best/stage1.safetensors",
      "best/stage2.safetensors",
      "best/model.safetensors",
    ]
  ) await Deno.stat(`${r.runDir}/${f}`);
  const csv = (await Deno.readTextFile(`${r.runDir}/metrics.csv`)).trim().split("\n");
  assertEquals(csv.length, 5);
  assertMatch(csv[0]!, /^stage,epoch,lr,trainLoss/);
  const m = await readManifest(`${r.runDir}/checkpoints`);
  assertEquals([m!.stage, m!.epoch, m!.stageDone], [2, 2, true]);
  assertEquals((await Deno.readTextFile(`${root}/runs/latest`)).trim(), "full");
  for (const l of r.log) assert(Number.isFinite(l.trainLoss) && l.valAccuracy !== undefined);
});

Deno.test("train: resume after a stop ends with bit-identical weights", async () => {
  const a = await train({ config: cfg("straight"), ...quiet });
  // Stop after 1 epoch (mid stage 1), then after 2 more (stage boundary crossed), then finish.
  const b1 = await train({ config: cfg("resumed"), stopAfterEpochs: 1, ...quiet });
  assertEquals(b1.stopped, true);
  assertEquals(b1.info.status, "stopped");
  const b2 = await train({ resume: b1.runDir, stopAfterEpochs: 2, ...quiet });
  assertEquals(b2.stopped, true);
  const b3 = await train({ resume: b1.runDir, ...quiet });
  assertEquals(b3.stopped, false);
  const wa = await weightsOf(`${a.runDir}/best/model.safetensors`);
  const wb = await weightsOf(`${b3.runDir}/best/model.safetensors`);
  assertEquals([...wa.keys()], [...wb.keys()]);
  for (const [k, v] of wa) assertEquals(wb.get(k), v, `weight ${k}`);
  const strip = (rows: Awaited<ReturnType<typeof readEpochLog>>) =>
    rows.map(({ seconds: _s, objectsPerSecond: _o, ...rest }) => rest);
  assertEquals(
    strip(await readEpochLog(`${b3.runDir}/metrics.jsonl`)),
    strip(await readEpochLog(`${a.runDir}/metrics.jsonl`)),
  );
});

Deno.test("train: 2 data-parallel replicas with micro-batches train, resume bit-identically, and differ from one thread", async () => {
  const dp = { parallel: 2, microBatch: 3 };
  const lines: string[] = [];
  const a = await train({ config: cfg("dp-straight", dp), log: (l) => lines.push(l), tty: false });
  assert(
    lines.some((l) => l.includes("[wasm, 2 replica(s), micro-batches of 3]")),
    lines.join("\n"),
  );
  const b1 = await train({ config: cfg("dp-resumed", dp), stopAfterEpochs: 2, ...quiet });
  assertEquals(b1.stopped, true);
  const b2 = await train({ resume: b1.runDir, ...quiet });
  const wa = await weightsOf(`${a.runDir}/best/model.safetensors`);
  const wb = await weightsOf(`${b2.runDir}/best/model.safetensors`);
  for (const [k, v] of wa) assertEquals(wb.get(k), v, `weight ${k}`);
  // Not the one-thread run: the shards' BatchNorm statistics and dropout seeds differ.
  const one = await weightsOf(`${root}/runs/straight/best/model.safetensors`);
  assert([...wa].some(([k, v]) => JSON.stringify(one.get(k)) !== JSON.stringify(v)));
});

Deno.test("train: NaN loss stops with stage/epoch/batch and keeps the last checkpoint", async () => {
  const c = cfg("nan", { model: { name: "convention-nan" } });
  const err = await assertRejects(() => train({ config: c, ...quiet }), TrainingDivergedError);
  assertMatch(err.message, /stage 1, epoch 2, batch 2\/4: the loss is NaN/);
  assertEquals([err.stage, err.epoch, err.batch], [1, 2, 2]);
  const m = await readManifest(`${root}/runs/nan/checkpoints`);
  assertEquals([m!.stage, m!.epoch], [1, 1]);
  const info = JSON.parse(await Deno.readTextFile(`${root}/runs/nan/run.json`));
  assertEquals(info.status, "failed");
});

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(root, { recursive: true });
  } catch { /* ignore */ }
});

Deno.test("train: a wasm heap overflow is a WasmMemoryError naming the batch settings", async () => {
  const c = cfg("oom", { model: { name: "convention-oom" } });
  const err = await assertRejects(() => train({ config: c, ...quiet }), WasmMemoryError);
  assertMatch(err.message, /ran out of memory while training ConvEntion \(tiny preset, batch 8/);
  assertMatch(err.message, /evaluation batch 16, microBatch null\): memory access out of bounds/);
  assertMatch(err.hint!, /--micro-batch 2 .* evalBatchSize=8/);
  assertMatch(err.hint!, /oom\/config.yaml, then --resume/);
  const info = JSON.parse(await Deno.readTextFile(`${root}/runs/oom/run.json`));
  assertEquals(info.status, "failed");
});

Deno.test("eval + predict: metrics files, report, predictions with MC dropout", async () => {
  const { evaluateRun } = await import("../../lib/eval/evaluate.ts");
  const { predict } = await import("../../lib/train/predict.ts");
  const r = await train({ config: cfg("evalrun"), ...quiet });
  const before = tf.memory().numTensors;
  const quietEval = { tty: false, log: () => {} };
  const ev = await evaluateRun(r.runDir, { report: true, ...quietEval });
  const split = JSON.parse(await Deno.readTextFile(`${r.runDir}/split.json`));
  assertEquals(ev.metrics.n, split.test.length);
  // Calibration: a temperature fitted on the validation objects after training, in run.json,
  // applied by eval (before/after kept); it never changes the argmax.
  const t = r.info.temperature!;
  assert(t.value > 0 && t.fittedOn === split.stage2.val.length && t.nllAfter <= t.nllBefore);
  assertEquals(ev.metrics.temperatureScaling!.temperature, t.value);
  // Intervals beside the point values.
  const iv = ev.metrics.intervals!;
  assert(iv.accuracyClopperPearson.lo <= ev.metrics.accuracy);
  assert(ev.metrics.accuracy <= iv.accuracyClopperPearson.hi);
  assertEquals(ev.metrics.snia!.className, "SNIa");
  // Early classification: one row per cut, the same objects, never more frames than the whole.
  assertEquals(ev.early.map((e) => e.days), [5, 10, 20, 40, null]);
  for (const e of ev.early) assertEquals(e.n, ev.metrics.n);
  for (let i = 1; i < ev.early.length; i++) {
    assert(ev.early[i - 1]!.meanFrames <= ev.early[i]!.meanFrames);
  }
  assertEquals(ev.early[4]!.accuracy, ev.metrics.accuracy);
  for (
    const f of [
      "metrics.json",
      "metrics.csv",
      "metrics.md",
      "predictions.csv",
      "confusion.svg",
      "learning_curves.svg",
      "reliability.svg",
      "report.html",
    ]
  ) {
    await Deno.stat(`${r.runDir}/eval/${f}`);
  }
  // The real report renders: plots, tables and one gallery image per band of each object.
  if (await hasTool("chromium", "the eval report rendering")) {
    const { launchChromium, checkReport } = await import("../eval/chromium.ts");
    const browser = await launchChromium();
    try {
      const rep = await checkReport(browser, ev.report!);
      assertEquals(rep.requests, []);
      assertEquals(rep.plots.length, 4); // confusion, learning curves, reliability, early classification
      for (const p of rep.plots) assert(p.visible && p.width > 50 && p.height > 50, p.title);
      assertEquals(
        rep.objects,
        Math.min(4, ev.metrics.n - Math.round(ev.metrics.accuracy * ev.metrics.n)),
      );
      for (const img of rep.images) assert(img.complete && img.visible && img.naturalWidth > 0);
      assertEquals(rep.images.length, rep.objects * 2); // g and r
    } finally {
      await browser.close();
    }
  }
  const preds = [];
  for await (const p of predict(r.runDir, [`${root}/survey`], { mc: 4, log: () => {} })) {
    preds.push(p);
  }
  assertEquals(preds.length, 56);
  assertEquals(tf.memory().numTensors, before);
  const p0 = preds[0]!;
  assertEquals(Object.keys(p0.probabilities), ["AGN", "SNIa", "Variable", "SNOther"]);
  assert(Math.abs(Object.values(p0.probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assertEquals(p0.mcPasses, 4);
  assert(p0.frames > 0 && p0.frames <= 12);
  // The test objects predicted from the survey files equal the evaluation's probabilities.
  const csv = (await Deno.readTextFile(`${r.runDir}/eval/predictions.csv`)).trim().split("\n")
    .slice(1);
  const first = csv[0]!.split(",");
  const match = preds.find((p) => p.id === first[0])!;
  assertEquals(match.predicted, first[2]);
  assert(Math.abs(match.probabilities["AGN"]! - Number(first[4])) < 1e-5);
  // Unscaled (T = 1): the same argmax, and the "before" calibration numbers.
  const raw = await evaluateRun(r.runDir, { calibrate: false, early: false, ...quietEval });
  assertEquals(raw.metrics.confusion, ev.metrics.confusion);
  assertEquals(raw.metrics.ece, ev.metrics.temperatureScaling!.eceBefore);
  assertEquals(raw.metrics.logLoss, ev.metrics.temperatureScaling!.logLossBefore);
});

Deno.test("compare: Table-2 layout from two evaluated runs (Markdown, CSV, JSON)", async () => {
  const { evaluateRun } = await import("../../lib/eval/evaluate.ts");
  const { compareRuns, writeComparison } = await import("../../lib/eval/compare.ts");
  await evaluateRun(`${root}/runs/full`, { report: false, tty: false, log: () => {} });
  const c = await compareRuns([`${root}/runs/full`, `${root}/runs/evalrun`]);
  assertEquals(c.rows.length, 2);
  assertEquals(c.rows[0]!.model, "ConvEntion");
  assertEquals(c.rows[0]!.bands, "ugriz"); // the store's band map (default ugriz)
  assertEquals(c.rows[0]!.input, "images");
  assertEquals(c.rows[0]!.parameters, c.rows[1]!.parameters);
  assertMatch(
    c.markdown,
    /^\| model +\| bands \| input +\| accuracy % \[95 % CI\] \| balanced accuracy % \[95 % CI\] \| macro F1 \[95 % CI\]/,
  );
  // Every row carries n, its intervals, seeds and the epoch window; the second its paired
  // comparison with the reference (the first: ConvEntion on every band). The two runs share
  // seed and configuration, so they classify alike: difference 0, p = 1.
  for (const r of c.rows) {
    assertEquals(r.n, r.testObjects);
    assert(r.accuracyInterval!.lo <= r.accuracy && r.accuracy <= r.accuracyInterval!.hi);
    assert(r.balancedAccuracyInterval!.lo <= r.balancedAccuracyInterval!.hi);
    assertEquals(r.seeds, [1]);
    assertEquals(r.window, "12 frames around the brightest");
  }
  assertEquals(c.rows[0]!.paired, undefined);
  const p = c.rows[1]!.paired!;
  assertEquals([p.n, p.difference, p.p, p.significant], [c.rows[0]!.n, 0, 1, false]);
  assertEquals(p.interval, { lo: 0, hi: 0 });
  assertMatch(c.markdown, /\| ConvEntion \(tiny\) \| ugriz \| images/);
  const files = await writeComparison(`${root}/compare`, c);
  const csv = (await Deno.readTextFile(files[1]!)).trim().split("\n");
  assertEquals(csv.length, 3);
  assertMatch(csv[0]!, /^model,preset,bands,input,accuracy,balanced_accuracy,macro_f1,parameters/);
  assertMatch(csv[0]!, /,accuracy_lo,accuracy_hi,.*,accuracy_difference,.*,mcnemar_p,significant,/);
  assertEquals(JSON.parse(await Deno.readTextFile(files[2]!)).length, 2);
});

Deno.test("compare --eval-dir: run folders compared on another evaluation; a run without it is refused", async () => {
  const { compareCommand } = await import("../../lib/cli/compare.ts");
  const runsDir = `${root}/runs`;
  for (const r of ["full", "evalrun"]) {
    await Deno.mkdir(`${runsDir}/${r}/eval-other`, { recursive: true });
    for (const f of ["metrics.json", "predictions.csv"]) {
      await Deno.copyFile(`${runsDir}/${r}/eval/${f}`, `${runsDir}/${r}/eval-other/${f}`);
    }
  }
  const out = `${root}/compare-other`;
  const log = console.log;
  console.log = () => {};
  try {
    assertEquals(
      await compareCommand(["full", "evalrun"], { runsDir, out, evalDir: "eval-other" }),
      0,
    );
  } finally {
    console.log = log;
  }
  const rows = JSON.parse(await Deno.readTextFile(`${out}/compare.json`));
  assertEquals(rows.length, 2);
  await Deno.remove(`${runsDir}/evalrun/eval-other`, { recursive: true });
  await assertRejects(
    () => compareCommand(["full", "evalrun"], { runsDir, out, evalDir: "eval-other" }),
    UsageError,
    /has no eval-other\/ evaluation/,
  );
});

Deno.test("train: early stopping follows the log's best epochs; frozen backbone keeps its weights", async () => {
  const c = cfg("frozen", {
    stage1: { epochs: 4, patience: 1 },
    stage2: { epochs: 4, patience: 1, freezeBackbone: true },
  });
  const r = await train({ config: c, ...quiet });
  for (const s of [1, 2]) {
    const rows = r.log.filter((l) => l.stage === s);
    assert(rows.length >= 1 && rows.length <= 4);
    assert(rows[0]!.best, "the first epoch is always the best so far");
    // Patience 1: the stage ends at the first epoch that is not a new best (or after 4).
    const firstMiss = rows.findIndex((l) => !l.best);
    assertEquals(rows.length, firstMiss === -1 ? 4 : firstMiss + 1, `stage ${s}`);
  }
  // Stage 2 trained only the classifier head: every other trainable weight is the stage-1 best.
  const s1 = decodeTensors(
    await Deno.readFile(`${r.runDir}/best/stage1.safetensors`),
  ).arrays;
  const fin = await weightsOf(`${r.runDir}/best/model.safetensors`);
  let frozen = 0, head = 0;
  for (const [k, v] of s1) {
    if (/running_|num_batches/.test(k)) continue; // BatchNorm statistics still adapt
    if (k.startsWith("classifier.")) {
      head++;
      continue;
    }
    assertEquals(fin.get(k), v.data, `backbone weight ${k} changed`);
    frozen++;
  }
  assert(frozen > 20 && head === 4, `${frozen} frozen, ${head} head`);
});
