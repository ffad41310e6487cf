/**
 * `convention compare`: compare several runs or train every model of the paper's Table 2
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { printError } from "./util/output.ts";

/** Registers the `compare` verb on `program`. */
export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare several runs or train every model of the paper's Table 2")
    .action(guarded(() => {
      printError("`convention compare` is not built yet (issue 7).");
      return 1;
    }));
}
