/**
 * `convention train --seeds N`: the same configuration trained with
 * training (initialisation) seeds seed .. seed + N - 1 on one split (the
 * split seed stays the first seed), each evaluated, then the per-seed test
 * metrics with their mean and sd.
 *
 * @module
 */
import { train, type TrainOptions } from "../train/train.ts";
import type { TrainConfig } from "../train/config.ts";
import { defaultRunName } from "../train/run_dir.ts";
import { evaluateRun } from "../eval/evaluate.ts";
import { markdownTable } from "../eval/tables.ts";
import { seedCell, type SeedSummary, summarizeSeeds } from "../eval/seed_summary.ts";

/** Result of {@link trainSeeds}. */
export interface SeedsResult {
  /** Run folders, one per seed. */
  runs: string[];
  /** Per-seed values, mean and sd. */
  summary: SeedSummary;
  /** The summary as Markdown. */
  markdown: string;
}

/** The seed summary as a Markdown table (one row per seed, then mean ± sd). */
export function seedsMarkdown(s: SeedSummary): string {
  const p = (x: number) => (100 * x).toFixed(2);
  const rows = s.perSeed.map((v) => [
    String(v.seed),
    p(v.accuracy),
    p(v.balancedAccuracy),
    v.macroF1.toFixed(3),
    String(v.n),
    v.run,
  ]);
  rows.push([
    "mean ± sd",
    seedCell(s.accuracy, []).replace(/ \(\)$/, ""),
    seedCell(s.balancedAccuracy, []).replace(/ \(\)$/, ""),
    `${s.macroF1.mean.toFixed(3)} ± ${s.macroF1.sd.toFixed(3)}`,
    "",
    "",
  ]);
  return markdownTable(
    ["training seed", "accuracy %", "balanced accuracy %", "macro F1", "n", "run"],
    rows,
  ) + "\n";
}

/**
 * Trains and evaluates `n` seeds of `config` on the split of its seed.
 *
 * @param config The configuration (its `seed` is the first seed and the split seed).
 * @param n Number of seeds.
 * @param opts Training options (data preparation, backend, messages), and `report`.
 */
export async function trainSeeds(
  config: TrainConfig,
  n: number,
  opts: Omit<TrainOptions, "config" | "resume"> & { report?: boolean },
): Promise<SeedsResult> {
  const base = config.name ?? defaultRunName(config.model.name, config.model.preset);
  const runs: string[] = [];
  const evaluated = [];
  for (let k = 0; k < n; k++) {
    const seed = config.seed + k;
    const c: TrainConfig = {
      ...config,
      seed,
      name: `${base}-seed${seed}`,
      data: { ...config.data, splitSeed: config.data.splitSeed ?? config.seed },
    };
    const r = await train({ ...opts, config: c });
    const ev = await evaluateRun(r.runDir, { report: opts.report ?? false, log: opts.log });
    runs.push(r.runDir);
    evaluated.push({ seed, run: r.runDir, metrics: ev.metrics });
  }
  const summary = summarizeSeeds(evaluated);
  return { runs, summary, markdown: seedsMarkdown(summary) };
}
