/**
 * `convention fits`: inspect and verify FITS files
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { printError } from "./util/output.ts";

/** Registers the `fits` verb on `program`. */
export function registerFits(program: Command): void {
  program
    .command("fits")
    .description("inspect and verify FITS files")
    .action(guarded(() => {
      printError("`convention fits` is not built yet (issue 3).");
      return 1;
    }));
}
