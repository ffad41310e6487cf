/**
 * The two-stage training loop (paper §4.2), generic over the registered
 * models: stage 1 on the unconfirmed objects (plus half of the confirmed
 * AGN/variables), stage 2 fine-tuning on the remaining confirmed objects.
 * Each epoch: balanced augmented batches from the loader, validation on the
 * stage's validation set, `metrics.csv`/`metrics.jsonl`, best weights by the
 * validation metric, early stopping, and a checkpoint. At the end, the
 * final weights and the temperature that calibrates them (fitted on the
 * validation objects).
 *
 * The parts, each testable alone: {@link openRun} (new or resumed run
 * folder), `setUp`/`startParallel` (setup.ts), {@link runStage} (one stage),
 * `runEpoch` (epoch.ts), checkpointing (checkpoint.ts, stage.ts) and the
 * `run.json` updates (run_info.ts).
 *
 * Determinism: the split, the epoch plans (seed, stage, epoch), the
 * augmentations, the initialisation and the dropout masks all come from the
 * run seed; the dropout seed of each step is drawn from a generator whose
 * state is checkpointed, and the optimiser state is restored exactly, so
 * `resume` ends with the same weights as an uninterrupted run.
 *
 * @module
 */
import { Rng } from "../util/rng.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { configToYaml, type TrainConfig } from "./config.ts";
import { explainWasmMemory, WasmMemoryError } from "./wasm_memory.ts";
import { type EpochLog, readEpochLog } from "./metrics_log.ts";
import { readManifest, saveWeightsFile } from "./checkpoint.ts";
import { readRunInfo, type RunInfo, runPaths, setLatestRun, writeRunInfo } from "./run_dir.ts";
import type { PrepareOptions } from "./data_source.ts";
import { selectBackend } from "./backend.ts";
import { checkStoreFingerprint } from "../data/store_fingerprint.ts";
import { TrainingDivergedError } from "./diverged.ts";
import { openRun } from "./open_run.ts";
import { type Setup, setUp, stageConfig, startParallel } from "./setup.ts";
import { runStage, type RunState } from "./stage.ts";
import { markRunFailed, newRunInfo, updateRunInfo } from "./run_info.ts";
import { fitRunTemperature } from "./calibrate.ts";

export { TrainingDivergedError };

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

const STAGES = [1, 2] as const;

/**
 * The state a run starts from: a new `run.json` (and `config.yaml`), or the
 * resumed run's with its checkpoint; null when the resumed run is complete.
 */
async function beginRun<I>(
  setup: Setup<I>,
  backend: string,
  resuming: boolean,
): Promise<RunState | null> {
  const { config, dir, entry, model, store } = setup;
  const paths = runPaths(dir);
  let info: RunInfo;
  let manifest = null;
  if (resuming) {
    info = await readRunInfo(dir);
    checkStoreFingerprint(store.path, store.index, info.storeFingerprint, dir);
    manifest = await readManifest(paths.checkpoints);
    if (info.status === "done") return null;
  } else {
    await writeFileAtomic(paths.config, configToYaml(config));
    info = newRunInfo(dir, config, entry, model, store, backend);
    await writeRunInfo(dir, info);
    await setLatestRun(config.runsDir, dir);
  }
  info.status = "running";
  info.backend = backend;
  const log = manifest ? (await readEpochLog(paths.metricsJsonl)).slice(0, manifest.logRows) : [];
  return {
    info,
    log,
    rng: manifest ? new Rng(manifest.rng) : Rng.derive(config.seed, "train/dropout"),
    trainTime: manifest?.trainTimeS ?? 0,
    epochsThisRun: 0,
    stagesDone: [...(manifest?.stagesDone ?? [])],
    manifest,
  };
}

function startLine<I>(setup: Setup<I>, state: RunState, backend: string): string {
  const { config, entry, store, parallel, dir } = setup;
  const par = parallel
    ? `, ${parallel.replicas} replica(s)` +
      (parallel.micro ? `, micro-batches of ${parallel.micro}` : "")
    : "";
  return `training ${entry.label} (${config.model.preset}, ${
    state.info.parameters.toLocaleString("en-US")
  } parameters) on ${store.path} [${backend}${par}] -> ${dir}`;
}

/** Saves the final model, fits its temperature and marks the run done. */
async function finishRun<I>(setup: Setup<I>, state: RunState, say: (l: string) => void) {
  const { entry, model, config, dir } = setup;
  const paths = runPaths(dir);
  // The final model: the best weights of the last stage run (now in the model).
  if (entry.save) {
    await entry.save(model, paths.finalWeights, { run: paths.name, preset: config.model.preset });
  } else await saveWeightsFile(model, paths.finalWeights, { run: paths.name });
  const t = await fitRunTemperature(setup, setup.split);
  state.info.temperature = t;
  say(
    `calibration: temperature ${t.value.toFixed(3)} on ${t.fittedOn} ${t.split} objects ` +
      `(NLL ${t.nllBefore.toFixed(4)} -> ${t.nllAfter.toFixed(4)})`,
  );
  await updateRunInfo(dir, state.info, {
    status: "done",
    trainTimeS: state.trainTime,
    stagesDone: state.stagesDone,
  });
}

/** The error to throw: wasm memory failures explained; the run marked failed when it is one. */
async function failRun<I>(setup: Setup<I>, backend: string, caught: unknown): Promise<unknown> {
  const { config, entry, dir } = setup;
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
    await markRunFailed(dir, e.message, readRunInfo);
  }
  return e;
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
  const { config, dir, resuming } = await openRun(opts);
  const paths = runPaths(dir);
  await Deno.mkdir(paths.checkpoints, { recursive: true });
  await Deno.mkdir(paths.best, { recursive: true });
  const backend = opts.selectBackend
    ? await opts.selectBackend(config.backend)
    : (await selectBackend(config.backend)).backend;
  const setup = await setUp<unknown>(config, dir, resuming, opts.prepare);
  try {
    setup.parallel = await startParallel(setup, backend, say);
    const state = await beginRun(setup, backend, resuming);
    if (state === null) {
      say(`run ${dir} is already complete; nothing to resume.`);
      const info = await readRunInfo(dir);
      return { runDir: dir, info, stopped: false, log: await readEpochLog(paths.metricsJsonl) };
    }
    const m = state.manifest;
    if (m) {
      say(
        `resuming ${dir}: stage ${m.stage}, ${m.epoch} epoch(s) done` +
          (m.stageDone ? " (stage finished)" : ""),
      );
    }
    say(startLine(setup, state, backend));
    const stageOpts = { stopAfterEpochs: opts.stopAfterEpochs, tty: opts.tty, say };
    for (const s of STAGES) {
      if (!stageConfig(config, s).enabled || state.stagesDone.includes(s)) continue;
      if (await runStage(setup, state, s, stageOpts)) {
        return { runDir: dir, info: state.info, stopped: true, log: state.log };
      }
    }
    await finishRun(setup, state, say);
    return { runDir: dir, info: state.info, stopped: false, log: state.log };
  } catch (caught) {
    throw await failRun(setup, backend, caught);
  } finally {
    setup.parallel?.close();
    setup.model.dispose();
    setup.store.close();
  }
}
