/**
 * Reading one object of the simulator's layout from its catalog row and the
 * bytes of its FITS file: shared by {@link simulatedSource} and its workers.
 *
 * @module
 */
import { isGzip, parseFits, readFits } from "../fits/read.ts";
import type { FitsFile } from "../fits/types.ts";
import type { Frame, ObjectSeries } from "./series.ts";
import type { Problem, SourceItem } from "./source.ts";
import { hduToFrame, imageHdus, isProblem } from "./fits_frame.ts";
import { parseConfirmed, ROW_PROBLEM } from "./csv.ts";

/** Numeric catalog columns copied into `ObjectSeries.meta`. */
const META_NUMERIC = ["ra", "dec", "redshift", "host_mag_r", "peak_mag_r", "n_epochs"];

/**
 * The source item of catalog row `row` (0-based row `i`) given its file's
 * bytes, or the error met reading them.
 */
export function readSimulatedObject(
  dir: string,
  row: Record<string, string>,
  i: number,
  bytes: Uint8Array | Error,
): SourceItem {
  const malformed = row[ROW_PROBLEM];
  if (malformed !== undefined) {
    const id = `row${i + 2}`;
    const message = `Catalog row ${i + 2} skipped: ${malformed}.`;
    return {
      id,
      series: null,
      problems: [{ object: id, kind: "bad-value", skipped: "object", message }],
      framesIn: 0,
    };
  }
  const id = row["object_id"]?.trim() || `row${i + 2}`;
  const declared = Number(row["n_frames"]);
  const nDeclared = Number.isInteger(declared) && declared >= 0 ? declared : 0;
  const file = row["file"] ?? "";
  const objectProblem = (kind: Problem["kind"], message: string): SourceItem => ({
    id,
    series: null,
    problems: [{ object: id, kind, skipped: "object", message, file }],
    framesIn: nDeclared,
  });
  const confirmed = parseConfirmed(row["confirmed"]);
  if (confirmed === null) {
    return objectProblem(
      "bad-value",
      `Object "${id}": confirmed = "${row["confirmed"]}" in ${dir}/catalog.csv is not 1/0.`,
    );
  }
  let fits: FitsFile;
  try {
    if (bytes instanceof Error) throw bytes;
    const name = file.slice(file.lastIndexOf("/") + 1);
    // Plain files: the buffer is ours, so images can be views of it (no copy).
    fits = isGzip(bytes) ? readFits(bytes, name) : parseFits(bytes, name, true);
  } catch (e) {
    return objectProblem(
      "unreadable-file",
      `Object "${id}": ${dir}/${file} cannot be read: ${(e as Error).message}`,
    );
  }
  const problems: Problem[] = [];
  const frames: Frame[] = [];
  const hdus = imageHdus(fits);
  for (const hdu of hdus) {
    const f = hduToFrame(fits, hdu, { object: id });
    if (isProblem(f)) problems.push(f);
    else frames.push(f);
  }
  for (let k = hdus.length; k < nDeclared; k++) {
    problems.push({
      object: id,
      kind: "missing-hdu",
      skipped: "frame",
      message:
        `Object "${id}": ${file} has ${hdus.length} image HDUs, the catalog says ${nDeclared}.`,
      file,
    });
  }
  const meta: Record<string, string | number | boolean> = {};
  for (const k of META_NUMERIC) {
    const v = Number(row[k]);
    if (row[k] !== undefined && row[k] !== "" && Number.isFinite(v)) meta[k] = v;
  }
  if (row["subtype"]) meta["subtype"] = row["subtype"];
  const series: ObjectSeries = {
    id,
    label: row["class"]?.trim() || null,
    confirmed,
    frames,
    meta,
  };
  const trueClass = row["true_class"]?.trim();
  if (trueClass) series.trueLabel = trueClass;
  return { id, series, problems, framesIn: Math.max(nDeclared, hdus.length) };
}
