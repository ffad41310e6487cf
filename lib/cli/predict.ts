/**
 * `convention predict`: classify objects with a trained model
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { printError } from "./util/output.ts";

/** Registers the `predict` verb on `program`. */
export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("classify objects with a trained model")
    .action(guarded(() => {
      printError("`convention predict` is not built yet (issue 6).");
      return 1;
    }));
}
