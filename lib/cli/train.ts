/**
 * `convention train`: two-stage training of ConvEntion.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";

/** Registers the `train` verb on `program`. */
export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train ConvEntion in two stages (unconfirmed, then confirmed objects)")
    .action(guarded(() => {
      console.error(
        "convention train: training is not built yet (issue 6). What exists now: the CLI " +
          "skeleton (`convention --help`). Nothing was trained.",
      );
      return 0;
    }));
}
