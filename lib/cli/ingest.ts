/**
 * `convention ingest`: ingest FITS series (simulator layout, manifest CSV, folder, alerts) into a packed store
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { printError } from "./util/output.ts";

/** Registers the `ingest` verb on `program`. */
export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description(
      "ingest FITS series (simulator layout, manifest CSV, folder, alerts) into a packed store",
    )
    .action(guarded(() => {
      printError("`convention ingest` is not built yet (issue 5).");
      return 1;
    }));
}
