/**
 * `convention simulate`: simulate a Stripe 82-like survey of image time series, written as FITS
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { printError } from "./util/output.ts";

/** Registers the `simulate` verb on `program`. */
export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("simulate a Stripe 82-like survey of image time series, written as FITS")
    .action(guarded(() => {
      printError("`convention simulate` is not built yet (issue 4).");
      return 1;
    }));
}
