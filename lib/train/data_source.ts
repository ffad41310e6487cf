/**
 * Where training data come from: the default simulated survey (created on
 * first use), a packed store, or a survey to ingest once into a cached store
 * (simulator layout, manifest CSV, folder of FITS). Also the object sources
 * `predict` reads.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { BandMap } from "../survey/bands.ts";
import type { ObjectSource } from "../survey/source.ts";
import { openSource, type SourceOptions } from "../survey/open_source.ts";
import { ingest } from "../data/ingest.ts";
import { refuseEmptyStore } from "../data/store_empty.ts";
import { INDEX_NAME } from "../data/store_format.ts";
import { hashSeed } from "../util/rng.ts";
import { ensureDefaultSurvey } from "../simulate/default_survey.ts";
import type { DataConfig } from "./config.ts";

/** Default cache folder (simulated survey, ingested stores). */
export const DEFAULT_CACHE = ".cache/convention";

async function isFile(p: string): Promise<boolean> {
  try {
    return (await Deno.stat(p)).isFile;
  } catch {
    return false;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await Deno.stat(p)).isDirectory;
  } catch {
    return false;
  }
}

/** What kind of input a path is. */
export type InputKind = "store" | "simulated" | "manifest" | "folder" | "file";

/**
 * Recognises an input path: a packed store (folder with `index.json`), the
 * simulator layout (folder with `catalog.csv`), a manifest (`.csv` file), a
 * folder of FITS files, or another single file (an alert packet, archive or
 * Parquet file, read by the source the registry detects).
 */
export async function inputKind(path: string): Promise<InputKind> {
  if (await isFile(`${path}/${INDEX_NAME}`)) return "store";
  if (await isFile(`${path}/catalog.csv`)) return "simulated";
  if (await isFile(path) && /\.csv$/i.test(path)) return "manifest";
  if (await isDir(path)) return "folder";
  // One input file (an alert packet, an archive, a Parquet file): the source registry decides.
  if (await isFile(path)) return "file";
  throw new UsageError(
    `Input ${path} is neither a store, a simulated survey, a manifest CSV nor a folder.`,
    { hint: "Give a folder with catalog.csv, a manifest .csv file, or a folder of FITS files." },
  );
}

/**
 * The object source for a survey path (not a store), through the data
 * layer's source registry (`kind` "auto" guesses simulated/manifest/folder).
 */
export async function objectSource(
  path: string,
  kind = "auto",
  opts: SourceOptions = {},
): Promise<ObjectSource> {
  if (await inputKind(path) === "store") {
    throw new UsageError(`${path} is a packed store, not a survey to read objects from.`);
  }
  return openSource(kind, path, opts);
}

/** Options of {@link prepareStore}. */
export interface PrepareOptions {
  /** Cache folder (default `.cache/convention`). */
  cacheDir?: string;
  /** Store stamp side when ingesting (default 32). */
  size?: number;
  /** Show ingest progress (default true). */
  progress?: boolean;
  /**
   * Creates the default simulated survey when missing and returns its
   * folder (default: the simulator's `ensureDefaultSurvey`).
   */
  ensureDefaultSurvey?: (cacheDir: string) => Promise<string>;
}

/**
 * Returns the path of a packed store for `data.source`, ingesting once when
 * the source is a survey: the store goes to `data.store` or to
 * `<cache>/stores/<name>-<hash>` and is reused while its `index.json`
 * exists (the store is written atomically, so an interrupted ingest is
 * redone).
 *
 * @example
 * ```ts
 * import { openStore, prepareStore, simulateSurvey, trainPreset } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 8, size: 16, progress: false });
 * const data = { ...trainPreset("tiny").data, source: `${dir}/s82`, store: null };
 * const opts = { cacheDir: `${dir}/cache`, size: 16, progress: false };
 * const path = await prepareStore(data, opts); // ingests: <cache>/stores/s82-<hash>
 * if (!((await prepareStore(data, opts)) === path)) throw new Error("example check failed"); // reused
 * const store = await openStore(path);
 * console.log(path, store.objects.length);
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function prepareStore(data: DataConfig, opts: PrepareOptions = {}): Promise<string> {
  const cache = opts.cacheDir ?? DEFAULT_CACHE;
  let survey: string;
  let storeDir: string;
  const stamps = data.stamps ?? "science";
  const bandsTag = (data.bands ? `-${data.bands.join("")}` : "") +
    (stamps === "science" ? "" : `-${stamps}`);
  if (data.source === "default") {
    survey = await (opts.ensureDefaultSurvey ?? ensureDefaultSurvey)(cache);
    // Keyed by the survey folder's name, which carries the simulator version.
    storeDir = data.store ?? `${cache}/stores/${survey.split("/").pop()}${bandsTag}`;
  } else {
    const kind = await inputKind(data.source);
    if (kind === "store") return data.source.replace(/\/+$/, "");
    survey = data.source.replace(/\/+$/, "");
    const base = survey.split("/").pop()!.replace(/[^A-Za-z0-9._-]/g, "_");
    const tag = hashSeed(`${survey}|${bandsTag}`).toString(16).padStart(8, "0");
    storeDir = data.store ?? `${cache}/stores/${base}${bandsTag}-${tag}`;
  }
  if (await isFile(`${storeDir}/${INDEX_NAME}`)) return storeDir;
  const source = await objectSource(survey, "auto", stamps === "science" ? {} : { cutout: stamps });
  const report = await ingest(source, {
    out: storeDir,
    size: opts.size ?? 32,
    bands: data.bands ? new BandMap({ bands: data.bands }) : undefined,
    progress: opts.progress ?? true,
  });
  if (report.objects.kept === 0) await refuseEmptyStore(storeDir, survey, report);
  return storeDir;
}
