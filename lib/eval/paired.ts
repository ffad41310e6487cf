/**
 * Paired comparison of two evaluated runs on the same test objects: the
 * difference in accuracy with its paired bootstrap interval and the exact
 * McNemar p-value, from each run's `eval/predictions.csv` (matched by object
 * id; objects in only one of the two are left out and counted).
 *
 * @module
 */
import { parse } from "csv-parse/sync";
import { ConventionError } from "../errors.ts";
import { runPaths } from "../train/run_dir.ts";
import {
  type BootstrapOptions,
  type Interval,
  mcnemarPaired,
  pairedAccuracyDifference,
} from "./stats/mod.ts";

/** Per-object outcome of one evaluated run. */
export interface RunPredictions {
  /** Object ids, in file order. */
  ids: string[];
  /** True class name per object. */
  truth: string[];
  /** Predicted class name per object. */
  predicted: string[];
}

/** A row's comparison against the reference row. */
export interface PairedComparison {
  /** The reference run. */
  reference: string;
  /** Objects both runs classified (the pairs). */
  n: number;
  /** Objects of this run absent from the reference (or the reverse). */
  unmatched: number;
  /** accuracy(row) - accuracy(reference) on the pairs. */
  difference: number;
  /** Paired bootstrap 95 % interval of the difference. */
  interval: Interval;
  /** Objects right here and wrong in the reference. */
  onlyThisRight: number;
  /** Objects wrong here and right in the reference. */
  onlyReferenceRight: number;
  /** Exact two-sided McNemar p-value. */
  p: number;
  /** p < 0.05 and the interval excludes 0: the difference holds at 95 %. */
  significant: boolean;
}

/** Reads `eval/predictions.csv` of a run. */
export async function readPredictions(dir: string, evalDir = "eval"): Promise<RunPredictions> {
  const p = `${runPaths(dir).dir}/${evalDir}/predictions.csv`;
  let text: string;
  try {
    text = await Deno.readTextFile(p);
  } catch (e) {
    throw new ConventionError(`Run ${dir} has no ${p}: ${(e as Error).message}`, {
      hint: `Run \`convention eval ${dir}\` first.`,
    });
  }
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  if (rows.length && !("object_id" in rows[0]! && "true" in rows[0]! && "predicted" in rows[0]!)) {
    throw new ConventionError(`${p} lacks the object_id, true and predicted columns.`, {
      hint: `Evaluate the run again: \`convention eval ${dir}\`.`,
    });
  }
  return {
    ids: rows.map((r) => r.object_id!),
    truth: rows.map((r) => r.true!),
    predicted: rows.map((r) => r.predicted!),
  };
}

/**
 * Compares `row` against `reference` on the objects both classified.
 *
 * @param row Predictions of the row's run.
 * @param reference Predictions of the reference run.
 * @param referenceName Name shown for the reference.
 * @param opts Bootstrap resamples and seed.
 */
export function pairedComparison(
  row: RunPredictions,
  reference: RunPredictions,
  referenceName: string,
  opts: BootstrapOptions = {},
): PairedComparison {
  const refIndex = new Map(reference.ids.map((id, i) => [id, i]));
  const a: boolean[] = [], b: boolean[] = [];
  row.ids.forEach((id, i) => {
    const j = refIndex.get(id);
    if (j === undefined) return;
    a.push(row.predicted[i] === row.truth[i]);
    b.push(reference.predicted[j] === reference.truth[j]);
  });
  const m = mcnemarPaired(a, b);
  const d = pairedAccuracyDifference(a, b, { resamples: 2000, seed: 1, ...opts });
  return {
    reference: referenceName,
    n: a.length,
    unmatched: row.ids.length - a.length + reference.ids.length - a.length,
    difference: d.difference,
    interval: d.interval,
    onlyThisRight: m.b,
    onlyReferenceRight: m.c,
    p: m.p,
    significant: m.p < 0.05 && (d.interval.lo > 0 || d.interval.hi < 0),
  };
}
