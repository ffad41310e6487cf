/**
 * The two-stage training loop (paper §4.2), generic over the registered
 * models: stage 1 on the unconfirmed objects (plus half of the confirmed
 * AGN/variables), stage 2 fine-tuning on the remaining confirmed objects.
 * Each epoch: balanced augmented batches from the loader, validation on the
 * stage's validation set, `metrics.csv`/`metrics.jsonl`, best weights by the
 * validation metric, early stopping, and a checkpoint.
 *
 * Determinism: the split, the epoch plans (seed, stage, epoch), the
 * augmentations, the initialisation and the dropout masks all come from the
 * run seed; the dropout seed of each step is drawn from a generator whose
 * state is checkpointed, and the optimiser state is restored exactly, so
 * `resume` ends with the same weights as an uninterrupted run.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { ConventionError, UsageError } from "../errors.ts";
import { Rng } from "../util/rng.ts";
import { Progress } from "../util/progress.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { openStore, type Store } from "../data/store.ts";
import { loadSplit, makeSplit, saveSplit, type Split, trainingIds } from "../data/split.ts";
import {
  computeNormalization,
  loadNormalization,
  type Normalization,
  saveNormalization,
} from "../data/normalization.ts";
import { epochBatches, evalBatches } from "../data/loader.ts";
import {
  configFromYaml,
  configToYaml,
  type StageConfig,
  type TrainConfig,
  validateConfig,
} from "./config.ts";
import { getModel, type ModelEntry, type ModelSpec, type TrainableModel } from "./models.ts";
import { DataParallel } from "./data_parallel.ts";
import { explainWasmMemory, WasmMemoryError } from "./wasm_memory.ts";
import "./builtin_models.ts";
import { Adam } from "../model/infra/optimizer.ts";
import { trainableWeights, trainStep } from "../model/infra/train_step.ts";
import { NonFiniteLossError } from "../model/errors.ts";
import { batchLogits, rowArgmax, rowCrossEntropy } from "./infer.ts";
import { stretchBatch } from "./stretch.ts";
import { type ValidationScores, validationScores } from "./validation.ts";
import { type EpochLog, readEpochLog, writeEpochLog } from "./metrics_log.ts";
import {
  type BestSoFar,
  type CheckpointManifest,
  loadCheckpoint,
  loadWeightsFile,
  readManifest,
  saveCheckpoint,
  saveWeightsFile,
} from "./checkpoint.ts";
import {
  defaultRunName,
  readRunInfo,
  type RunInfo,
  runPaths,
  setLatestRun,
  writeRunInfo,
} from "./run_dir.ts";
import { type PrepareOptions, prepareStore } from "./data_source.ts";
import { selectBackend } from "./backend.ts";

/**
 * A NaN or infinite loss stopped the run; says where.
 *
 * @example An absurd learning rate makes the tiny preset diverge in its first epoch
 * ```ts
 * import { simulateSurvey, train, TrainingDivergedError, trainPreset } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 40, size: 16, progress: false });
 * const config = trainPreset("tiny");
 * config.backend = "wasm";
 * config.runsDir = `${dir}/runs`;
 * config.data = { ...config.data, source: `${dir}/s82`, store: `${dir}/store` };
 * config.stage1.lr = 1e30;
 * try {
 *   await train({ config, log: () => {}, tty: false, prepare: { progress: false } });
 * } catch (e) {
 *   if (!(e instanceof TrainingDivergedError)) throw e;
 *   console.log(e.stage, e.epoch, e.batch, e.loss); // the last good checkpoint is kept
 *   console.log(e.message, e.hint);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class TrainingDivergedError extends ConventionError {
  /** Stage (1 or 2). */
  readonly stage: number;
  /** Epoch within the stage (1-based). */
  readonly epoch: number;
  /** Batch within the epoch (1-based). */
  readonly batch: number;
  /** The loss value seen. */
  readonly loss: number;

  /**
   * Creates the error.
   *
   * @param message Where and what.
   * @param where Stage, epoch, batch and loss.
   * @param hint What to do.
   */
  constructor(
    message: string,
    where: { stage: number; epoch: number; batch: number; loss: number },
    hint: string,
  ) {
    super(message, { hint });
    this.name = "TrainingDivergedError";
    this.stage = where.stage;
    this.epoch = where.epoch;
    this.batch = where.batch;
    this.loss = where.loss;
  }
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** Configuration of a new run (ignored with `resume`). */
  config?: TrainConfig;
  /** Run folder to resume (its `config.yaml` is used). */
  resume?: string;
  /**
   * Stop after this many epochs in this invocation, as if the process were
   * killed after the checkpoint (to test and demonstrate `resume`).
   */
  stopAfterEpochs?: number;
  /** Data preparation (cache folder, default-survey creator). */
  prepare?: PrepareOptions;
  /** Whether stderr progress is a live bar (default: when stderr is a terminal). */
  tty?: boolean;
  /** Where messages go (default stderr). */
  log?: (line: string) => void;
  /** Backend choice (default: `selectBackend` of `config.backend`), called before any tensor. */
  selectBackend?: (choice: TrainConfig["backend"]) => Promise<string>;
}

/** Result of {@link train}. */
export interface TrainResult {
  /** The run folder. */
  runDir: string;
  /** `run.json` at the end. */
  info: RunInfo;
  /** True when stopped by `stopAfterEpochs` before the end. */
  stopped: boolean;
  /** The per-epoch log. */
  log: EpochLog[];
}

/** Everything a run needs once the data and model are set up. */
interface Setup<I> {
  config: TrainConfig;
  dir: string;
  store: Store;
  split: Split;
  normalization: Normalization;
  entry: ModelEntry<I>;
  model: TrainableModel<I>;
  /** What the model was built from (data-parallel replicas build the same). */
  spec: ModelSpec;
  length: number;
  size: number;
  /** Data-parallel replicas (`parallel` > 1 or `microBatch` set, on wasm or cpu), else null. */
  parallel: DataParallel | null;
}

const STAGES = [1, 2] as const;

function stageConfig(c: TrainConfig, s: number): StageConfig {
  return s === 1 ? c.stage1 : c.stage2;
}

function stageIds(split: Split, s: number): { train: string[]; val: string[] } {
  return s === 1 ? split.stage1 : split.stage2;
}

function makeOptimizer<I>(
  setup: Setup<I>,
  s: number,
): Adam {
  const { config, model, entry } = setup;
  const st = stageConfig(config, s);
  let names = [...trainableWeights(model).keys()];
  if (st.freezeBackbone) {
    const head = entry.headWeights?.(model);
    if (!head || head.length === 0) {
      throw new UsageError(
        `stage${s}.freezeBackbone is set but model "${entry.name}" does not say which weights ` +
          "form its classifier head.",
      );
    }
    const keep = new Set(head);
    names = names.filter((n) => keep.has(n));
  }
  const w = model.weights();
  return new Adam(new Map(names.map((n) => [n, w.get(n)!])), {
    lr: st.lr,
    beta1: config.optim.beta1,
    beta2: config.optim.beta2,
    epsilon: config.optim.epsilon,
    weightDecay: config.optim.name === "adamw" ? config.optim.weightDecay : 0,
  });
}

/** Dropout seed stream: one draw per step; its state is checkpointed. */
function initialRng(seed: number): Rng {
  return Rng.derive(seed, "train/dropout");
}

/** Runs validation on `ids`; null when there are none. */
async function validate<I>(setup: Setup<I>, ids: readonly string[]): Promise<
  ValidationScores | null
> {
  if (ids.length === 0) return null;
  const { store, entry, model, config, normalization, length, size } = setup;
  const c = model.numClasses;
  const labels: number[] = [], preds: number[] = [];
  let lossSum = 0;
  const stream = evalBatches(store, ids, {
    batchSize: config.evalBatchSize,
    length,
    size,
    normalization,
    prefetch: config.data.workers > 0 ? 2 : 0,
    workers: Math.max(1, config.data.workers),
  });
  for await (const batch of stream) {
    stretchBatch(batch, config.data.stretch);
    const logits = await batchLogits(entry, model, batch);
    for (let i = 0; i < batch.batchSize; i++) {
      const y = batch.labels[i]!;
      if (y < 0) continue;
      labels.push(y);
      preds.push(rowArgmax(logits, c, i));
      lossSum += rowCrossEntropy(logits, c, i, y);
    }
  }
  return validationScores(labels, preds, lossSum, c);
}

function metricOf(config: TrainConfig, v: ValidationScores): number {
  return config.select === "accuracy" ? v.accuracy : v.macroF1;
}

async function setUp<I>(
  config: TrainConfig,
  dir: string,
  resuming: boolean,
  opts: TrainOptions,
): Promise<Setup<I>> {
  const paths = runPaths(dir);
  const storePath = await prepareStore(config.data, opts.prepare);
  const store = await openStore(storePath);
  if (config.data.bands) {
    const have = store.bands.join(",");
    if (have !== config.data.bands.join(",")) {
      store.close();
      throw new ConventionError(
        `Store ${storePath} has bands ${have}, the configuration asks for ${config.data.bands}.`,
        { hint: "Point data.store at another folder, or let the store be made for these bands." },
      );
    }
  }
  let split: Split;
  if (resuming) split = await loadSplit(paths.split, (id) => store.indexOf(id) >= 0);
  else {
    split = makeSplit(
      store.objects.map((o) => ({ id: o.id, label: o.label, confirmed: o.confirmed })),
      {
        seed: config.seed,
        testFraction: config.data.testFraction,
        valFraction: config.data.valFraction,
        classes: store.classes,
      },
    );
    await saveSplit(paths.split, split);
  }
  const entry = getModel(config.model.name) as unknown as ModelEntry<I>;
  const spec: ModelSpec = {
    preset: config.model.preset,
    // A resumed run rebuilds the architecture it started with (run.json), even if
    // the preset changed since.
    options: resuming
      ? (await readRunInfo(dir)).modelConfig ?? config.model.options
      : config.model.options,
    numClasses: store.classes.length,
    bands: [...store.bands],
    seed: config.seed,
  };
  const model = entry.create(spec);
  const { length, size } = entry.inputShape(model);
  let normalization: Normalization;
  if (resuming) normalization = await loadNormalization(paths.normalization);
  else {
    normalization = computeNormalization(store, trainingIds(split), { size });
    await saveNormalization(paths.normalization, normalization);
  }
  return {
    config,
    dir,
    store,
    split,
    normalization,
    entry,
    model,
    spec,
    length,
    size,
    parallel: null,
  };
}

/**
 * Trains a model in two stages (or resumes a run) and returns the run
 * folder. Writes `config.yaml`, `run.json`, `split.json`,
 * `normalization.json`, `metrics.csv`/`metrics.jsonl`, `checkpoints/` and
 * `best/` as it goes.
 *
 * @example
 * ```ts
 * import { simulateSurvey, train, trainPreset } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 40, size: 16, progress: false });
 * // `cpu` is the preset for a real run on two cores, `paper` the paper's training.
 * const config = trainPreset("tiny");
 * config.backend = "wasm"; // default "auto": webgpu on a GPU, else wasm
 * config.runsDir = `${dir}/runs`;
 * config.data.source = `${dir}/s82`; // a survey, ingested once into data.store
 * config.data.store = `${dir}/store`;
 * config.stage1.epochs = 1;
 * config.stage2.epochs = 1;
 * const quiet = { log: () => {}, tty: false, prepare: { progress: false } };
 * const { runDir, info, log } = await train({ config, ...quiet });
 * if (!(info.status === "done" && info.stagesDone.join() === "1,2")) throw new Error("example check failed");
 * for (const e of log) console.log(e.stage, e.epoch, e.trainLoss, e.valAccuracy);
 * console.log(await Deno.readTextFile(`${runDir}/metrics.csv`));
 * // Interrupted runs resume bit-exactly: train({ resume: runDir }).
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const say = opts.log ?? ((l: string) => console.error(l));
  let config: TrainConfig;
  let dir: string;
  const resuming = opts.resume !== undefined;
  if (resuming) {
    dir = opts.resume!.replace(/\/+$/, "");
    const p = runPaths(dir);
    let text: string;
    try {
      text = await Deno.readTextFile(p.config);
    } catch {
      throw new ConventionError(`Cannot resume ${dir}: it has no config.yaml.`, {
        hint: "Give a run folder made by `convention train`.",
      });
    }
    config = configFromYaml(text, p.config);
  } else {
    if (!opts.config) throw new UsageError("train: no configuration given.");
    config = validateConfig(structuredClone(opts.config));
    const name = config.name ?? defaultRunName(config.model.name, config.model.preset);
    config.name = name;
    dir = `${config.runsDir}/${name}`;
    try {
      await Deno.stat(`${dir}/run.json`);
      throw new UsageError(`Run folder ${dir} already exists.`, {
        hint: `Resume it with --resume ${dir}, or choose another --name.`,
      });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const paths = runPaths(dir);
  await Deno.mkdir(paths.checkpoints, { recursive: true });
  await Deno.mkdir(paths.best, { recursive: true });
  const backend = opts.selectBackend
    ? await opts.selectBackend(config.backend)
    : (await selectBackend(config.backend)).backend;

  const setup = await setUp<unknown>(config, dir, resuming, opts);
  const { model, entry, store } = setup;
  try {
    if (config.parallel > 1 || config.microBatch !== null) {
      if (backend === "wasm" || backend === "cpu") {
        setup.parallel = await DataParallel.start({
          replicas: config.parallel,
          micro: config.microBatch,
          model: entry.name,
          spec: setup.spec,
          weightNames: [...model.weights().keys()],
        });
      } else {
        say(
          `parallel ${config.parallel} and microBatch ${config.microBatch} are for the wasm ` +
            `and cpu backends; ${backend} trains each batch whole in one thread`,
        );
      }
    }
    let info: RunInfo;
    let manifest: CheckpointManifest | null = null;
    if (resuming) {
      info = await readRunInfo(dir);
      manifest = await readManifest(paths.checkpoints);
      if (info.status === "done") {
        say(`run ${dir} is already complete; nothing to resume.`);
        return { runDir: dir, info, stopped: false, log: await readEpochLog(paths.metricsJsonl) };
      }
    } else {
      await writeFileAtomic(paths.config, configToYaml(config));
      const now = new Date().toISOString();
      info = {
        version: 1,
        name: paths.name,
        model: entry.name,
        modelLabel: entry.label,
        preset: config.model.preset,
        input: entry.input,
        classes: [...store.classes],
        bands: [...store.bands],
        parameters: model.paramCount(),
        modelConfig: model.config ? structuredClone(model.config) : undefined,
        store: store.path,
        stampSize: store.size,
        backend,
        status: "running",
        trainTimeS: 0,
        started: now,
        updated: now,
        stagesDone: [],
      };
      await writeRunInfo(dir, info);
      await setLatestRun(config.runsDir, dir);
    }
    info.status = "running";
    info.backend = backend;
    let log = await readEpochLog(paths.metricsJsonl);
    if (manifest) log = log.slice(0, manifest.logRows);
    else log = [];
    const rng = manifest ? new Rng(manifest.rng) : initialRng(config.seed);
    let trainTime = manifest?.trainTimeS ?? 0;
    let epochsThisRun = 0;
    const stagesDone = [...(manifest?.stagesDone ?? [])];
    if (manifest) {
      say(
        `resuming ${dir}: stage ${manifest.stage}, ${manifest.epoch} epoch(s) done` +
          (manifest.stageDone ? " (stage finished)" : ""),
      );
    }
    say(
      `training ${entry.label} (${config.model.preset}, ${
        info.parameters.toLocaleString("en-US")
      } ` +
        `parameters) on ${store.path} [${backend}${
          setup.parallel
            ? `, ${setup.parallel.replicas} replica(s)` +
              (setup.parallel.micro ? `, micro-batches of ${setup.parallel.micro}` : "")
            : ""
        }] -> ${dir}`,
    );

    for (const s of STAGES) {
      const st = stageConfig(config, s);
      if (!st.enabled || stagesDone.includes(s)) continue;
      const ids = stageIds(setup.split, s);
      const optimizer = makeOptimizer(setup, s);
      try {
        let startEpoch = 0;
        let best: BestSoFar | null = null;
        let sinceBest = 0;
        if (manifest && manifest.stage === s && !manifest.stageDone) {
          await loadCheckpoint(paths.checkpoints, manifest, model, optimizer);
          startEpoch = manifest.epoch;
          best = manifest.best;
          sinceBest = manifest.sinceBest;
        } else if (manifest) {
          // The previous stage finished: its checkpoint holds its best weights.
          await loadCheckpoint(paths.checkpoints, manifest, model, null);
        }
        manifest = null;
        if (ids.train.length === 0) {
          say(`stage ${s}: no training objects in the split; skipped.`);
          stagesDone.push(s);
          continue;
        }
        let stopEarly = false;
        for (let epoch = startEpoch + 1; epoch <= st.epochs; epoch++) {
          if (opts.stopAfterEpochs !== undefined && epochsThisRun >= opts.stopAfterEpochs) {
            info.status = "stopped";
            info.trainTimeS = trainTime;
            info.updated = new Date().toISOString();
            info.stagesDone = stagesDone;
            await writeRunInfo(dir, info);
            say(
              `stopped after ${epochsThisRun} epoch(s) (--stop-after-epochs); resume with --resume ${dir}`,
            );
            return { runDir: dir, info, stopped: true, log };
          }
          const t0 = performance.now();
          const row = await runEpoch(setup, s, epoch, optimizer, rng, opts.tty);
          const val = await validate(setup, ids.val);
          const seconds = (performance.now() - t0) / 1000;
          trainTime += seconds;
          let isBest = false;
          if (val) {
            const m = metricOf(config, val);
            if (best === null || m > best.value) {
              best = { epoch, value: m };
              isBest = true;
              sinceBest = 0;
              await saveWeightsFile(model, `${paths.best}/stage${s}.safetensors`, {
                stage: String(s),
                epoch: String(epoch),
                metric: config.select,
                value: String(m),
              });
            } else sinceBest++;
          }
          const entryLog: EpochLog = {
            stage: s,
            epoch,
            lr: st.lr,
            trainLoss: row.loss,
            trainAccuracy: row.accuracy,
            valLoss: val?.loss,
            valAccuracy: val?.accuracy,
            valBalancedAccuracy: val?.balancedAccuracy,
            valMacroF1: val?.macroF1,
            best: isBest,
            objects: row.objects,
            seconds,
            objectsPerSecond: row.objects / row.seconds,
          };
          log.push(entryLog);
          await writeEpochLog(paths.metricsCsv, paths.metricsJsonl, log);
          say(
            `stage ${s} epoch ${epoch}/${st.epochs}: loss ${row.loss.toFixed(4)} acc ${
              row.accuracy.toFixed(3)
            }` +
              (val
                ? ` | val loss ${val.loss.toFixed(4)} acc ${val.accuracy.toFixed(3)} macro-F1 ${
                  val.macroF1.toFixed(3)
                }${isBest ? " (best)" : ""}`
                : "") +
              ` | ${(row.objects / row.seconds).toFixed(1)} objects/s, ${seconds.toFixed(1)} s`,
          );
          stopEarly = st.patience > 0 && sinceBest >= st.patience;
          const last = epoch === st.epochs || stopEarly;
          if (last) {
            // Keep the stage's best weights (by validation), then mark it done.
            if (best) await loadWeightsFile(model, `${paths.best}/stage${s}.safetensors`);
            else {await saveWeightsFile(model, `${paths.best}/stage${s}.safetensors`, {
                stage: String(s),
                epoch: String(epoch),
              });}
            stagesDone.push(s);
          }
          await saveCheckpoint(paths.checkpoints, model, last ? null : optimizer, {
            stage: s,
            epoch,
            stageDone: last,
            stagesDone: [...stagesDone],
            rng: rng.state(),
            best,
            sinceBest,
            logRows: log.length,
            trainTimeS: trainTime,
          });
          info.trainTimeS = trainTime;
          info.updated = new Date().toISOString();
          info.stagesDone = [...stagesDone];
          await writeRunInfo(dir, info);
          epochsThisRun++;
          if (stopEarly) {
            say(
              `stage ${s}: early stop after epoch ${epoch} (no ${config.select} gain for ${st.patience} epochs; best epoch ${best?.epoch})`,
            );
            break;
          }
        }
      } finally {
        optimizer.dispose();
      }
    }
    // The final model: the best weights of the last stage run (now in the model).
    if (entry.save) {
      await entry.save(model, paths.finalWeights, { run: paths.name, preset: config.model.preset });
    } else await saveWeightsFile(model, paths.finalWeights, { run: paths.name });
    info.status = "done";
    info.trainTimeS = trainTime;
    info.updated = new Date().toISOString();
    info.stagesDone = stagesDone;
    await writeRunInfo(dir, info);
    return { runDir: dir, info, stopped: false, log };
  } catch (caught) {
    const e = backend === "wasm"
      ? explainWasmMemory(
        caught,
        `while training ${entry.label} (${config.model.preset} preset, batch ${config.batchSize}, ` +
          `evaluation batch ${config.evalBatchSize}, microBatch ${config.microBatch})`,
        "lower the objects per forward pass: --micro-batch 2 for training, " +
          "--set evalBatchSize=8 for validation and evaluation (the paper preset needs both " +
          "on wasm), or train on a GPU (--backend webgpu). To continue this run, set microBatch " +
          `and evalBatchSize in ${dir}/config.yaml, then --resume ${dir}`,
      )
      : caught;
    if (e instanceof TrainingDivergedError || e instanceof WasmMemoryError) {
      try {
        const info = await readRunInfo(dir);
        info.status = "failed";
        info.error = e.message;
        info.updated = new Date().toISOString();
        await writeRunInfo(dir, info);
      } catch { /* keep the original error */ }
    }
    throw e;
  } finally {
    setup.parallel?.close();
    model.dispose();
    store.close();
  }
}

/** Training statistics of one epoch. */
interface EpochStats {
  loss: number;
  accuracy: number;
  objects: number;
  seconds: number;
}

async function runEpoch<I>(
  setup: Setup<I>,
  stage: number,
  epoch: number,
  optimizer: Adam,
  rng: Rng,
  tty: boolean | undefined,
): Promise<EpochStats> {
  const { config, store, split, normalization, entry, model, length, size } = setup;
  const st = stageConfig(config, stage);
  const stream = epochBatches(store, stageIds(split, stage).train, {
    seed: config.seed,
    stage,
    epoch,
    batchSize: config.batchSize,
    length,
    size,
    normalization,
    augment: config.data.augment,
    balance: config.data.balance,
    perClass: st.perClass,
    prefetch: config.data.workers > 0 ? 2 : 0,
    workers: Math.max(1, config.data.workers),
  });
  const progress = new Progress(
    `stage ${stage} epoch ${epoch}/${st.epochs}`,
    stream.rows,
    "objects",
    tty,
  );
  const t0 = performance.now();
  let lossSum = 0, correct = 0, rows = 0, b = 0;
  for await (const batch of stream) {
    b++;
    const seed = rng.nextUint32();
    const stretched = stretchBatch(batch, config.data.stretch);
    const stepOpts = { loss: config.loss.name, gamma: config.loss.gamma, seed };
    const input = setup.parallel ? null : entry.adapter(stretched);
    const labels = setup.parallel ? null : tf.tensor1d(batch.labels, "int32");
    try {
      const r = setup.parallel
        ? await setup.parallel.step(model, optimizer, entry, stretched, stepOpts)
        : await trainStep(model, optimizer, input!, labels!, stepOpts);
      lossSum += r.loss * batch.batchSize;
      correct += r.correct;
      rows += batch.batchSize;
    } catch (e) {
      if (e instanceof NonFiniteLossError) {
        progress.done(undefined, true);
        const what = e.cause instanceof Error ? e.cause.message : `the loss is ${e.loss}`;
        throw new TrainingDivergedError(
          `Training diverged at stage ${stage}, epoch ${epoch}, batch ${b}/${stream.length}: ` +
            `${what}. The weights of that step were not applied; the last good checkpoint ` +
            `(${setup.dir}/checkpoints) is intact.`,
          { stage, epoch, batch: b, loss: e.loss },
          `lower the learning rate (stage${stage}.lr = ${st.lr}), then resume with ` +
            `--resume ${setup.dir} or start again`,
        );
      }
      throw e;
    } finally {
      if (input !== null) entry.disposeInput(input);
      labels?.dispose();
    }
    progress.tick(
      batch.batchSize,
      `batch ${b}/${stream.length} loss ${(lossSum / rows).toFixed(4)} acc ${
        (correct / rows).toFixed(3)
      }`,
    );
  }
  progress.done(undefined, true);
  return {
    loss: rows ? lossSum / rows : NaN,
    accuracy: rows ? correct / rows : 0,
    objects: rows,
    seconds: (performance.now() - t0) / 1000,
  };
}
