/**
 * `convention alerts`: inspect ZTF alert packets
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { printError } from "./util/output.ts";

/** Registers the `alerts` verb on `program`. */
export function registerAlerts(program: Command): void {
  program
    .command("alerts")
    .description("inspect ZTF alert packets")
    .action(guarded(() => {
      printError("`convention alerts` is not built yet (issue 8).");
      return 1;
    }));
}
