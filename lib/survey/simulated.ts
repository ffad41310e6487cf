/**
 * Source (a): the simulator's layout. `DIR/catalog.csv` has one row per
 * object (`object_id, class, true_class, subtype, confirmed, ra, dec,
 * redshift, host_mag_r, peak_mag_r, n_epochs, n_frames, file`), and `file`
 * (relative to DIR) is a multi-extension FITS (`.fits` or `.fits.gz`) with
 * one IMAGE HDU per band-epoch carrying `MJD-OBS` and `FILTER`.
 *
 * Frames in for an object = the larger of the catalog's `n_frames` and the
 * image HDUs found; HDUs missing from a short file are reported as
 * `missing-hdu` frames, an unreadable file skips the object.
 *
 * @module
 */
import { isGzip, parseFits, readFits } from "../fits/read.ts";
import type { FitsFile } from "../fits/types.ts";
import type { Frame, ObjectSeries } from "./series.ts";
import type { ObjectSource, Problem, SourceItem } from "./source.ts";
import { hduToFrame, imageHdus, isProblem } from "./fits_frame.ts";
import { parseConfirmed, readCsv } from "./csv.ts";

/** Options of {@link simulatedSource}. */
export interface SimulatedSourceOptions {
  /** Catalog file name inside DIR (default `catalog.csv`). */
  catalog?: string;
  /** Read at most this many objects (default all). */
  limit?: number;
  /**
   * Files read ahead asynchronously while the current object is processed
   * (default 4; 0 = read each file when needed). Overlaps disk I/O with parsing.
   */
  readAhead?: number;
}

/** Numeric catalog columns copied into `ObjectSeries.meta`. */
const META_NUMERIC = ["ra", "dec", "redshift", "host_mag_r", "peak_mag_r", "n_epochs"];

/**
 * Opens a simulated survey folder as a source.
 *
 * @example
 * ```ts ignore
 * import { simulatedSource } from "./simulated.ts";
 * for await (const item of simulatedSource("/tmp/s82").items()) console.log(item.id);
 * ```
 */
export function simulatedSource(dir: string, opts: SimulatedSourceOptions = {}): ObjectSource {
  const catalog = `${dir}/${opts.catalog ?? "catalog.csv"}`;
  const rows = readCsv(catalog, ["object_id", "class", "confirmed", "file"]);
  const n = Math.min(rows.length, opts.limit ?? Infinity);
  return {
    description: `simulated:${dir}`,
    count: n,
    async *items(): AsyncGenerator<SourceItem> {
      const ahead = Math.max(0, opts.readAhead ?? 4);
      const pending = new Map<number, Promise<Uint8Array | Error>>();
      const start = (i: number) => {
        if (i < n && !pending.has(i)) {
          pending.set(
            i,
            Deno.readFile(`${dir}/${rows[i]!["file"] ?? ""}`).catch((e: unknown) =>
              e instanceof Error ? e : new Error(String(e))
            ),
          );
        }
      };
      for (let i = 0; i < n; i++) {
        for (let k = i; k <= i + ahead; k++) start(k);
        const bytes = await pending.get(i)!;
        pending.delete(i);
        yield readObject(dir, rows[i]!, i, bytes);
      }
    },
  };
}

function readObject(
  dir: string,
  row: Record<string, string>,
  i: number,
  bytes: Uint8Array | Error,
): SourceItem {
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
