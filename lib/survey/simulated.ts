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
import type { ObjectSource, SourceItem } from "./source.ts";
import { readCsv } from "./csv.ts";
import { readSimulatedObject } from "./simulated_object.ts";
import type { SimulatedJob } from "./simulated_worker.ts";
import { orderedFromWorkers } from "../util/worker_pool.ts";
import { isGzip, parseFits, readFits } from "../fits/read.ts";
import { maskHostLight, readBandTemplates } from "./host_mask.ts";

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
  /**
   * Worker threads that read and parse the files (default 0: this thread).
   * Objects still come out in catalog order, identical to the in-thread path.
   */
  workers?: number;
  /**
   * Which stamps become the frames: `science` (default, the `file` column) or
   * `difference` (the `diff_file` column: science minus the PSF-matched template; rows
   * without one, from surveys made before simulator 2.0, keep their science file), or
   * `host-masked` (science stamps with the static light outside the source aperture
   * replaced by sky noise, from the `template_file` column: lib/survey/host_mask.ts; an
   * object without a readable template is skipped, a frame without its band's template too).
   */
  stamps?: "science" | "difference" | "host-masked";
}

/**
 * Opens a simulated survey folder as a source.
 *
 * @example
 * ```ts
 * import { simulateSurvey } from "../simulate/survey.ts";
 * import { simulatedSource } from "./simulated.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 8, size: 16, bands: "gr", progress: false });
 * const src = simulatedSource(`${dir}/s82`);
 * if (!(src.count === 8)) throw new Error("example check failed");
 * for await (const item of src.items()) {
 *   console.log(item.id, item.series?.label, item.series?.confirmed, item.series?.frames.length);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function simulatedSource(dir: string, opts: SimulatedSourceOptions = {}): ObjectSource {
  const catalog = `${dir}/${opts.catalog ?? "catalog.csv"}`;
  // A malformed row is reported and skipped as one object (readSimulatedObject).
  const read = readCsv(catalog, ["object_id", "class", "confirmed", "file"], { badRows: "mark" });
  const rows = opts.stamps === "difference"
    ? read.map((r) => ({ ...r, file: r["diff_file"] || r["file"] || "" }))
    : read;
  const n = Math.min(rows.length, opts.limit ?? Infinity);
  const source: ObjectSource = {
    description: `simulated:${dir}`,
    count: n,
    async *items(): AsyncGenerator<SourceItem> {
      if ((opts.workers ?? 0) > 0) {
        yield* inWorkers(dir, rows, n, opts.workers!, Math.max(1, opts.readAhead ?? 4));
        return;
      }
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
        yield readSimulatedObject(dir, rows[i]!, i, bytes);
      }
    },
  };
  return opts.stamps === "host-masked" ? hostMasked(source, dir, rows) : source;
}

/** The source's items with {@link maskHostLight} applied (items come in catalog order). */
function hostMasked(
  source: ObjectSource,
  dir: string,
  rows: Record<string, string>[],
): ObjectSource {
  return {
    ...source,
    description: `${source.description} (host-masked)`,
    async *items(): AsyncGenerator<SourceItem> {
      let i = 0;
      for await (const item of source.items()) {
        const row = rows[i++]!;
        if (item.series) maskItem(item, dir, row["template_file"] ?? "");
        yield item;
      }
    },
  };
}

function maskItem(item: SourceItem, dir: string, file: string): void {
  const series = item.series!;
  let templates;
  try {
    if (!file) throw new Error("the catalog row has no template_file");
    const bytes = Deno.readFileSync(`${dir}/${file}`);
    const name = file.slice(file.lastIndexOf("/") + 1);
    templates = readBandTemplates(
      isGzip(bytes) ? readFits(bytes, name) : parseFits(bytes, name, true),
      item.id,
    );
  } catch (e) {
    item.series = null;
    item.problems.push({
      object: item.id,
      kind: "unreadable-file",
      skipped: "object",
      message: `Object "${item.id}": no template to mask the host (${dir}/${file}): ${
        (e as Error).message
      }; host-masked stamps need a survey made by simulator 2.0 or later.`,
      file,
    });
    return;
  }
  const { unmasked } = maskHostLight(series.frames, templates, item.id);
  if (unmasked.length === 0) return;
  series.frames = series.frames.filter((f) => !unmasked.includes(f));
  for (const f of unmasked) {
    item.problems.push({
      object: item.id,
      kind: "missing-hdu",
      skipped: "frame",
      message: `Object "${item.id}": ${
        f.source ?? f.band
      } has no ${f.band} template of its size in ${file}; frame skipped (it cannot be host-masked).`,
      file,
    });
  }
}

function inWorkers(
  dir: string,
  rows: Record<string, string>[],
  n: number,
  nWorkers: number,
  depth: number,
): AsyncGenerator<SourceItem> {
  let sent = 0;
  // Keep at most `depth` objects per worker ahead of the consumer.
  const dispatch = (pool: Worker[], upTo: number) => {
    while (sent < Math.min(n, upTo)) {
      const job: SimulatedJob = { seq: sent, i: sent, row: rows[sent]! };
      pool[sent % pool.length]!.postMessage({ type: "read", dir, jobs: [job] });
      sent++;
    }
  };
  return orderedFromWorkers<SourceItem>({
    url: new URL("./simulated_worker.ts", import.meta.url).href,
    workers: nWorkers,
    count: n,
    label: "Ingest worker",
    read: (data) => {
      const m = data as { type: string; seq?: number; item?: SourceItem; message?: string };
      return m.type === "item" ? { seq: m.seq!, value: m.item! } : { error: String(m.message) };
    },
    start: (pool) => dispatch(pool, pool.length * depth),
    taken: (i, pool) => dispatch(pool, i + 1 + pool.length * depth),
  });
}
