/**
 * The per-epoch log of a run: `metrics.csv` and `metrics.jsonl`, one row per
 * epoch of each stage. On resume the log is cut back to the epochs the
 * checkpoint holds, so a resumed run's log equals an uninterrupted one's
 * (apart from times).
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { writeFileAtomic } from "../util/atomic.ts";

/** One row of a learning-curve log (one epoch of one stage). */
export interface EpochRecord {
  /** Training stage (1 or 2). */
  stage: number;
  /** Epoch within the stage, from 1. */
  epoch: number;
  /** Mean training loss. */
  trainLoss: number;
  /** Training accuracy (on the augmented balanced epoch). */
  trainAccuracy: number;
  /** Validation loss (absent when there is no validation set). */
  valLoss?: number;
  /** Validation accuracy. */
  valAccuracy?: number;
  /** Validation macro F1. */
  valMacroF1?: number;
}

/** One epoch of training, as logged. */
export interface EpochLog extends EpochRecord {
  /** Learning rate of the stage. */
  lr: number;
  /** Validation balanced accuracy. */
  valBalancedAccuracy?: number;
  /** Whether this epoch is the best of its stage so far. */
  best: boolean;
  /** Objects seen in training this epoch. */
  objects: number;
  /** Seconds for the epoch (training + validation). */
  seconds: number;
  /** Training objects per second. */
  objectsPerSecond: number;
}

/** Column order of `metrics.csv`. */
export const LOG_COLUMNS: readonly (keyof EpochLog)[] = [
  "stage",
  "epoch",
  "lr",
  "trainLoss",
  "trainAccuracy",
  "valLoss",
  "valAccuracy",
  "valBalancedAccuracy",
  "valMacroF1",
  "best",
  "objects",
  "seconds",
  "objectsPerSecond",
];

/** Reads `metrics.jsonl` (missing file: empty list). */
export async function readEpochLog(jsonlPath: string): Promise<EpochLog[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(jsonlPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as EpochLog);
}

/** Rewrites both log files from `rows` (atomically). */
export async function writeEpochLog(
  csvPath: string,
  jsonlPath: string,
  rows: readonly EpochLog[],
): Promise<void> {
  const csv = stringify([
    LOG_COLUMNS as string[],
    ...rows.map((r) =>
      LOG_COLUMNS.map((k) => {
        const v = r[k];
        return v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? "" : v;
      })
    ),
  ]);
  await writeFileAtomic(csvPath, csv);
  await writeFileAtomic(jsonlPath, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}
