/**
 * `convention model`: print a model preset's layers, shapes, parameters and FLOPs
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { printError } from "./util/output.ts";

/** Registers the `model` verb on `program`. */
export function registerModel(program: Command): void {
  program
    .command("model")
    .description("print a model preset's layers, shapes, parameters and FLOPs")
    .action(guarded(() => {
      printError("`convention model` is not built yet (issue 10).");
      return 1;
    }));
}
