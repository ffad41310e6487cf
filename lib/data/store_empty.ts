/**
 * An ingest that kept no object: the store is removed (so that it is not
 * reused as a cache) and a {@link NothingFoundError} says what was found.
 *
 * @module
 */
import { NothingFoundError } from "../errors.ts";
import type { IngestReport } from "./ingest_report.ts";

/**
 * Removes the empty store `storeDir` ingested from `input` and throws.
 *
 * @throws {NothingFoundError} Always: no object in `input`, or none usable.
 */
export async function refuseEmptyStore(
  storeDir: string,
  input: string,
  report: IngestReport,
): Promise<never> {
  await Deno.remove(storeDir, { recursive: true }).catch(() => {});
  if (report.objects.in === 0) {
    throw new NothingFoundError(`No object was found in ${input} (${report.source}).`, {
      hint: "check the --data path: a simulated survey, a manifest CSV, a FITS folder or a store",
    });
  }
  const kinds = Object.keys(report.problemCounts).join(", ");
  throw new NothingFoundError(
    `None of the ${report.objects.in} objects in ${input} could be used (${kinds}).`,
    { hint: "run `convention ingest` on it to see the report of every skipped object" },
  );
}
