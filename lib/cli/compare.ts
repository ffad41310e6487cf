/**
 * `convention compare RUN...`: one table of evaluated runs in the layout of
 * the paper's Table 2 (model, bands, input, accuracy, plus balanced
 * accuracy, macro F1, parameters, train time), as Markdown on stdout and
 * `compare.md`, `compare.csv`, `compare.json` in `--out`. Runs not yet
 * evaluated are evaluated first.
 *
 * Extension point: the "train every model" mode (`--data D --models all
 * --budget cpu|paper`) trains each registered model with the same split,
 * seed and stages, then ends here with the same table.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { UsageError } from "../errors.ts";
import { compareRuns, readRunMetrics, writeComparison } from "../eval/compare.ts";
import { evaluateRun } from "../eval/evaluate.ts";
import { resolveRun } from "../train/run_dir.ts";
import { runtimeHooks } from "../train/runtime.ts";

/** Options of {@link compareCommand}. */
export interface CompareOptions {
  /** Folder of the run folders. */
  runsDir: string;
  /** Output folder of the comparison files. */
  out: string;
  /** JSON on stdout instead of Markdown. */
  json?: boolean;
}

/** Compares existing runs (evaluating those without metrics); returns the exit code. */
export async function compareCommand(runs: readonly string[], o: CompareOptions): Promise<number> {
  if (runs.length === 0) throw new UsageError("compare: name at least one run folder.");
  const dirs: string[] = [];
  for (const r of runs) dirs.push(await resolveRun(r, o.runsDir));
  for (const d of dirs) {
    try {
      await readRunMetrics(d);
    } catch {
      await runtimeHooks().selectBackend("auto");
      await evaluateRun(d, { report: false });
    }
  }
  const c = await compareRuns(dirs);
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
    .option("--out <dir>", "where compare.md/.csv/.json go", "runs/compare")
    .option("--json", "print the rows as JSON on stdout")
    .option("--data <source>", "(train-every-model mode) data source")
    .option("--models <list>", "(train-every-model mode) `all` or a comma-separated list")
    .option("--budget <name>", "(train-every-model mode) cpu or paper")
    .action(guarded(async (runs, o) => {
      if (o.models !== undefined || o.data !== undefined || o.budget !== undefined) {
        throw new UsageError(
          "Training every model (--data/--models/--budget) is not available yet (baselines, issue 7).",
          { hint: "Compare trained runs instead: convention compare RUN1 RUN2 ..." },
        );
      }
      return await compareCommand(runs, o);
    }));
}
