/**
 * `convention compare RUN...`: one table of evaluated runs in the layout of
 * the paper's Table 2 (model, bands, input, accuracy, plus balanced
 * accuracy, macro F1, parameters, train time), as Markdown on stdout and
 * `compare.md`, `compare.csv`, `compare.json` in `--out`. Runs not yet
 * evaluated are evaluated first.
 *
 * With `--data D --models all --budget cpu|paper` (or any of the three), it
 * instead trains every model of the paper's Table 2 with the same split,
 * seed, balancing and stages, evaluates each, and prints the same table
 * (lib/compare/compare_all.ts).
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { choice, integer, number, STAMPS } from "./util/options.ts";
import { UsageError } from "../errors.ts";
import { compareRuns, readRunMetrics, writeComparison } from "../eval/compare.ts";
import { evaluateRun } from "../eval/evaluate.ts";
import { resolveRun } from "../train/run_dir.ts";
import { runtimeHooks } from "../train/runtime.ts";
import { compareAllCommand } from "../compare/compare_all.ts";
import { compareModelsHelp } from "./util/models_help.ts";

/** Options of {@link compareCommand}. */
export interface CompareOptions {
  /** Folder of the run folders. */
  runsDir: string;
  /** Output folder of the comparison files. */
  out: string;
  /** JSON on stdout instead of Markdown. */
  json?: boolean;
  /**
   * The evaluation folder inside each run (default `eval`; `eval-test-survey`: the separate
   * test survey of `compare --data default`). Runs without it are refused, not re-evaluated.
   */
  evalDir?: string;
}

/** Compares existing runs (evaluating those without metrics); returns the exit code. */
export async function compareCommand(runs: readonly string[], o: CompareOptions): Promise<number> {
  if (runs.length === 0) throw new UsageError("compare: name at least one run folder.");
  const dirs: string[] = [];
  for (const r of runs) dirs.push(await resolveRun(r, o.runsDir));
  const evalDir = o.evalDir ?? "eval";
  for (const d of dirs) {
    try {
      await readRunMetrics(d, evalDir);
    } catch (e) {
      if (evalDir !== "eval") {
        throw new UsageError(`${d} has no ${evalDir}/ evaluation: ${(e as Error).message}`);
      }
      await runtimeHooks().selectBackend("auto");
      await evaluateRun(d, { report: false });
    }
  }
  const c = await compareRuns(dirs, { evalDir });
  const files = await writeComparison(o.out, c);
  console.log(o.json ? JSON.stringify(c.rows, null, 2) : c.markdown);
  console.error(`comparison: ${files.join(", ")}`);
  return 0;
}

/** Registers the `compare` verb on `program`. */
export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare evaluated runs in the layout of the paper's Table 2")
    .argument("[runs...]", "run folders or names")
    .option("--runs-dir <dir>", "folder of the run folders", "runs")
    .option(
      "--out <dir>",
      "where compare.md/.csv/.json go (default <runs-dir>/compare, or <runs-dir>/compare-<budget>)",
    )
    .option("--json", "print the rows as JSON on stdout")
    .option(
      "--eval-dir <name>",
      "run folders: the evaluation to compare (default eval; eval-test-survey: the test survey)",
    )
    .option("--data <source>", "train every model on this data: `default`, a store or a survey")
    .option("--models <list>", `train every model: \`all\` or rows/models: ${compareModelsHelp()}`)
    .option("--budget <name>", "train every model with this budget: cpu (default) or paper")
    .option("--seed <n>", "seed of the every-model training (default 1)", integer("seed"))
    .option(
      "--seeds <n>",
      "every-model training: seeds seed..seed+n-1 per model, one split",
      integer("seeds", { min: 1 }),
    )
    .option(
      "--test-survey <n>",
      "every-model training: objects of the separate simulated test survey (0 = none; " +
        "default 5500 with --data default)",
      integer("test-survey", { min: 0 }),
    )
    .option(
      "--truncate <p>",
      "every-model training with random truncation of the series (probability p; runs and " +
        "output named -truncate<100p>)",
      number("truncate", { min: 0, max: 1 }),
    )
    .option(
      "--stamps <name>",
      "every-model training, ablation: the image models' stamps: science (default, the paper), " +
        "difference or host-masked (host replaced by sky noise); runs and output named -<name>",
      choice("stamps", STAMPS),
    )
    .action(guarded(async (runs, o) => {
      if (
        o.models !== undefined || o.data !== undefined || o.budget !== undefined ||
        o.truncate !== undefined || o.stamps !== undefined
      ) {
        if (runs.length) {
          throw new UsageError("Give either run folders or --data/--models/--budget, not both.");
        }
        const hooks = runtimeHooks();
        return await compareAllCommand({
          data: o.data,
          models: o.models,
          budget: o.budget,
          runsDir: o.runsDir,
          out: o.out,
          json: o.json,
          seed: o.seed,
          seeds: o.seeds,
          testSurvey: o.testSurvey,
          truncate: o.truncate,
          stamps: o.stamps,
          ensureDefaultSurvey: hooks.ensureDefaultSurvey,
          selectBackend: hooks.selectBackend,
        });
      }
      return await compareCommand(runs, { ...o, out: o.out ?? `${o.runsDir}/compare` });
    }));
}
