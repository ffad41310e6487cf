/**
 * `deno task bench data [options]`: throughput of the data pipeline, printed
 * as one JSON object on stdout (with the load average at the start and the
 * end: the machine may be shared).
 *
 * 1. ingest: objects/s (and frames/s, MB/s) of `ingest` from a survey in the
 *    simulator's layout into a packed store of `--dtype float32|float16`
 *    (`--ingest-workers N` threads parsing the files, default 0;
 *    `--skip-ingest` reuses the store). `--survey DIR` names an existing
 *    survey; without it the simulator makes one of `--objects` (default
 *    8,249) objects (seed 1) in `--work DIR` (default
 *    /tmp/convention-bench-data) first, timed in `generated`.
 * 2. loader: batches/s of `epochBatches` over `--batches` (default 12)
 *    batches of 128, l 99, 32x32, balanced, augmented and normalised, on the
 *    stage-1 training ids: in the calling thread, with one and two workers,
 *    then with a consumer that busy-waits `--compute-ms` (default 1000) per
 *    batch (a stand-in for a training step): the time it waits for each batch
 *    is the loader's cost to training.
 * 3. training: real ConvEntion steps (TF.js wasm) fed by the loader, `--train
 *    PRESET:BATCH:STEPS[,...]` (default `cpu:32:4`; `none` skips): the step
 *    alone, the loader alone, and steps with a prefetching worker, whose wait
 *    per step is what the loader costs training.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { simulateSurvey } from "../../lib/simulate/survey.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { simulatedSource } from "../../lib/survey/simulated.ts";
import { openStore, type Store } from "../../lib/data/store.ts";
import { makeSplit, trainingIds } from "../../lib/data/split.ts";
import { computeNormalization, type Normalization } from "../../lib/data/normalization.ts";
import { epochBatches } from "../../lib/data/loader.ts";
import type { Batch } from "../../lib/data/batch.ts";
import { Adam } from "../../lib/model/infra/optimizer.ts";
import { trainableWeights, trainStep } from "../../lib/model/infra/train_step.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import "../../lib/train/builtin_models.ts";
import { getModel } from "../../lib/train/models.ts";
import { printJson } from "../../lib/cli/util/output.ts";
import { arg, folderBytes, machineInfo, median, round, stopwatch } from "./shared.ts";

/** The loader's settings in the loader runs (the JSON's `loader`). */
const LOADER = { batchSize: 128, length: 99, size: 32, augment: true, balance: true };

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a synchronous "training step" */ }
}

/** The store, the stage-1 training ids the loader reads and their normalisation. */
type Data = { store: Store; ids: string[]; norm: Normalization };
type Dtype = "float32" | "float16";
/** One loader run: `prefetch` and `workers` of the loader, `computeMs` of busy-wait per batch. */
type Mode = { name: string; prefetch: number; workers: number; computeMs: number };

async function loaderRun({ store, ids, norm }: Data, mode: Mode, batches: number) {
  // Epoch after epoch until enough batches (workers restart at each epoch, as in training).
  async function* epochs(): AsyncGenerator<Batch> {
    for (let epoch = 0;; epoch++) {
      yield* epochBatches(store, ids, {
        seed: 1,
        epoch,
        stage: 1,
        ...LOADER,
        normalization: norm,
        prefetch: mode.prefetch,
        workers: mode.workers,
      });
    }
  }
  const it = epochs();
  const t0 = performance.now();
  if ((await it.next()).done) throw new Error("no batch");
  const tFirst = performance.now();
  let n = 0, frames = 0, waited = 0, rss = Deno.memoryUsage().rss;
  if (mode.computeMs > 0) busyWait(mode.computeMs);
  const sw = stopwatch();
  while (n < batches) {
    const w0 = performance.now();
    const r = await it.next();
    if (r.done) break;
    waited += performance.now() - w0;
    n++;
    for (const m of r.value.mask) frames += m;
    rss = Math.max(rss, Deno.memoryUsage().rss);
    if (mode.computeMs > 0) busyWait(mode.computeMs);
  }
  const dt = sw.wall(), cpu = sw.cpu();
  await it.return(undefined);
  return {
    mode: mode.name,
    batches: n,
    firstBatchSeconds: round((tFirst - t0) / 1000, 3),
    batchesPerSecond: round(n / dt, 3),
    framesPerSecond: Math.round(frames / dt),
    rssMB: Math.round(rss / 2 ** 20),
    cpuSecondsPerBatch: round(cpu / n, 3),
    ...(mode.computeMs > 0 ? { computeMs: mode.computeMs, waitPerBatchMs: round(waited / n) } : {}),
  };
}

/**
 * Real ConvEntion training steps (TF.js wasm, one thread) on loader batches:
 * the step time alone, the loader time alone (in-thread), and steps with the
 * loader prefetching in a worker (the wait per step is what the loader costs).
 */
async function trainSteps(data: Data, preset: string, batchSize: number, steps: number) {
  const { store, ids, norm } = data;
  const { backend } = await selectBackend("wasm", { quiet: true });
  const entry = getModel("convention");
  const model = entry.create({
    preset,
    options: {},
    numClasses: store.classes.length,
    bands: [...store.bands],
    seed: 1,
  });
  const { length, size } = entry.inputShape(model);
  const opt = new Adam(trainableWeights(model), { lr: 1e-3 });
  const base = { seed: 1, stage: 1, batchSize, length, size, normalization: norm, dropLast: true };
  const step = async (b: Batch, k: number) => {
    const input = entry.adapter(b);
    const labels = tf.tensor1d(b.labels, "float32");
    try {
      await trainStep(model, opt, input, labels, { loss: "cross-entropy", seed: k });
    } finally {
      entry.disposeInput(input);
      labels.dispose();
    }
  };
  // 1. Loader alone, in-thread: `steps + 1` batches and the time each took to arrive.
  const loaderMs: number[] = [], batches: Batch[] = [];
  let t = performance.now();
  for await (const b of epochBatches(store, ids, { ...base, epoch: 0, prefetch: 0 })) {
    loaderMs.push(performance.now() - t);
    if (batches.push(b) > steps) break;
    t = performance.now();
  }
  // 2. Steps alone (first one is warm-up).
  const stepMs: number[] = [];
  for (const [k, b] of batches.entries()) {
    const t = performance.now();
    await step(b, k);
    if (k > 0) stepMs.push(performance.now() - t);
  }
  batches.length = 0;
  // 3. Steps with a prefetching worker.
  let waited = 0, n = 0;
  const it = epochBatches(store, ids, { ...base, epoch: 1, prefetch: 2 })[Symbol.asyncIterator]();
  await it.next(); // worker start-up and the first batch, not counted
  const t1 = performance.now();
  for (; n < steps; n++) {
    const w = performance.now();
    const r = await it.next();
    if (r.done) break;
    waited += performance.now() - w;
    await step(r.value, 100 + n);
  }
  await it.return?.(undefined);
  const total = performance.now() - t1;
  model.dispose();
  opt.dispose();
  return {
    preset,
    backend,
    batchSize,
    length,
    size,
    steps: stepMs.length,
    stepMsMedian: Math.round(median(stepMs)),
    loaderInThreadMsPerBatch: Math.round(median(loaderMs.slice(1))),
    endToEnd: {
      prefetch: 2,
      msPerStep: Math.round(total / Math.max(1, n)),
      waitPerStepMs: Math.round(waited / Math.max(1, n)),
    },
  };
}

/** The survey to ingest: `--survey`, or one the simulator makes (once, seed 1) under `work`. */
async function ensureSurvey(work: string, objects: number, given: string) {
  if (given !== "") return { survey: given, generated: null };
  const survey = `${work}/survey-${objects}`;
  if (await Deno.stat(`${survey}/catalog.csv`).then((s) => s.isFile, () => false)) {
    return { survey, generated: null };
  }
  console.error(`bench data: simulating a survey of ${objects} objects in ${survey}`);
  const t = performance.now();
  const { frames } = await simulateSurvey({ out: survey, objects, seed: 1, progress: false });
  return { survey, generated: { seconds: round((performance.now() - t) / 1000), frames } };
}

/** Ingests the survey into `storeDir` and reports the rates. */
async function ingestRate(survey: string, storeDir: string, dtype: Dtype, workers: number) {
  const src = simulatedSource(survey, { workers });
  const inputBytes = folderBytes(`${survey}/objects`);
  const sw = stopwatch();
  const r = await ingest(src, { out: storeDir, dtype, progress: Deno.stderr.isTerminal() });
  const s = sw.wall(), cpu = sw.cpu();
  return {
    objects: r.objects,
    frames: r.frames,
    workers,
    seconds: round(s, 2),
    objectsPerSecond: round(r.objects.in / s),
    cpuSeconds: round(cpu, 2),
    objectsPerCpuSecond: round(r.objects.in / cpu),
    framesPerSecond: Math.round(r.frames.in / s),
    inputMB: Math.round(inputBytes / 2 ** 20),
    inputMBPerSecond: round(inputBytes / 2 ** 20 / s),
    storeMB: Math.round(folderBytes(storeDir) / 2 ** 20),
  };
}

/** The training-step runs of `--train PRESET:BATCH:STEPS[,...]` (a failure is reported). */
async function trainingRuns(spec: string, data: Data) {
  const out: unknown[] = [];
  for (const run of spec === "none" ? [] : spec.split(",")) {
    const [preset, bs, n] = run.split(":");
    console.error(`bench data: training steps ${run}`);
    try {
      out.push(await trainSteps(data, preset!, Number(bs ?? 32), Number(n ?? 4)));
    } catch (e) {
      // A model that fails (e.g. out of wasm memory) is reported, not fatal to the bench.
      out.push({ preset: preset!, batchSize: Number(bs ?? 32), error: String(e) });
    }
  }
  return out;
}

/** Runs the benchmark (see the module doc). */
export async function main(args: string[]): Promise<void> {
  const loadStart = Deno.loadavg();
  const work = arg(args, "--work", "/tmp/convention-bench-data");
  const objects = Number(arg(args, "--objects", "8249"));
  const batches = Number(arg(args, "--batches", "12"));
  const computeMs = Number(arg(args, "--compute-ms", "1000"));
  const dtype = arg(args, "--dtype", "float32") as Dtype;
  const ingestWorkers = Number(arg(args, "--ingest-workers", "0"));
  const { survey, generated } = await ensureSurvey(work, objects, arg(args, "--survey", ""));
  const storeDir = `${work}/store-${objects}-${dtype}`;
  const ingestResult = args.includes("--skip-ingest")
    ? { skipped: true }
    : await ingestRate(survey, storeDir, dtype, ingestWorkers);
  const store = await openStore(storeDir);
  const split = makeSplit(store.objects, { seed: 1, classes: store.classes });
  const tn = performance.now();
  const norm = computeNormalization(store, trainingIds(split));
  const normSeconds = (performance.now() - tn) / 1000;
  const ids = split.stage1.train;
  const runs = [];
  for (
    const mode of [
      { name: "in-thread", prefetch: 0, workers: 1, computeMs: 0 },
      { name: "1 worker, prefetch 2", prefetch: 2, workers: 1, computeMs: 0 },
      { name: "2 workers, prefetch 2", prefetch: 2, workers: 2, computeMs: 0 },
      { name: "in-thread + compute", prefetch: 0, workers: 1, computeMs },
      { name: "1 worker + compute", prefetch: 2, workers: 1, computeMs },
    ]
  ) {
    console.error(`bench data: loader ${mode.name}`);
    runs.push(await loaderRun({ store, ids, norm }, mode, batches));
  }
  const trainRuns = await trainingRuns(arg(args, "--train", "cpu:32:4"), { store, ids, norm });
  store.close();
  printJson({
    bench: "data",
    machine: machineInfo(loadStart),
    survey,
    surveyGenerated: generated,
    store: storeDir,
    dtype,
    ingest: ingestResult,
    normalization: { objects: trainingIds(split).length, seconds: round(normSeconds, 2) },
    loader: {
      ...LOADER,
      stage1TrainObjects: ids.length,
      runs,
    },
    training: trainRuns,
  });
}
