/**
 * Early classification: every test object's series cut at t days after its
 * first epoch (default 5, 10, 20, 40 and all), classified again, with the
 * metrics and their intervals per cut. The cut removes the later epochs and
 * adds none (lib/data/cut.ts); the model and its temperature are unchanged.
 *
 * @module
 */
import type { Store } from "../data/store.ts";
import type { LoadedRun } from "../train/load_run.ts";
import type { RunTemperature } from "../train/run_dir.ts";
import { collectPredictions } from "./collect.ts";
import { evaluationMetrics } from "./eval_metrics.ts";
import type { Interval } from "./stats/binomial.ts";

/** The default cuts in days after the first epoch (null = the whole series). */
export const DEFAULT_CUTS: readonly (number | null)[] = [5, 10, 20, 40, null];

/** The metrics of one cut. */
export interface EarlyRow {
  /** Days after the first epoch (null: the whole series). */
  days: number | null;
  /** Objects. */
  n: number;
  /** Mean real frames the model saw. */
  meanFrames: number;
  /** Accuracy. */
  accuracy: number;
  /** Its Clopper-Pearson 95 % interval. */
  accuracyInterval: Interval;
  /** Balanced accuracy. */
  balancedAccuracy: number;
  /** Its bootstrap 95 % interval. */
  balancedAccuracyInterval: Interval;
  /** Macro F1. */
  macroF1: number;
  /** Its bootstrap 95 % interval. */
  macroF1Interval: Interval;
  /** SN Ia efficiency at the argmax (null without an SN Ia class). */
  sniaEfficiency: number | null;
  /** SN Ia purity at the argmax (null without an SN Ia class or selection). */
  sniaPurity: number | null;
  /** Expected calibration error of the (scaled) probabilities. */
  ece: number;
}

/**
 * Classifies `ids` at every cut and returns one row per cut.
 *
 * @param run The loaded run.
 * @param store Its store.
 * @param ids Test object ids.
 * @param opts Cuts, batch size, temperature, progress.
 */
export async function earlyClassification<I>(
  run: LoadedRun<I>,
  store: Store,
  ids: readonly string[],
  opts: {
    cuts?: readonly (number | null)[];
    batchSize: number;
    temperature?: RunTemperature;
    tty?: boolean;
  },
): Promise<EarlyRow[]> {
  const rows: EarlyRow[] = [];
  for (const days of opts.cuts ?? DEFAULT_CUTS) {
    const c = await collectPredictions(run, store, ids, {
      batchSize: opts.batchSize,
      galleryMax: 0,
      label: `early ${days === null ? "all" : `${days} d`}`,
      tty: opts.tty,
      cut: days === null ? null : { days },
    });
    const { metrics: m } = evaluationMetrics(c.labels, c.logits, run.info.classes, {
      temperature: opts.temperature,
    });
    const iv = m.intervals!;
    rows.push({
      days,
      n: m.n,
      meanFrames: c.nFrames.length ? c.nFrames.reduce((a, b) => a + b, 0) / c.nFrames.length : 0,
      accuracy: m.accuracy,
      accuracyInterval: iv.accuracyClopperPearson,
      balancedAccuracy: m.balancedAccuracy,
      balancedAccuracyInterval: iv.bootstrap.balancedAccuracy,
      macroF1: m.macroF1,
      macroF1Interval: iv.bootstrap.macroF1,
      sniaEfficiency: m.snia ? m.snia.argmax.efficiency : null,
      sniaPurity: m.snia ? m.snia.argmax.purity : null,
      ece: m.ece,
    });
  }
  return rows;
}
