/**
 * Simulates a whole survey on disk: `catalog.csv`, `survey.json` and one
 * FITS file per object under `objects/`, written into a temporary sibling
 * folder that is renamed into place at the end (an interrupted run never
 * leaves a folder that looks complete). Objects are rendered by up to two
 * workers of the project's pool (lib/util/worker_pool.ts, completion order:
 * a free worker takes the next chunk); the files are byte-identical whatever
 * the number of workers.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { Progress } from "../util/progress.ts";
import { completedFromWorkers, type PoolMessage } from "../util/worker_pool.ts";
import {
  type JobSettings,
  renderAndWrite,
  type RenderItem,
  type RenderResult,
  selectInfos,
} from "./job.ts";
import { assignTrueClasses, buildPlan, type SnSelectionInfo, type SurveyPlan } from "./labels.ts";
import { resolveObjectOptions } from "./object.ts";
import type { SimClass } from "./params.ts";
import type { WorkerRequest } from "./worker.ts";
import { CATALOG_COLUMNS, SIMULATOR_VERSION } from "./write.ts";

/** Options of {@link simulateSurvey}. */
export interface SimulateOptions {
  /** Output folder (created; must not exist or be empty unless `overwrite`). */
  out: string;
  /** Number of objects (default 8249, the paper's data set). */
  objects?: number;
  /** Seed (default 1). */
  seed?: number;
  /** Stamp side in pixels (default 32). */
  size?: number;
  /** Bands, a subset of "ugriz" (default "ugriz"). */
  bands?: string;
  /** Template-subtracted stamps (default false). */
  difference?: boolean;
  /** Gzip each object file (`.fits.gz`, default false). */
  gzip?: boolean;
  /**
   * Photometric mislabelling rate of unconfirmed SNe assumed by the labelling plan (default
   * 0.08): it sets the true class counts; the labels come from the photometric classifier.
   */
  photometricErrorRate?: number;
  /** Store pixels as 16-bit integers with BSCALE = SKYSIG / quantize (default 0 = float32). */
  quantize?: number;
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
  /** Worker count (default: 2, or 0 = this thread for fewer than 64 objects). */
  workers?: number;
  /** Replace an existing simulated survey in `out` (one with a survey.json). */
  overwrite?: boolean;
}

/** What {@link simulateSurvey} did. */
export interface SurveySummary {
  /** Output folder. */
  out: string;
  /** Seed. */
  seed: number;
  /** Objects written. */
  objects: number;
  /** Band-frames written. */
  frames: number;
  /** Bytes of all files (objects, catalogue, survey.json). */
  bytes: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** Catalogue label counts. */
  labels: Record<string, number>;
  /** True class counts. */
  trueClasses: Record<string, number>;
  /** Confirmed objects per catalogue label. */
  confirmed: Record<string, number>;
}

/** The survey.json content (deterministic: no time stamps). */
export interface SurveyManifest {
  /** Always "convention-simulated-survey". */
  format: "convention-simulated-survey";
  /** Simulator version ({@link SIMULATOR_VERSION}). */
  version: string;
  /** What made the survey. */
  createdBy: string;
  /** Seed. */
  seed: number;
  /** The options that define the survey. */
  options: {
    objects: number;
    size: number;
    bands: string;
    difference: boolean;
    gzip: boolean;
    quantize: number;
    photometricErrorRate: number;
  };
  /** Objects per catalogue label, true class, confirmed label and sub-type. */
  counts: {
    labels: Record<string, number>;
    trueClasses: Record<string, number>;
    confirmed: Record<string, number>;
    subtypes: Record<string, number>;
  };
  /** Band-frames in all files. */
  frames: number;
  /** Bands, in ugriz order. */
  bands: string[];
  /** Stamp side, pixels. */
  size: number;
  /** Catalogue file name. */
  catalog: string;
  /** Bytes of all files, survey.json included. */
  totalBytes: number;
}

const CLASSES: readonly SimClass[] = ["AGN", "SNIa", "Variable", "SNOther"];

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function isEmptyDir(path: string): Promise<boolean> {
  for await (const _ of Deno.readDir(path)) return false;
  return true;
}

/**
 * Runs `jobs` (lists of items) on `workers` pool workers in completion order
 * (each worker gets the next job when it answers), or in this thread when
 * `workers` is 0; calls `onResult` with each job's results.
 */
async function runJobs<I, R>(
  workers: number,
  jobs: I[][],
  request: (seq: number, items: I[]) => WorkerRequest,
  local: (items: I[]) => Promise<R[]>,
  onResult: (results: R[]) => void,
): Promise<void> {
  if (workers === 0) {
    for (const items of jobs) onResult(await local(items));
    return;
  }
  let next = 0;
  const send = (w: Worker) => {
    if (next < jobs.length) w.postMessage(request(next, jobs[next++]!));
  };
  for await (
    const r of completedFromWorkers<R[]>({
      url: new URL("./worker.ts", import.meta.url).href,
      workers,
      count: jobs.length,
      label: "Simulation worker",
      read: (m) => m as PoolMessage<R[]>,
      start: (pool) => pool.forEach(send),
      taken: (_seq, w, pool) => send(pool[w]!),
    })
  ) onResult(r.value);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Checks that `out` may be written: absent, empty, or a simulated survey with `overwrite`. */
async function checkOutput(out: string, overwrite: boolean): Promise<void> {
  if (!(await exists(out))) return;
  const st = await Deno.stat(out);
  if (!st.isDirectory) {
    throw new ConventionError(`Output ${out} exists and is not a folder`, {
      hint: "choose another --out",
    });
  }
  if (!(await isEmptyDir(out)) && !(overwrite && await exists(`${out}/survey.json`))) {
    throw new ConventionError(`Output folder ${out} is not empty`, {
      hint: (await exists(`${out}/survey.json`))
        ? "it holds a simulated survey: pass --force to replace it, or choose another --out"
        : "choose a new or empty folder for --out",
    });
  }
}

/** The labelling plan: draws every SN's selection information (on the workers), then labels. */
async function planSurvey(settings: JobSettings, workers: number): Promise<SurveyPlan> {
  const o = resolveObjectOptions(settings.object);
  const trueClass = assignTrueClasses(o.objects, o.seed, o.photometricErrorRate);
  const sne = trueClass.flatMap((c, index) =>
    c === "SNIa" || c === "SNOther" ? [{ index, trueClass: c }] : []
  );
  const infos = new Map<number, SnSelectionInfo>();
  await runJobs(
    workers,
    chunks(sne, Math.max(1, Math.ceil(sne.length / Math.max(1, workers * 4)))),
    (seq, items) => ({ type: "select", seq, settings, items }),
    (items) => Promise.resolve(selectInfos(settings, items)),
    (res: (SnSelectionInfo & { index: number })[]) => {
      for (const s of res) infos.set(s.index, s);
    },
  );
  return buildPlan(o.objects, o.seed, o.photometricErrorRate, (i) => infos.get(i)!);
}

/** Renders and writes every object (chunks of 8 on the workers); results by index. */
async function renderAll(
  settings: JobSettings,
  plan: SurveyPlan,
  workers: number,
  bar: Progress | null,
): Promise<{ results: RenderResult[]; bytes: number; frames: number }> {
  const items: RenderItem[] = plan.trueClass.map((c, index) => ({
    index,
    trueClass: c,
    label: plan.label[index]!,
    confirmed: plan.confirmed[index]!,
  }));
  const results: RenderResult[] = new Array(items.length);
  let bytes = 0, frames = 0;
  await runJobs(
    workers,
    chunks(items, 8),
    (seq, part) => ({ type: "render", seq, settings, items: part }),
    async (part) => {
      const out = [];
      for (const item of part) out.push(await renderAndWrite(settings, item));
      return out;
    },
    (res: RenderResult[]) => {
      for (const r of res) {
        results[r.index] = r;
        bytes += r.bytes;
        frames += r.frames;
      }
      bar?.tick(res.length, `${(bytes / 1e6).toFixed(0)} MB`);
    },
  );
  return { results, bytes, frames };
}

/** Counts per key (null keys skipped), the paper's classes first. */
function orderedCounts(n: number, key: (i: number) => string | null): Record<string, number> {
  const c: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const k = key(i);
    if (k !== null) c[k] = (c[k] ?? 0) + 1;
  }
  return Object.fromEntries(
    [
      ...CLASSES.filter((k) => k in c),
      ...Object.keys(c).filter((k) => !CLASSES.includes(k as SimClass)).sort(),
    ].map((k) => [k, c[k]!]),
  );
}

/** Writes survey.json (its totalBytes including itself); returns the total bytes. */
async function writeManifest(dir: string, manifest: SurveyManifest, bytes: number) {
  // totalBytes includes survey.json itself: iterate until the length is stable.
  let text = "";
  for (let k = 0; k < 4; k++) {
    text = JSON.stringify(manifest, null, 2) + "\n";
    const total = bytes + new TextEncoder().encode(text).length;
    if (total === manifest.totalBytes) break;
    manifest.totalBytes = total;
  }
  text = JSON.stringify(manifest, null, 2) + "\n";
  await Deno.writeTextFile(`${dir}/survey.json`, text);
  return manifest.totalBytes;
}

/** The survey.json content of a finished survey (totalBytes still 0). */
function buildManifest(
  settings: JobSettings,
  plan: SurveyPlan,
  results: RenderResult[],
  frames: number,
): SurveyManifest {
  const o = resolveObjectOptions(settings.object);
  const n = o.objects;
  return {
    format: "convention-simulated-survey",
    version: SIMULATOR_VERSION,
    createdBy: `ConvEntion for Deno, simulator ${SIMULATOR_VERSION} (lib/simulate)`,
    seed: o.seed,
    options: {
      objects: n,
      size: o.size,
      bands: o.bands,
      difference: o.difference,
      gzip: settings.gzip,
      quantize: settings.quantize,
      photometricErrorRate: o.photometricErrorRate,
    },
    counts: {
      labels: orderedCounts(n, (i) => results[i]!.row[1]!),
      trueClasses: orderedCounts(n, (i) => plan.trueClass[i]!),
      confirmed: orderedCounts(n, (i) => plan.confirmed[i] ? results[i]!.row[1]! : null),
      subtypes: orderedCounts(n, (i) => results[i]!.row[3]!),
    },
    frames,
    bands: [...o.bands],
    size: o.size,
    catalog: "catalog.csv",
    totalBytes: 0,
  };
}

/**
 * Simulates a Stripe 82-like survey of image time series and writes it as
 * FITS files plus a catalogue.
 *
 * @param opts Output folder and survey options.
 * @returns Counts, sizes and timing.
 *
 * @example
 * ```ts
 * import { simulateSurvey } from "./survey.ts";
 * const dir = await Deno.makeTempDir();
 * const s = await simulateSurvey({
 *   out: `${dir}/s82`,
 *   objects: 8, // the paper's data set has 8,249 (the default)
 *   size: 16,
 *   seed: 7,
 *   progress: false,
 * });
 * if (!(s.objects === 8)) throw new Error("example check failed");
 * console.log(s.frames, s.bytes, s.labels); // catalog.csv, survey.json, objects/*.fits
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function simulateSurvey(opts: SimulateOptions): Promise<SurveySummary> {
  const t0 = performance.now();
  const o = resolveObjectOptions({
    seed: opts.seed,
    objects: opts.objects,
    size: opts.size,
    bands: opts.bands,
    difference: opts.difference,
    photometricErrorRate: opts.photometricErrorRate,
  });
  const quantize = opts.quantize ?? 0;
  if (!(quantize >= 0 && quantize <= 1024)) {
    throw new RangeError(`quantize must be 0 (float32) or a level in (0, 1024], got ${quantize}`);
  }
  const out = opts.out.replace(/\/+$/, "") || ".";
  await checkOutput(out, opts.overwrite ?? false);
  const tmp = `${out}.partial-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(`${tmp}/objects`, { recursive: true });
  const workers = Math.max(
    0,
    Math.floor(
      opts.workers ?? (o.objects >= 64 ? Math.min(2, navigator.hardwareConcurrency || 1) : 0),
    ),
  );
  const settings: JobSettings = { object: o, dir: tmp, gzip: opts.gzip ?? false, quantize };
  try {
    // 1. The labelling plan needs the peak magnitude of every SN; 2. render and write.
    const plan = await planSurvey(settings, workers);
    const bar = (opts.progress ?? true) ? new Progress("simulate", o.objects, "objects") : null;
    const { results, bytes: objectBytes, frames } = await renderAll(settings, plan, workers, bar);
    // 3. Catalogue and manifest.
    const catalog = new TextEncoder().encode(
      [CATALOG_COLUMNS.join(","), ...results.map((r) => r.row.join(","))].join("\n") + "\n",
    );
    await Deno.writeFile(`${tmp}/catalog.csv`, catalog);
    const manifest = buildManifest(settings, plan, results, frames);
    const bytes = await writeManifest(tmp, manifest, objectBytes + catalog.length);
    if (await exists(out)) await Deno.remove(out, { recursive: true });
    await Deno.rename(tmp, out);
    bar?.done(`${frames} frames, ${(bytes / 1e6).toFixed(1)} MB, ${out}`);
    return {
      out,
      seed: o.seed,
      objects: o.objects,
      frames,
      bytes,
      seconds: (performance.now() - t0) / 1000,
      labels: manifest.counts.labels,
      trueClasses: manifest.counts.trueClasses,
      confirmed: manifest.counts.confirmed,
    };
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
}
