/**
 * `convention train --folds k`: stratified k-fold cross-validation for user
 * data. Run f trains on everything but fold f of the confirmed objects and
 * is tested on fold f; the k test sets cover every confirmed object once,
 * and the metrics are pooled over them (one prediction per object), with
 * their intervals. Written to `<runsDir>/<name>-folds/`.
 *
 * @module
 */
import { parse } from "csv-parse/sync";
import { writeFileAtomic } from "../util/atomic.ts";
import { ConventionError } from "../errors.ts";
import { train, type TrainOptions } from "../train/train.ts";
import type { TrainConfig } from "../train/config.ts";
import { defaultRunName } from "../train/run_dir.ts";
import { evaluateRun } from "../eval/evaluate.ts";
import { computeMetrics, type Metrics } from "../eval/metrics.ts";
import { metricIntervals, sniaReport } from "../eval/intervals.ts";
import { metricsCsv, metricsMarkdown } from "../eval/tables.ts";
import { argmax } from "../eval/metrics.ts";

/** Result of {@link trainFolds}. */
export interface FoldsResult {
  /** Run folders, fold 1 first. */
  runs: string[];
  /** Metrics pooled over the k test folds. */
  pooled: Metrics;
  /** The pooled metrics as Markdown. */
  markdown: string;
  /** Files written. */
  files: string[];
}

/** Pools the per-object predictions (`eval/predictions.csv`) of the fold runs. */
export async function poolFoldPredictions(
  runs: readonly string[],
  classes: readonly string[],
): Promise<Metrics> {
  const labels: number[] = [], probs: number[][] = [];
  const seen = new Set<string>();
  for (const r of runs) {
    const rows = parse(await Deno.readTextFile(`${r}/eval/predictions.csv`), {
      columns: true,
      skip_empty_lines: true,
    }) as Record<string, string>[];
    for (const row of rows) {
      const id = row.object_id!;
      if (seen.has(id)) {
        throw new ConventionError(`Object "${id}" is in two test folds (${r}).`, {
          hint: "The fold runs must share one split seed and k.",
        });
      }
      seen.add(id);
      labels.push(classes.indexOf(row.true!));
      probs.push(classes.map((c) => Number(row[`p_${c}`])));
    }
  }
  const m = computeMetrics(labels, probs, classes);
  m.intervals = metricIntervals(labels, probs.map((p) => argmax(p)), classes.length);
  m.snia = sniaReport(labels, probs, classes);
  return m;
}

/**
 * Trains and evaluates the k fold runs of `config` and pools their test metrics.
 *
 * @param config The configuration (its seed is the split seed of every fold).
 * @param k Folds (>= 2).
 * @param opts Training options and the run folder root.
 */
export async function trainFolds(
  config: TrainConfig,
  k: number,
  opts: Omit<TrainOptions, "config" | "resume">,
): Promise<FoldsResult> {
  const base = config.name ?? defaultRunName(config.model.name, config.model.preset);
  const runs: string[] = [];
  let classes: string[] = [];
  for (let f = 0; f < k; f++) {
    const c: TrainConfig = {
      ...config,
      name: `${base}-fold${f + 1}of${k}`,
      data: { ...config.data, fold: { k, index: f } },
    };
    const r = await train({ ...opts, config: c });
    await evaluateRun(r.runDir, { report: false, early: false, log: opts.log });
    runs.push(r.runDir);
    classes = r.info.classes;
  }
  const pooled = await poolFoldPredictions(runs, classes);
  const markdown = metricsMarkdown(pooled, `Pooled over ${k} folds: ${base} (${pooled.n} objects)`);
  const out = `${config.runsDir}/${base}-folds`;
  await Deno.mkdir(out, { recursive: true });
  const files = [`${out}/metrics.json`, `${out}/metrics.md`, `${out}/metrics.csv`];
  await writeFileAtomic(files[0]!, JSON.stringify({ runs, ...pooled }, null, 2) + "\n");
  await writeFileAtomic(files[1]!, markdown);
  await writeFileAtomic(files[2]!, metricsCsv(pooled));
  return { runs, pooled, markdown, files };
}
