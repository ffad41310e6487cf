/**
 * Opening a source by kind: `simulated` (catalog + one FITS per object),
 * `manifest` (CSV of frames), `folder` (per-epoch FITS files), `alerts` (ZTF
 * alert packets), `rubin` (Rubin/LSST alerts: Fink Parquet, Avro). Another
 * kind plugs in with {@link registerSource}; `ingest` and the CLI only see {@link ObjectSource}.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { ObjectSource } from "./source.ts";
import type { SourceOptions } from "./source_options.ts";
import { simulatedSource } from "./simulated.ts";
import { manifestSource } from "./manifest.ts";
import { folderSource } from "./folder.ts";
import { openAlertSource } from "./ztf_source.ts";
import { openRubinSource } from "./rubin_source.ts";
import { isRubinInput } from "./rubin_files.ts";

export type { SourceOptions } from "./source_options.ts";

/** Opens one kind of source from a path. */
export type SourceOpener = (input: string, opts: SourceOptions) => ObjectSource;

const openers = new Map<string, SourceOpener>([
  ["simulated", (input, o) =>
    simulatedSource(input, {
      limit: o.limit,
      workers: o.workers,
      stamps: o.cutout === "difference" || o.cutout === "host-masked" ? o.cutout : "science",
    })],
  ["manifest", (input, o) => manifestSource(input, { bandKeys: o.bandKeys, timeKeys: o.timeKeys })],
  ["folder", (input, o) => folderSource(input, o)],
  ["alerts", openAlertSource],
  ["rubin", openRubinSource],
]);

/** Recognises an input of a registered kind (for `--kind auto`). */
export type SourceDetector = (input: string, info: Deno.FileInfo) => boolean;

const detectors = new Map<string, SourceDetector>([["rubin", isRubinInput]]);

/**
 * Adds (or replaces) a source kind, e.g. `registerSource("alerts", ...)`.
 * With `detect`, `detectSourceKind` picks this kind for the inputs it
 * accepts (checked before the built-in rules).
 */
export function registerSource(kind: string, opener: SourceOpener, detect?: SourceDetector): void {
  openers.set(kind, opener);
  if (detect) detectors.set(kind, detect);
}

/** The registered source kinds. */
export function sourceKinds(): string[] {
  return [...openers.keys()];
}

/** True for an `.avro` file or a folder holding `.avro` files (ZTF alert packets). */
function isAlertInput(input: string, info: Deno.FileInfo): boolean {
  if (info.isFile) return /\.avro$/i.test(input);
  try {
    for (const e of Deno.readDirSync(input)) if (e.isFile && /\.avro$/i.test(e.name)) return true;
  } catch { /* unreadable: not alerts */ }
  return false;
}

/**
 * Guesses the kind of `input`: a `.csv` file is a manifest, a folder with a
 * `catalog.csv` is a simulated survey, a `.parquet` file, an LSST `.avro` file or a
 * folder of them is Rubin alerts, an `.avro` file or a folder holding
 * `.avro` files is ZTF alerts, any other folder a folder of FITS.
 */
export function detectSourceKind(input: string): string {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(input);
  } catch {
    throw new UsageError(`Input ${input} does not exist.`);
  }
  for (const [kind, detect] of detectors) if (detect(input, info)) return kind;
  if (info.isFile && /\.avro$/i.test(input)) return "alerts";
  if (info.isFile) {
    if (/\.csv$/i.test(input)) return "manifest";
    throw new UsageError(`Input ${input} is a file but not a .csv manifest.`, {
      hint: "Give a manifest CSV, a simulated survey folder or a folder of FITS files.",
    });
  }
  try {
    if (Deno.statSync(`${input}/catalog.csv`).isFile) return "simulated";
  } catch { /* not a simulated survey */ }
  return isAlertInput(input, info) ? "alerts" : "folder";
}

/**
 * Opens `input` as a source of `kind` ("auto" = {@link detectSourceKind}).
 *
 * @example A ZTF alert packet, recognised by its `.avro` extension
 * ```ts
 * import { openSource } from "./open_source.ts";
 * import { makeAlertPacket } from "./ztf_example.ts";
 * const path = await Deno.makeTempFile({ suffix: ".avro" });
 * await Deno.writeFile(path, makeAlertPacket());
 * const src = openSource("auto", path);
 * for await (const item of src.items()) {
 *   console.log(item.id, item.series?.frames.length, item.problems.length);
 * }
 * ```
 */
export function openSource(kind: string, input: string, opts: SourceOptions = {}): ObjectSource {
  const k = kind === "auto" ? detectSourceKind(input) : kind;
  const opener = openers.get(k);
  if (!opener) {
    throw new UsageError(`Unknown source kind "${kind}".`, {
      hint: `Use one of: auto, ${sourceKinds().join(", ")}.`,
    });
  }
  return opener(input, opts);
}
