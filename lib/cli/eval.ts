/**
 * `convention eval`: evaluate a trained run on its saved test split: metrics, tables, plots, report
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { printError } from "./util/output.ts";

/** Registers the `eval` verb on `program`. */
export function registerEval(program: Command): void {
  program
    .command("eval")
    .description("evaluate a trained run on its saved test split: metrics, tables, plots, report")
    .action(guarded(() => {
      printError("`convention eval` is not built yet (issue 6).");
      return 1;
    }));
}
