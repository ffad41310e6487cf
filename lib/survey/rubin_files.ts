/**
 * Rubin alert files: which paths hold them (folders expand to their
 * `*.parquet` and `*.avro` files), how `--kind auto` recognises them, and
 * reading one file into alerts whatever its format: a Fink Parquet export
 * (one row per alert), an Avro container file, or one Confluent-framed
 * message. A record that is not a usable alert is reported and skipped; the
 * other records of the file go on.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { isParquet, readParquetRows } from "./parquet_read.ts";
import {
  decodeConfluent,
  isAvroContainer,
  isConfluentFramed,
  readRubinContainer,
  type RubinSchemas,
} from "./rubin_avro.ts";
import { type RubinAlert, type RubinAlertOptions, toRubinAlert } from "./rubin_alert.ts";
import { RUBIN_CUTOUT_FIELDS, RUBIN_CUTOUT_NAMES } from "./rubin_cutout.ts";

/** One file, row or cut-out that was skipped, and why. */
export interface RubinProblem {
  /** The file. */
  file: string;
  /** Row / record index; null when the whole file failed. */
  index: number | null;
  /** The alert's diaSourceId when it was read. */
  diaSourceId: string | null;
  /** The cut-out field at fault (`cutoutScience`), or null. */
  cutout: string | null;
  /** What was found. */
  problem: string;
}

/** Options of {@link readRubinFile}. */
export interface RubinReadOptions extends RubinAlertOptions {
  /** Schemas for Confluent-framed messages (not needed for Parquet or container files). */
  schemas?: RubinSchemas | null;
  /** Parquet: read `prvDiaSources` / `prvDiaForcedSources` (default true; false is faster). */
  history?: boolean;
}

const FILE_RE = /\.(parquet|avro)$/i;

/**
 * Lists the Rubin alert files named by `paths`.
 *
 * @param paths Files and/or folders.
 * @returns Files as given; each folder's `*.parquet` and `*.avro` files sorted by name.
 * @throws {ConventionError} when a path does not exist.
 */
export async function listRubinFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(p);
    } catch {
      throw new ConventionError(`Rubin alert path ${p} does not exist`, {
        hint: "give .parquet / .avro alert files or folders that hold them",
      });
    }
    if (!info.isDirectory) {
      out.push(p);
      continue;
    }
    const names: string[] = [];
    for await (const e of Deno.readDir(p)) {
      if ((e.isFile || e.isSymlink) && FILE_RE.test(e.name)) names.push(e.name);
    }
    names.sort();
    const base = p.endsWith("/") ? p : `${p}/`;
    for (const n of names) out.push(base + n);
  }
  return out;
}

/** Whether the first bytes of a file say it is a Rubin alert file. */
function looksRubin(path: string): boolean {
  let head: Uint8Array;
  try {
    using f = Deno.openSync(path);
    const buf = new Uint8Array(65536);
    head = buf.subarray(0, f.readSync(buf) ?? 0);
  } catch {
    return false;
  }
  if (head.length >= 4 && String.fromCharCode(...head.subarray(0, 4)) === "PAR1") return true;
  if (isAvroContainer(head)) {
    return /"(namespace|name)"\s*:\s*"lsst\./.test(new TextDecoder().decode(head));
  }
  return isConfluentFramed(head);
}

/**
 * `--kind auto`: a `.parquet` file, an `.avro` file holding LSST alerts (a
 * container whose schema is in the `lsst.*` namespace, or a Confluent
 * message), or a folder whose first such file is one.
 *
 * @param input The path.
 * @param info Its stat.
 */
export function isRubinInput(input: string, info: Deno.FileInfo): boolean {
  if (info.isFile) {
    return /\.parquet$/i.test(input) || (/\.avro$/i.test(input) && looksRubin(input));
  }
  try {
    const names = [...Deno.readDirSync(input)].filter((e) => e.isFile && FILE_RE.test(e.name))
      .map((e) => e.name).sort();
    if (names.some((n) => /\.parquet$/i.test(n))) return true;
    return names.length > 0 && looksRubin(`${input.replace(/\/+$/, "")}/${names[0]}`);
  } catch {
    return false;
  }
}

async function decodeRecords(
  bytes: Uint8Array,
  file: string,
  options: RubinReadOptions,
): Promise<Record<string, unknown>[]> {
  if (isParquet(bytes)) {
    const columns = new Set(["diaSourceId", "diaSource", "lsst_schema_version"]);
    if (options.history !== false) columns.add("prvDiaSources").add("prvDiaForcedSources");
    for (const n of options.cutouts ?? RUBIN_CUTOUT_NAMES) columns.add(RUBIN_CUTOUT_FIELDS[n]);
    for (const c of options.columns ?? []) columns.add(c.split(".")[0]!);
    return await readParquetRows(bytes, file, { columns: [...columns] });
  }
  if (isAvroContainer(bytes)) return readRubinContainer(bytes, file);
  if (isConfluentFramed(bytes)) {
    return [decodeConfluent(bytes, file, options.schemas ?? null).record];
  }
  throw new ConventionError(
    `${file} is not a Parquet file, an Avro container or a Confluent-framed Avro message`,
    { hint: "give Fink Parquet exports or LSST Avro alerts" },
  );
}

/**
 * Reads one alert file. Records that are not usable alerts are reported in
 * `problems` and skipped; cut-outs that do not read stay in the alert with
 * their `problem` (the caller decides).
 *
 * @param file The path.
 * @param options Cut-outs to decode, extra columns, schemas.
 * @returns Alerts in file order and the records skipped.
 * @throws {ConventionError} when the file cannot be read or decoded at all.
 */
export async function readRubinFile(
  file: string,
  options: RubinReadOptions = {},
): Promise<{ alerts: RubinAlert[]; problems: RubinProblem[] }> {
  const records = await decodeRecords(await Deno.readFile(file), file, options);
  const alerts: RubinAlert[] = [];
  const problems: RubinProblem[] = [];
  records.forEach((rec, i) => {
    try {
      alerts.push(toRubinAlert(rec, file, i, options));
    } catch (err) {
      const id = rec?.diaSourceId;
      problems.push({
        file,
        index: i,
        diaSourceId: id === undefined || id === null ? null : String(id),
        cutout: null,
        problem: (err as Error).message,
      });
    }
  });
  return { alerts, problems };
}
