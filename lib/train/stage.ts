/**
 * One training stage: restore its state when resuming, then epochs of
 * training and validation, the best weights by the validation metric, early
 * stopping, and after every epoch the checkpoint and the `run.json` update.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import type { Adam } from "../model/infra/optimizer.ts";
import type { EpochLog } from "./metrics_log.ts";
import { writeEpochLog } from "./metrics_log.ts";
import {
  type BestSoFar,
  type CheckpointManifest,
  loadCheckpoint,
  loadWeightsFile,
  saveCheckpoint,
  saveWeightsFile,
} from "./checkpoint.ts";
import { type RunInfo, runPaths } from "./run_dir.ts";
import { makeOptimizer, metricOf, type Setup, stageConfig, stageIds, validate } from "./setup.ts";
import type { ValidationScores } from "./validation.ts";
import { type EpochStats, runEpoch } from "./epoch.ts";
import { updateRunInfo } from "./run_info.ts";

/** The mutable state of a run across stages and epochs. */
export interface RunState {
  /** `run.json`, updated in place. */
  info: RunInfo;
  /** The per-epoch log so far. */
  log: EpochLog[];
  /** The step-seed generator (checkpointed). */
  rng: Rng;
  /** Seconds trained so far (every invocation). */
  trainTime: number;
  /** Epochs trained in this invocation. */
  epochsThisRun: number;
  /** Stages finished. */
  stagesDone: number[];
  /** The checkpoint to resume from, consumed by the first stage that runs. */
  manifest: CheckpointManifest | null;
}

/** How a stage runs. */
export interface StageOptions {
  /** Stop (as if killed) after this many epochs of this invocation. */
  stopAfterEpochs?: number;
  /** Live progress bars. */
  tty?: boolean;
  /** Messages. */
  say: (line: string) => void;
}

/** Best epoch tracking of a stage. */
interface Selection {
  best: BestSoFar | null;
  sinceBest: number;
}

/** Loads the checkpoint the stage resumes from; returns the epoch to start after. */
async function restoreStage<I>(
  setup: Setup<I>,
  state: RunState,
  s: number,
  optimizer: Adam,
): Promise<{ startEpoch: number; sel: Selection }> {
  const m = state.manifest;
  state.manifest = null;
  const dir = runPaths(setup.dir).checkpoints;
  if (m && m.stage === s && !m.stageDone) {
    await loadCheckpoint(dir, m, setup.model, optimizer);
    return { startEpoch: m.epoch, sel: { best: m.best, sinceBest: m.sinceBest } };
  }
  // The previous stage finished: its checkpoint holds its best weights.
  if (m) await loadCheckpoint(dir, m, setup.model, null);
  return { startEpoch: 0, sel: { best: null, sinceBest: 0 } };
}

/** Updates the best epoch from validation and saves the best weights; returns whether it is best. */
async function trackBest<I>(
  setup: Setup<I>,
  s: number,
  epoch: number,
  val: ValidationScores | null,
  sel: Selection,
): Promise<boolean> {
  if (!val) return false;
  const m = metricOf(setup.config, val);
  if (sel.best !== null && !(m > sel.best.value)) {
    sel.sinceBest++;
    return false;
  }
  sel.best = { epoch, value: m };
  sel.sinceBest = 0;
  await saveWeightsFile(setup.model, `${runPaths(setup.dir).best}/stage${s}.safetensors`, {
    stage: String(s),
    epoch: String(epoch),
    metric: setup.config.select,
    value: String(m),
  });
  return true;
}

/** The log row of an epoch, and its console line. */
function epochLog(
  s: number,
  epoch: number,
  lr: number,
  row: EpochStats,
  val: ValidationScores | null,
  isBest: boolean,
  seconds: number,
  epochs: number,
): { entry: EpochLog; line: string } {
  const entry: EpochLog = {
    stage: s,
    epoch,
    lr,
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
  const v = val
    ? ` | val loss ${val.loss.toFixed(4)} acc ${val.accuracy.toFixed(3)} macro-F1 ${
      val.macroF1.toFixed(3)
    }${isBest ? " (best)" : ""}`
    : "";
  const line = `stage ${s} epoch ${epoch}/${epochs}: loss ${row.loss.toFixed(4)} acc ${
    row.accuracy.toFixed(3)
  }${v} | ${(row.objects / row.seconds).toFixed(1)} objects/s, ${seconds.toFixed(1)} s`;
  return { entry, line };
}

/**
 * Ends an epoch: on the stage's last epoch keeps its best weights and marks it
 * done, then writes the checkpoint and updates `run.json`.
 */
async function endEpoch<I>(
  setup: Setup<I>,
  state: RunState,
  s: number,
  epoch: number,
  last: boolean,
  optimizer: Adam,
  sel: Selection,
): Promise<void> {
  const paths = runPaths(setup.dir);
  const bestFile = `${paths.best}/stage${s}.safetensors`;
  if (last) {
    // Keep the stage's best weights (by validation), then mark it done.
    if (sel.best) await loadWeightsFile(setup.model, bestFile);
    else await saveWeightsFile(setup.model, bestFile, { stage: String(s), epoch: String(epoch) });
    state.stagesDone.push(s);
  }
  await saveCheckpoint(paths.checkpoints, setup.model, last ? null : optimizer, {
    stage: s,
    epoch,
    stageDone: last,
    stagesDone: [...state.stagesDone],
    rng: state.rng.state(),
    best: sel.best,
    sinceBest: sel.sinceBest,
    logRows: state.log.length,
    trainTimeS: state.trainTime,
  });
  await updateRunInfo(setup.dir, state.info, {
    trainTimeS: state.trainTime,
    stagesDone: state.stagesDone,
  });
}

/**
 * Runs stage `s` to its end (all epochs or early stop). Returns true when
 * `stopAfterEpochs` stopped the run (its `run.json` then says `stopped`).
 */
export async function runStage<I>(
  setup: Setup<I>,
  state: RunState,
  s: number,
  opts: StageOptions,
): Promise<boolean> {
  const st = stageConfig(setup.config, s);
  const ids = stageIds(setup.split, s);
  const optimizer = makeOptimizer(setup, s);
  try {
    const { startEpoch, sel } = await restoreStage(setup, state, s, optimizer);
    if (ids.train.length === 0) {
      opts.say(`stage ${s}: no training objects in the split; skipped.`);
      state.stagesDone.push(s);
      return false;
    }
    for (let epoch = startEpoch + 1; epoch <= st.epochs; epoch++) {
      if (opts.stopAfterEpochs !== undefined && state.epochsThisRun >= opts.stopAfterEpochs) {
        await updateRunInfo(setup.dir, state.info, {
          status: "stopped",
          trainTimeS: state.trainTime,
          stagesDone: state.stagesDone,
        });
        opts.say(
          `stopped after ${state.epochsThisRun} epoch(s) (--stop-after-epochs); resume with --resume ${setup.dir}`,
        );
        return true;
      }
      const t0 = performance.now();
      const row = await runEpoch(setup, s, epoch, optimizer, state.rng, opts.tty);
      const val = await validate(setup, ids.val);
      const seconds = (performance.now() - t0) / 1000;
      state.trainTime += seconds;
      const isBest = await trackBest(setup, s, epoch, val, sel);
      const { entry, line } = epochLog(s, epoch, st.lr, row, val, isBest, seconds, st.epochs);
      state.log.push(entry);
      const paths = runPaths(setup.dir);
      await writeEpochLog(paths.metricsCsv, paths.metricsJsonl, state.log);
      opts.say(line);
      const stopEarly = st.patience > 0 && sel.sinceBest >= st.patience;
      await endEpoch(setup, state, s, epoch, epoch === st.epochs || stopEarly, optimizer, sel);
      state.epochsThisRun++;
      if (stopEarly) {
        opts.say(
          `stage ${s}: early stop after epoch ${epoch} (no ${setup.config.select} gain for ${st.patience} epochs; best epoch ${sel.best?.epoch})`,
        );
        break;
      }
    }
    return false;
  } finally {
    optimizer.dispose();
  }
}
