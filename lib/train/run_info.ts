/**
 * The updates of `run.json` a training run makes: the first record of a new
 * run, and one update (status, train time, stages done, time stamp) after
 * every epoch, on a stop and at the end.
 *
 * @module
 */
import type { TrainConfig } from "./config.ts";
import type { ModelEntry, TrainableModel } from "./models.ts";
import type { Store } from "../data/store.ts";
import { storeFingerprint } from "../data/store_fingerprint.ts";
import { type RunInfo, runPaths, writeRunInfo } from "./run_dir.ts";

/** The `run.json` of a new run (status `running`). */
export function newRunInfo<I>(
  dir: string,
  config: TrainConfig,
  entry: ModelEntry<I>,
  model: TrainableModel<I>,
  store: Store,
  backend: string,
  now = new Date().toISOString(),
): RunInfo {
  return {
    version: 1,
    name: runPaths(dir).name,
    model: entry.name,
    modelLabel: entry.label,
    preset: config.model.preset,
    input: entry.input,
    classes: [...store.classes],
    bands: [...store.bands],
    parameters: model.paramCount(),
    modelConfig: model.config ? structuredClone(model.config) : undefined,
    store: store.path,
    storeFingerprint: storeFingerprint(store.index),
    stampSize: store.size,
    backend,
    status: "running",
    trainTimeS: 0,
    started: now,
    updated: now,
    stagesDone: [],
  };
}

/** What an update of `run.json` changes. */
export interface RunInfoUpdate {
  /** New status (default: unchanged). */
  status?: RunInfo["status"];
  /** Seconds trained so far. */
  trainTimeS: number;
  /** Stages finished. */
  stagesDone: readonly number[];
}

/**
 * Applies `u` to `info` (status, train time, a copy of the stages done, the
 * time stamp) and writes `run.json`.
 */
export async function updateRunInfo(dir: string, info: RunInfo, u: RunInfoUpdate): Promise<void> {
  if (u.status) info.status = u.status;
  info.trainTimeS = u.trainTimeS;
  info.updated = new Date().toISOString();
  info.stagesDone = [...u.stagesDone];
  await writeRunInfo(dir, info);
}

/** Marks a run failed with the error's message (keeps the original error if that fails). */
export async function markRunFailed(
  dir: string,
  message: string,
  read: (dir: string) => Promise<RunInfo>,
): Promise<void> {
  try {
    const info = await read(dir);
    info.status = "failed";
    info.error = message;
    info.updated = new Date().toISOString();
    await writeRunInfo(dir, info);
  } catch { /* keep the original error */ }
}
