/**
 * `deno task bench data [options]`: throughput of the data pipeline, printed
 * as one JSON object on stdout.
 *
 * 1. ingest: objects/s (and frames/s, MB/s) of `ingest` from a survey in the
 *    simulator's layout into a packed store. `--survey DIR` names an existing
 *    survey (e.g. made by `deno task cli simulate --out DIR --objects 8249`);
 *    without it the simulator makes one of `--objects` (default 8,249)
 *    objects (seed 1) in `--work DIR` first, timed in `generated`.
 * 2. loader: batches/s of `epochBatches` at batch 128, l 99, 32x32, balanced
 *    with augmentation, normalised, on the stage-1 training ids, in the
 *    calling thread (`prefetch 0`), with one worker and with two workers;
 *    then with a consumer that busy-waits `--compute-ms` per batch (a
 *    stand-in for a synchronous training step): the time the consumer waits
 *    for each batch beyond that is the loader's cost to training.
 *
 * 3. training: real ConvEntion training steps (TF.js wasm) fed by the
 *    loader, `--train PRESET:BATCH:STEPS[,...]` (default `cpu:32:4`, the
 *    default CPU configuration; `none` skips): the step time alone, the
 *    loader time alone, and steps with a prefetching worker, where the wait
 *    per step is what the loader costs training.
 *
 * Options: `--survey DIR`, `--objects N`, `--work DIR` (default
 * /tmp/convention-bench-data), `--batches N` (default 12), `--compute-ms MS`
 * (default 1000), `--dtype float32|float16`, `--skip-ingest` (reuse the store),
 * `--ingest-workers N` (worker threads parsing the files, default 0),
 * `--train SPEC`. The JSON records the load average at the start and the end
 * (the machine may be shared).
 *
 * @module
 */
import { simulateSurvey } from "../../lib/simulate/survey.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { simulatedSource } from "../../lib/survey/simulated.ts";
import { openStore, type Store } from "../../lib/data/store.ts";
import { makeSplit, trainingIds } from "../../lib/data/split.ts";
import { computeNormalization, type Normalization } from "../../lib/data/normalization.ts";
import { epochBatches } from "../../lib/data/loader.ts";
import type { Batch } from "../../lib/data/batch.ts";
import { cpuUsage } from "node:process";
import { arg, folderBytes } from "./shared.ts";

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a synchronous "training step" */ }
}

interface LoaderRun {
  mode: string;
  batches: number;
  firstBatchSeconds: number;
  batchesPerSecond: number;
  framesPerSecond: number;
  waitPerBatchMs?: number;
  computeMs?: number;
  rssMB: number;
  cpuSecondsPerBatch: number;
}

async function loaderRun(
  store: Store,
  ids: string[],
  norm: Normalization,
  mode: { name: string; prefetch: number; workers: number; computeMs: number },
  batches: number,
): Promise<LoaderRun> {
  // Epoch after epoch until enough batches (workers restart at each epoch, as in training).
  async function* epochs(): AsyncGenerator<Batch> {
    for (let epoch = 0;; epoch++) {
      yield* epochBatches(store, ids, {
        seed: 1,
        epoch,
        stage: 1,
        batchSize: 128,
        length: 99,
        size: 32,
        normalization: norm,
        augment: true,
        balance: true,
        prefetch: mode.prefetch,
        workers: mode.workers,
      });
    }
  }
  const it = epochs();
  const t0 = performance.now();
  const first = await it.next();
  if (first.done) throw new Error("no batch");
  const tFirst = performance.now();
  let n = 0, frames = 0, waited = 0, rss = Deno.memoryUsage().rss;
  if (mode.computeMs > 0) busyWait(mode.computeMs);
  const t1 = performance.now();
  const c1 = cpuUsage();
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
  const dt = (performance.now() - t1) / 1000;
  const c = cpuUsage(c1);
  await it.return(undefined);
  const out: LoaderRun = {
    mode: mode.name,
    batches: n,
    firstBatchSeconds: +((tFirst - t0) / 1000).toFixed(3),
    batchesPerSecond: +(n / dt).toFixed(3),
    framesPerSecond: Math.round(frames / dt),
    rssMB: Math.round(rss / 2 ** 20),
    cpuSecondsPerBatch: +((c.user + c.system) / 1e6 / n).toFixed(3),
  };
  if (mode.computeMs > 0) {
    out.computeMs = mode.computeMs;
    out.waitPerBatchMs = +(waited / n).toFixed(1);
  }
  return out;
}

interface StepRun {
  preset: string;
  backend: string;
  batchSize: number;
  length: number;
  size: number;
  steps: number;
  stepMsMedian: number;
  loaderInThreadMsPerBatch: number;
  endToEnd: { prefetch: number; msPerStep: number; waitPerStepMs: number };
}

/** The first `n` batches of a loader and the time each took to arrive. */
async function timedBatches(
  loader: AsyncIterable<Batch>,
  n: number,
): Promise<{ ms: number[]; batches: Batch[] }> {
  const ms: number[] = [];
  const batches: Batch[] = [];
  const it = loader[Symbol.asyncIterator]();
  for (let k = 0; k < n; k++) {
    const t = performance.now();
    const r = await it.next();
    if (r.done) break;
    ms.push(performance.now() - t);
    batches.push(r.value);
  }
  await it.return?.(undefined);
  return { ms, batches };
}

/**
 * Real ConvEntion training steps (TF.js wasm, one thread) on loader batches:
 * the step time alone, the loader time alone (in-thread), and steps with the
 * loader prefetching in a worker (the wait per step is what the loader costs).
 */
async function trainSteps(
  store: Store,
  ids: string[],
  norm: Normalization,
  preset: string,
  batchSize: number,
  steps: number,
): Promise<StepRun> {
  const tf = await import("@tensorflow/tfjs-core");
  const { selectBackend } = await import("../../lib/train/backend.ts");
  const { getModel } = await import("../../lib/train/models.ts");
  await import("../../lib/train/builtin_models.ts");
  const { Adam } = await import("../../lib/model/infra/optimizer.ts");
  const { trainableWeights, trainStep } = await import("../../lib/model/infra/train_step.ts");
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
  const opts = (prefetch: number, epoch: number) => ({
    seed: 1,
    epoch,
    stage: 1,
    batchSize,
    length,
    size,
    normalization: norm,
    prefetch,
    dropLast: true,
  });
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
  // 1. Loader alone, in-thread.
  const { ms: loaderMs, batches } = await timedBatches(
    epochBatches(store, ids, opts(0, 0)),
    steps + 1,
  );
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
  {
    const it = epochBatches(store, ids, opts(2, 1))[Symbol.asyncIterator]();
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
    opt.dispose?.();
    const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? NaN;
    return {
      preset,
      backend,
      batchSize,
      length,
      size,
      steps: stepMs.length,
      stepMsMedian: Math.round(med(stepMs)),
      loaderInThreadMsPerBatch: Math.round(med(loaderMs.slice(1))),
      endToEnd: {
        prefetch: 2,
        msPerStep: Math.round(total / Math.max(1, n)),
        waitPerStepMs: Math.round(waited / Math.max(1, n)),
      },
    };
  }
}

/** The survey to ingest: `--survey`, or one the simulator makes (once, seed 1) under `work`. */
async function ensureSurvey(work: string, objects: number, given: string) {
  if (given !== "") return { survey: given, generated: null };
  const survey = `${work}/survey-${objects}`;
  let exists = false;
  try {
    exists = Deno.statSync(`${survey}/catalog.csv`).isFile;
  } catch { /* make it */ }
  if (exists) return { survey, generated: null };
  console.error(`bench data: simulating a survey of ${objects} objects in ${survey}`);
  const t = performance.now();
  const { frames } = await simulateSurvey({ out: survey, objects, seed: 1, progress: false });
  return { survey, generated: { seconds: +((performance.now() - t) / 1000).toFixed(1), frames } };
}

/** Ingests the survey into `storeDir` and reports the rates. */
async function ingestRate(
  survey: string,
  storeDir: string,
  dtype: "float32" | "float16",
  workers: number,
): Promise<Record<string, unknown>> {
  const src = simulatedSource(survey, { workers });
  const inputBytes = await folderBytes(`${survey}/objects`);
  const t = performance.now();
  const c0 = cpuUsage();
  const r = await ingest(src, { out: storeDir, dtype, progress: Deno.stderr.isTerminal() });
  const s = (performance.now() - t) / 1000;
  const cu = cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  return {
    objects: r.objects,
    frames: r.frames,
    workers,
    seconds: +s.toFixed(2),
    objectsPerSecond: +(r.objects.in / s).toFixed(1),
    cpuSeconds: +cpu.toFixed(2),
    objectsPerCpuSecond: +(r.objects.in / cpu).toFixed(1),
    framesPerSecond: Math.round(r.frames.in / s),
    inputMB: Math.round(inputBytes / 2 ** 20),
    inputMBPerSecond: +(inputBytes / 2 ** 20 / s).toFixed(1),
    storeMB: Math.round((await folderBytes(storeDir)) / 2 ** 20),
  };
}

/** The training-step runs of `--train PRESET:BATCH:STEPS[,...]` (a failure is reported). */
async function trainingRuns(
  trainArg: string,
  store: Store,
  ids: string[],
  norm: Normalization,
): Promise<(StepRun | { preset: string; batchSize: number; error: string })[]> {
  if (trainArg === "none") return [];
  const out: (StepRun | { preset: string; batchSize: number; error: string })[] = [];
  for (const spec of trainArg.split(",")) {
    const [preset, bs, n] = spec.split(":");
    console.error(`bench data: training steps ${spec}`);
    try {
      out.push(await trainSteps(store, ids, norm, preset!, Number(bs ?? 32), Number(n ?? 4)));
    } catch (e) {
      // A model that fails (e.g. out of wasm memory) is reported, not fatal to the bench.
      out.push({ preset: preset!, batchSize: Number(bs ?? 32), error: String(e) });
    }
  }
  return out;
}

/** Runs the benchmark (see the module doc). */
export async function main(args: string[]): Promise<void> {
  const loadStart = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  const work = arg(args, "--work", "/tmp/convention-bench-data");
  const objects = Number(arg(args, "--objects", "8249"));
  const batches = Number(arg(args, "--batches", "12"));
  const computeMs = Number(arg(args, "--compute-ms", "1000"));
  const dtype = arg(args, "--dtype", "float32") as "float32" | "float16";
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
  const runs: LoaderRun[] = [];
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
    runs.push(await loaderRun(store, ids, norm, mode, batches));
  }
  const trainRuns = await trainingRuns(arg(args, "--train", "cpu:32:4"), store, ids, norm);
  store.close();
  const loadEnd = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(JSON.stringify(
    {
      bench: "data",
      machine:
        `${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} logical cores`,
      deno: Deno.version.deno,
      survey,
      surveyGenerated: generated,
      store: storeDir,
      dtype,
      ingest: ingestResult,
      normalization: {
        objects: trainingIds(split).length,
        seconds: +normSeconds.toFixed(2),
      },
      loader: {
        batchSize: 128,
        length: 99,
        size: 32,
        augment: true,
        balance: true,
        stage1TrainObjects: ids.length,
        runs,
      },
      training: trainRuns,
      loadAverage: { start: loadStart, end: loadEnd },
    },
    null,
    2,
  ));
}
