/**
 * `convention eval`: evaluate trained runs on their saved test splits:
 * metrics (Markdown on stdout; JSON, CSV in `<run>/eval/`), plots (SVG) and
 * the HTML report. With several runs, also the comparison table in the
 * layout of the paper's Table 2.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { type BackendName, BACKENDS, choice, integer } from "./util/options.ts";
import { checkWritableFile } from "../util/writable.ts";
import { UsageError } from "../errors.ts";
import { evaluateRun } from "../eval/evaluate.ts";
import { compareRuns, writeComparison } from "../eval/compare.ts";
import { resolveRun } from "../train/run_dir.ts";
import { runtimeHooks } from "../train/runtime.ts";
import { pct } from "../eval/tables.ts";

/** Registers the `eval` verb on `program`. */
export function registerEval(program: Command): void {
  program
    .command("eval")
    .description(
      "evaluate trained runs on their saved test split: metrics, tables, plots, HTML report " +
        "(no RUN: the latest run; several: also the Table-2 comparison)",
    )
    .argument("[runs...]", "run folders or names (default: runs/latest)")
    .option("--runs-dir <dir>", "folder of the run folders", "runs")
    .option(
      "--report <file>",
      "write the HTML report there (one run; default <run>/eval/report.html)",
    )
    .option("--no-report", "do not write the HTML report")
    .option(
      "--gallery <n>",
      "misclassified objects shown in the report",
      integer("gallery", { min: 0 }),
    )
    .option(
      "--backend <name>",
      "auto, webgpu, wasm or cpu",
      choice("backend", BACKENDS),
      "auto" as BackendName,
    )
    .option("--out <dir>", "where the comparison of several runs goes", "runs/compare")
    .option("--json", "print metrics (one run) or comparison rows as JSON on stdout")
    .action(guarded(async (runs, o) => {
      const hooks = runtimeHooks();
      if (typeof o.report === "string") await checkWritableFile(o.report, "report file");
      const dirs = runs.length ? await Promise.all(runs.map((r) => resolveRun(r, o.runsDir))) : [
        await resolveRun(undefined, o.runsDir),
      ];
      await hooks.selectBackend(o.backend);
      if (dirs.length > 1 && typeof o.report === "string") {
        throw new UsageError(
          "--report FILE names one report; with several runs each goes to <run>/eval/.",
        );
      }
      for (const dir of dirs) {
        const ev = await evaluateRun(dir, { report: o.report, gallery: o.gallery });
        if (dirs.length === 1 && o.json) console.log(JSON.stringify(ev.metrics, null, 2));
        else if (dirs.length === 1) console.log(ev.markdown);
        console.error(
          `${dir}: test accuracy ${pct(ev.metrics.accuracy)} % on ${ev.metrics.n} objects; ` +
            `outputs in ${dir}/eval/` + (ev.report ? `; report ${ev.report}` : ""),
        );
      }
      if (dirs.length > 1) {
        const c = await compareRuns(dirs);
        const files = await writeComparison(o.out, c);
        if (o.json) console.log(JSON.stringify(c.rows, null, 2));
        else console.log(c.markdown);
        console.error(`comparison: ${files.join(", ")}`);
      }
      return 0;
    }));
}
