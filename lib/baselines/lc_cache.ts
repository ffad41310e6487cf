/**
 * Light curves and GP heatmaps of every object of a packed store, computed once and cached next
 * to the store (`<store>/baselines-lightcurves.bin`, `<store>/baselines-heatmaps-<tag>.bin`),
 * so the light-curve baselines share the store's objects, splits, seeds and balancing with the
 * image models.
 *
 * Photometry reads the frames of the store's original source when it can be opened again (the
 * index's `source`, e.g. `simulated:<dir>`), because the FITS headers give each frame's seeing
 * (`SEEING`) for the PSF; otherwise it measures the store's own stamps with the default seeing.
 * From a simulated survey it measures the difference stamps by default (difference photometry,
 * as SDSS-II did: host light does not enter the light curves; `photometry.stamps`).
 * A cache is reused only when it was made for the same store (creation time, frame count) and
 * the same options; files are written atomically.
 *
 * File layout (little-endian): `u32` header length, `u32` 0, the JSON header padded with spaces
 * to a multiple of 8 bytes, then the sections the header lists.
 *
 * @module
 */
import type { Store } from "../data/store.ts";
import type { ObjectSource } from "../survey/source.ts";
import type { Frame, ObjectSeries } from "../survey/series.ts";
import { openSource } from "../survey/open_source.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { hashSeed } from "../util/rng.ts";
import { Progress } from "../util/progress.ts";
import type { LightCurve, LightCurveOptions, LightCurvePoint } from "./photometry.ts";
import type { HeatmapOptions } from "./gp_heatmap.ts";
import type { CacheJob } from "./cache_worker.ts";
import { runJobs } from "./cache_jobs.ts";
import { evalWindowLightCurve } from "./lc_window.ts";

/** The light curves of a store. */
export interface LightCurveSet {
  /** Band names (the store's). */
  readonly bands: readonly string[];
  /** Median flux error over every point: the global flux scale of the features. */
  readonly fluxScale: number;
  /** Where the frames were measured: the original source (with headers) or the store. */
  readonly from: "source" | "store";
  /** Number of objects. */
  readonly count: number;
  /** The light curve of an object, or undefined when it has none. */
  get(id: string): LightCurve | undefined;
}

/** Options of {@link lightCurvesForStore}. */
export interface LightCurveCacheOptions {
  /** Photometry options. */
  photometry?: LightCurveOptions;
  /**
   * Where to read frames with their headers: a source, `null` to use the store's stamps, or
   * undefined to reopen the store's original source when possible.
   */
  source?: ObjectSource | null;
  /** Worker threads (default: 2; 0 = this thread). */
  workers?: number;
  /** Progress on stderr (default true). */
  progress?: boolean;
  /** Messages (default stderr). */
  log?: (line: string) => void;
}

const LC_FORMAT = "convention-lightcurves";
const HM_FORMAT = "convention-heatmaps";
/** Bumped when the photometry or the GP fit changes, so old caches are not reused. */
const LC_ALGORITHM = 2;
const HM_ALGORITHM = 3;

function storeKey(store: Store): string {
  return `${store.index.created}|${store.nFrames}|${store.index.framesFile}`;
}

/** Encodes a header and sections into the cache file layout. */
function encodeFile(header: unknown, sections: Uint8Array[]): Uint8Array {
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  const pad = (8 - (raw.length % 8)) % 8;
  json += " ".repeat(pad);
  const head = new TextEncoder().encode(json);
  let total = 8 + head.length;
  const offsets: number[] = [];
  for (const s of sections) {
    offsets.push(total);
    total += Math.ceil(s.length / 8) * 8;
  }
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 8);
  sections.forEach((s, i) => out.set(s, offsets[i]!));
  return out;
}

/** Decodes a cache file: header and the byte offset where sections start. */
function decodeFile(bytes: Uint8Array): { header: Record<string, unknown>; start: number } | null {
  if (bytes.length < 8) return null;
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  if (8 + n > bytes.length) return null;
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    return { header, start: 8 + n };
  } catch {
    return null;
  }
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

async function readOrNull(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * Reopens the store's original source from its index (`kind:path`), or null; a simulated
 * survey gives its difference stamps unless `stamps` is `science`.
 */
function reopenSource(store: Store, stamps: "difference" | "science"): ObjectSource | null {
  const m = /^([a-z]+):(.+)$/.exec(store.index.source ?? "");
  if (!m) return null;
  const [, kind, path] = m as unknown as [string, string, string];
  try {
    Deno.statSync(path);
    return openSource(kind, path, kind === "simulated" ? { cutout: stamps } : {});
  } catch {
    return null;
  }
}

/** The store's own frames of object `i` as an {@link ObjectSeries} (no headers). */
function storeSeries(store: Store, i: number): ObjectSeries {
  const o = store.objects[i]!;
  const px = store.readObject(i);
  const s = store.size;
  const frames: Frame[] = [];
  for (let k = 0; k < o.count; k++) {
    const f = o.first + k;
    frames.push({
      mjd: store.mjd[f]!,
      band: store.bands[store.band[f]! - 1]!,
      width: s,
      height: s,
      pixels: px.slice(k * s * s, (k + 1) * s * s),
    });
  }
  return { id: o.id, label: o.label, confirmed: o.confirmed, frames };
}

/**
 * The light curves of every object of `store`: loaded from the cache next to the store when it
 * matches, else measured (with progress) and cached.
 *
 * @param store An open store.
 * @param opts Photometry options, frame source, workers.
 * @example
 * ```ts ignore
 * import { openStore } from "../data/store.ts";
 * import { lightCurvesForStore } from "./lc_cache.ts";
 * const store = await openStore(".cache/convention/stores/default");
 * const lcs = await lightCurvesForStore(store);
 * console.log(lcs.get(store.objects[0]!.id)?.points.length);
 * ```
 */
export async function lightCurvesForStore(
  store: Store,
  opts: LightCurveCacheOptions = {},
): Promise<LightCurveSet> {
  const say = opts.log ?? ((l: string) => console.error(l));
  const photometry = opts.photometry ?? {};
  const source = opts.source === undefined
    ? reopenSource(store, photometry.stamps ?? "difference")
    : opts.source;
  const from: "source" | "store" = source ? "source" : "store";
  const key = JSON.stringify({ store: storeKey(store), from, photometry, algorithm: LC_ALGORITHM });
  const path = `${store.path}/baselines-lightcurves.bin`;
  const cached = await readOrNull(path);
  if (cached) {
    const set = parseLightCurves(cached, key);
    if (set) return set;
  }
  const bands = [...store.bands];
  const bandSet = new Set(bands);
  const results = new Map<string, LightCurve>();
  const total = store.objects.length;
  const progress = opts.progress === false ? null : new Progress(
    `light curves (${from === "source" ? "source frames" : "store stamps"})`,
    total,
    "objects",
  );
  const keys: string[] = [];
  async function* jobs(): AsyncGenerator<CacheJob> {
    if (source) {
      for await (const item of source.items()) {
        if (!item.series || store.indexOf(item.id) < 0 || results.has(item.id)) continue;
        const series: ObjectSeries = {
          ...item.series,
          frames: item.series.frames.filter((f) => bandSet.has(f.band)),
        };
        keys.push(item.id);
        yield { kind: "lc", key: keys.length - 1, series, options: photometry };
      }
    } else {
      for (let i = 0; i < total; i++) {
        keys.push(store.objects[i]!.id);
        yield { kind: "lc", key: i, series: storeSeries(store, i), options: photometry };
      }
    }
  }
  let failed = 0;
  await runJobs(jobs(), opts.workers ?? 2, (r) => {
    const id = keys[r.key]!;
    if (r.kind === "lc") {
      results.set(id, { id, points: r.points, skipped: r.skipped });
    } else failed++;
    progress?.tick(1);
  });
  progress?.done();
  const missing = store.objects.filter((o) => !results.has(o.id)).length;
  if (missing > 0 || failed > 0) {
    say(
      `light curves: ${missing} object(s) of the store without a light curve (${failed} failed).`,
    );
  }
  const bytes = encodeLightCurves(store, results, bands, key, from);
  await writeFileAtomic(path, bytes);
  const set = parseLightCurves(bytes, key);
  if (!set) throw new Error(`light-curve cache ${path} could not be read back`);
  return set;
}

function encodeLightCurves(
  store: Store,
  lcs: Map<string, LightCurve>,
  bands: string[],
  key: string,
  from: "source" | "store",
): Uint8Array {
  const bandIndex = new Map(bands.map((b, i) => [b, i]));
  const objects: { id: string; offset: number; count: number; skipped: number }[] = [];
  let n = 0;
  const errs: number[] = [];
  for (const o of store.objects) {
    const lc = lcs.get(o.id);
    if (!lc) continue;
    objects.push({ id: o.id, offset: n, count: lc.points.length, skipped: lc.skipped });
    n += lc.points.length;
    for (const p of lc.points) errs.push(p.fluxErr);
  }
  errs.sort((a, b) => a - b);
  const fluxScale = errs.length ? errs[errs.length >> 1]! : 1;
  const mjd = new Float64Array(n), flux = new Float32Array(n), err = new Float32Array(n);
  const band = new Uint8Array(n);
  let k = 0;
  for (const o of objects) {
    for (const p of lcs.get(o.id)!.points) {
      mjd[k] = p.mjd;
      flux[k] = p.flux;
      err[k] = p.fluxErr;
      band[k] = bandIndex.get(p.band) ?? 255;
      k++;
    }
  }
  const header = {
    format: LC_FORMAT,
    version: 1,
    key,
    from,
    bands,
    fluxScale,
    points: n,
    objects,
  };
  return encodeFile(header, [
    new Uint8Array(mjd.buffer),
    new Uint8Array(flux.buffer),
    new Uint8Array(err.buffer),
    band,
  ]);
}

function parseLightCurves(bytes: Uint8Array, key: string): LightCurveSet | null {
  const f = decodeFile(bytes);
  if (!f) return null;
  const h = f.header as {
    format?: string;
    key?: string;
    from?: "source" | "store";
    bands?: string[];
    fluxScale?: number;
    points?: number;
    objects?: { id: string; offset: number; count: number; skipped: number }[];
  };
  if (h.format !== LC_FORMAT || h.key !== key || !h.objects || !h.bands) return null;
  const n = h.points ?? 0;
  let off = f.start;
  const buf = bytes.slice().buffer;
  const mjd = new Float64Array(buf, off, n);
  off += align8(8 * n);
  const flux = new Float32Array(buf, off, n);
  off += align8(4 * n);
  const err = new Float32Array(buf, off, n);
  off += align8(4 * n);
  const band = new Uint8Array(buf, off, n);
  const bands = h.bands;
  const index = new Map(h.objects.map((o) => [o.id, o]));
  return {
    bands,
    fluxScale: h.fluxScale ?? 1,
    from: h.from ?? "store",
    count: h.objects.length,
    get(id: string): LightCurve | undefined {
      const o = index.get(id);
      if (!o) return undefined;
      const points: LightCurvePoint[] = [];
      for (let i = o.offset; i < o.offset + o.count; i++) {
        points.push({
          mjd: mjd[i]!,
          band: bands[band[i]!] ?? "?",
          flux: flux[i]!,
          fluxErr: err[i]!,
        });
      }
      return { id, points, skipped: o.skipped };
    },
  };
}

/** The GP heatmaps of a store's light curves. */
export interface HeatmapSet {
  /** Wavelength bins (rows). */
  readonly wavelengthBins: number;
  /** Day bins (columns). */
  readonly dayBins: number;
  /**
   * Writes the object's two channels (mean then standard deviation, each
   * `[wavelengthBins, dayBins]`) into `out` at `offset`; zeros when it has none. Returns
   * whether it had one.
   */
  fill(id: string, out: Float32Array, offset: number): boolean;
}

/** Options of {@link heatmapsForStore}. */
export interface HeatmapCacheOptions {
  /** Grid and GP options. */
  heatmap?: HeatmapOptions;
  /**
   * Fit each heatmap on the points of the object's evaluation window of this many band-frames
   * (the image models' `l`, so SCONE sees the same epochs); absent: the whole light curve.
   */
  frames?: number;
  /** Worker threads (default 2; 0 = this thread). */
  workers?: number;
  /** Progress on stderr (default true). */
  progress?: boolean;
}

/**
 * The SCONE heatmaps of every object with a light curve: from the cache next to the store when
 * it matches, else fitted (one 2D GP per object, with progress) and cached as float16.
 *
 * @param store The store (its path and identity key the cache).
 * @param lcs Its light curves ({@link lightCurvesForStore}).
 * @param opts Grid, GP options, workers.
 */
export async function heatmapsForStore(
  store: Store,
  lcs: LightCurveSet,
  opts: HeatmapCacheOptions = {},
): Promise<HeatmapSet> {
  const heatmap = opts.heatmap ?? {};
  const nw = heatmap.wavelengthBins ?? 32, nd = heatmap.dayBins ?? 180;
  const key = JSON.stringify({
    store: storeKey(store),
    lightcurves: lcs.from,
    fluxScale: lcs.fluxScale,
    heatmap,
    frames: opts.frames ?? null,
    algorithm: HM_ALGORITHM,
  });
  const tag = hashSeed(key).toString(16).padStart(8, "0");
  const path = `${store.path}/baselines-heatmaps-${tag}.bin`;
  const cached = await readOrNull(path);
  if (cached) {
    const set = parseHeatmaps(cached, key);
    if (set) return set;
  }
  const pointsOf = (id: string) =>
    opts.frames === undefined
      ? lcs.get(id)
      : evalWindowLightCurve(lcs.get(id), store, store.indexOf(id), opts.frames);
  const ids = store.objects.map((o) => o.id).filter((id) => lcs.get(id) !== undefined);
  const cell = nw * nd;
  const data = new Float16Array(ids.length * 2 * cell);
  const progress = opts.progress === false
    ? null
    : new Progress("GP heatmaps", ids.length, "objects");
  function* jobs(): Generator<CacheJob> {
    for (let k = 0; k < ids.length; k++) {
      yield { kind: "heatmap", key: k, points: pointsOf(ids[k]!)!.points, options: heatmap };
    }
  }
  const ok = new Uint8Array(ids.length);
  await runJobs(jobs(), opts.workers ?? 2, (r) => {
    if (r.kind === "heatmap") {
      data.set(r.mean, r.key * 2 * cell);
      data.set(r.std, r.key * 2 * cell + cell);
      ok[r.key] = 1;
    }
    progress?.tick(1);
  });
  progress?.done();
  const header = {
    format: HM_FORMAT,
    version: 1,
    key,
    wavelengthBins: nw,
    dayBins: nd,
    ids: ids.filter((_, k) => ok[k] === 1),
    slots: ids.map((_, k) => (ok[k] === 1 ? k : -1)).filter((k) => k >= 0),
  };
  const bytes = encodeFile(header, [new Uint8Array(data.buffer)]);
  await writeFileAtomic(path, bytes);
  const set = parseHeatmaps(bytes, key);
  if (!set) throw new Error(`heatmap cache ${path} could not be read back`);
  return set;
}

function parseHeatmaps(bytes: Uint8Array, key: string): HeatmapSet | null {
  const f = decodeFile(bytes);
  if (!f) return null;
  const h = f.header as {
    format?: string;
    key?: string;
    wavelengthBins?: number;
    dayBins?: number;
    ids?: string[];
    slots?: number[];
  };
  if (h.format !== HM_FORMAT || h.key !== key || !h.ids || !h.slots) return null;
  const nw = h.wavelengthBins!, nd = h.dayBins!, cell = nw * nd;
  const maxSlot = h.slots.reduce((a, b) => Math.max(a, b), -1);
  const data = new Float16Array(
    bytes.slice(f.start, f.start + (maxSlot + 1) * 2 * cell * 2).buffer,
  );
  const slot = new Map(h.ids.map((id, i) => [id, h.slots![i]!]));
  return {
    wavelengthBins: nw,
    dayBins: nd,
    fill(id, out, offset) {
      const k = slot.get(id);
      if (k === undefined) {
        out.fill(0, offset, offset + 2 * cell);
        return false;
      }
      out.set(data.subarray(k * 2 * cell, (k + 1) * 2 * cell), offset);
      return true;
    },
  };
}
