/**
 * Simulates a whole survey on disk: `catalog.csv`, `survey.json` and one
 * FITS file per object under `objects/`, written into a temporary sibling
 * folder that is renamed into place at the end (an interrupted run never
 * leaves a folder that looks complete). Objects are rendered by up to two
 * Deno Workers; the files are byte-identical whatever the number of workers.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { Progress } from "../util/progress.ts";
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
  /** Photometric mislabelling rate of unconfirmed SNe (default 0.08). */
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

/** Runs jobs on workers (or in this thread when `count` is 0). */
class WorkerPool {
  #workers: Worker[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      this.#workers.push(
        new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" }),
      );
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Sends one request to worker `w` and collects messages until `until` says stop. */
  run(
    w: number,
    req: WorkerRequest,
    onMessage: (m: { type: string; [k: string]: unknown }) => boolean,
  ): Promise<void> {
    const worker = this.#workers[w]!;
    return new Promise((resolve, reject) => {
      worker.onmessage = (e: MessageEvent) => {
        const m = e.data as { type: string; message?: string; stack?: string };
        if (m.type === "error") {
          reject(new ConventionError(`Simulation worker failed: ${m.message}`, { cause: m.stack }));
          return;
        }
        if (onMessage(m)) resolve();
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        reject(new ConventionError(`Simulation worker crashed: ${e.message}`));
      };
      worker.postMessage(req);
    });
  }

  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
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
  const gzip = opts.gzip ?? false;
  const quantize = opts.quantize ?? 0;
  if (!(quantize >= 0 && quantize <= 1024)) {
    throw new RangeError(`quantize must be 0 (float32) or a level in (0, 1024], got ${quantize}`);
  }
  const out = opts.out.replace(/\/+$/, "") || ".";
  if (await exists(out)) {
    const st = await Deno.stat(out);
    if (!st.isDirectory) {
      throw new ConventionError(`Output ${out} exists and is not a folder`, {
        hint: "choose another --out",
      });
    }
    if (!(await isEmptyDir(out)) && !(opts.overwrite && await exists(`${out}/survey.json`))) {
      throw new ConventionError(`Output folder ${out} is not empty`, {
        hint: (await exists(`${out}/survey.json`))
          ? "it holds a simulated survey: pass --force to replace it, or choose another --out"
          : "choose a new or empty folder for --out",
      });
    }
  }
  const tmp = `${out}.partial-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(`${tmp}/objects`, { recursive: true });
  const workers = opts.workers ??
    (o.objects >= 64 ? Math.min(2, navigator.hardwareConcurrency || 1) : 0);
  const pool = new WorkerPool(Math.max(0, Math.floor(workers)));
  const settings: JobSettings = { object: o, dir: tmp, gzip, quantize };
  const progress = opts.progress ?? true;
  try {
    // 1. The labelling plan needs the peak magnitude of every SN.
    const trueClass = assignTrueClasses(o.objects, o.seed, o.photometricErrorRate);
    const sne = trueClass.flatMap((c, index) =>
      c === "SNIa" || c === "SNOther" ? [{ index, trueClass: c }] : []
    );
    const infos = new Map<number, SnSelectionInfo>();
    if (pool.size === 0) {
      for (const s of selectInfos(settings, sne)) infos.set(s.index, s);
    } else {
      await Promise.all(Array.from({ length: pool.size }, (_, w) => {
        const items = sne.filter((_, k) => k % pool.size === w);
        return pool.run(w, { type: "select", settings, items }, (m) => {
          for (const s of m.infos as (SnSelectionInfo & { index: number })[]) infos.set(s.index, s);
          return true;
        });
      }));
    }
    const plan: SurveyPlan = buildPlan(
      o.objects,
      o.seed,
      o.photometricErrorRate,
      (i) => infos.get(i)!,
    );
    // 2. Render and write every object.
    const items: RenderItem[] = plan.trueClass.map((c, index) => ({
      index,
      trueClass: c,
      label: plan.label[index]!,
      confirmed: plan.confirmed[index]!,
    }));
    const bar = progress ? new Progress("simulate", o.objects, "objects") : null;
    const results: RenderResult[] = new Array(o.objects);
    let bytes = 0, frames = 0;
    const record = (r: RenderResult) => {
      results[r.index] = r;
      bytes += r.bytes;
      frames += r.frames;
      bar?.tick(1, `${(bytes / 1e6).toFixed(0)} MB`);
    };
    if (pool.size === 0) {
      for (const item of items) record(await renderAndWrite(settings, item));
    } else {
      // Dynamic scheduling in chunks of 8 objects keeps both workers busy.
      let next = 0;
      const chunk = 8;
      await Promise.all(Array.from({ length: pool.size }, async (_, w) => {
        while (next < items.length) {
          const part = items.slice(next, next + chunk);
          next += chunk;
          await pool.run(w, { type: "render", settings, items: part }, (m) => {
            if (m.type === "rendered") record(m.result as RenderResult);
            return m.type === "chunk";
          });
        }
      }));
    }
    // 3. Catalogue and manifest.
    const catalog = [CATALOG_COLUMNS.join(","), ...results.map((r) => r.row.join(","))].join("\n") +
      "\n";
    const catalogBytes = new TextEncoder().encode(catalog);
    await Deno.writeFile(`${tmp}/catalog.csv`, catalogBytes);
    bytes += catalogBytes.length;
    const count = (f: (i: number) => string | null) => {
      const c: Record<string, number> = {};
      for (let i = 0; i < o.objects; i++) {
        const k = f(i);
        if (k !== null) c[k] = (c[k] ?? 0) + 1;
      }
      return c;
    };
    const ordered = (c: Record<string, number>) =>
      Object.fromEntries(
        [
          ...CLASSES.filter((k) => k in c),
          ...Object.keys(c).filter((k) => !CLASSES.includes(k as SimClass)).sort(),
        ].map((k) => [k, c[k]!]),
      );
    const labels = ordered(count((i) => plan.label[i]!));
    const trueClasses = ordered(count((i) => plan.trueClass[i]!));
    const confirmed = ordered(count((i) => plan.confirmed[i] ? plan.label[i]! : null));
    const subtypes = ordered(count((i) => results[i]!.row[3]!));
    const manifest: SurveyManifest = {
      format: "convention-simulated-survey",
      version: SIMULATOR_VERSION,
      createdBy: `ConvEntion for Deno, simulator ${SIMULATOR_VERSION} (lib/simulate)`,
      seed: o.seed,
      options: {
        objects: o.objects,
        size: o.size,
        bands: o.bands,
        difference: o.difference,
        gzip,
        quantize,
        photometricErrorRate: o.photometricErrorRate,
      },
      counts: { labels, trueClasses, confirmed, subtypes },
      frames,
      bands: [...o.bands],
      size: o.size,
      catalog: "catalog.csv",
      totalBytes: 0,
    };
    // totalBytes includes survey.json itself: iterate until the length is stable.
    let text = "";
    for (let k = 0; k < 4; k++) {
      text = JSON.stringify(manifest, null, 2) + "\n";
      const total = bytes + new TextEncoder().encode(text).length;
      if (total === manifest.totalBytes) break;
      manifest.totalBytes = total;
    }
    text = JSON.stringify(manifest, null, 2) + "\n";
    await Deno.writeTextFile(`${tmp}/survey.json`, text);
    bytes = manifest.totalBytes;
    if (await exists(out)) await Deno.remove(out, { recursive: true });
    await Deno.rename(tmp, out);
    const seconds = (performance.now() - t0) / 1000;
    bar?.done(`${frames} frames, ${(bytes / 1e6).toFixed(1)} MB, ${out}`);
    return {
      out,
      seed: o.seed,
      objects: o.objects,
      frames,
      bytes,
      seconds,
      labels,
      trueClasses,
      confirmed,
    };
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  } finally {
    pool.close();
  }
}
