/**
 * Source (c): a folder of per-epoch FITS files (`.fits`, `.fit`, `.fts`,
 * `.fz`, and the same with `.gz`), searched recursively; every image HDU is
 * one frame whose band and time come from header keys (`bandKeys`, default
 * FILTER then BAND; `timeKeys`, default MJD-OBS, MJD, then DATE-OBS; each
 * looked up in the HDU's header, then the primary header).
 *
 * Which object a file belongs to (`objectFrom`):
 * - `"folder"` (default): the first sub-folder under DIR
 *   (`DIR/<object>/.../*.fits`); a file directly in DIR is an object of its
 *   own, named after the file (without extensions);
 * - `"key"`: the header key `objectKey` (default OBJECT) of the primary (or
 *   first image) HDU; files are read twice (headers, then data) to group
 *   them with bounded memory.
 *
 * Labels come from an optional CSV (`object_id,label,confirmed`) or a header
 * key (`labelKey`, with `confirmedKey`); otherwise objects are unlabelled.
 * An unreadable file counts as one frame in, skipped (in `"key"` mode, as an
 * object of its own, `file:<path>`, since its object is unknown).
 *
 * @module
 */
import { readFitsFileSync } from "../fits/read.ts";
import type { FitsFile } from "../fits/types.ts";
import type { Frame, ObjectSeries } from "./series.ts";
import type { ObjectSource, Problem, SourceItem } from "./source.ts";
import { hduToFrame, imageHdus, isProblem } from "./fits_frame.ts";
import { parseConfirmed, readCsv } from "./csv.ts";

/** Options of {@link folderSource}. */
export interface FolderSourceOptions {
  /** How files are grouped into objects (default "folder"). */
  objectFrom?: "folder" | "key";
  /** Header key naming the object in "key" mode (default OBJECT). */
  objectKey?: string;
  /** CSV with `object_id,label[,confirmed]` giving labels. */
  labels?: string;
  /** Header key holding the label (when no labels CSV). */
  labelKey?: string;
  /** Header key holding the confirmed flag (with `labelKey`). */
  confirmedKey?: string;
  /** Header keys for the band (default FILTER, BAND). */
  bandKeys?: readonly string[];
  /** Header keys for the time (default MJD-OBS, MJD, DATE-OBS). */
  timeKeys?: readonly string[];
}

const FITS_NAME = /\.(fits|fit|fts|fz)(\.gz)?$/i;

/** FITS files under `dir`, recursively, as paths relative to `dir`, sorted. */
export function listFitsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const entries = [...Deno.readDirSync(rel === "" ? dir : `${dir}/${rel}`)]
      .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const e of entries) {
      const p = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.isFile && FITS_NAME.test(e.name)) out.push(p);
    }
  };
  walk("");
  return out;
}

function stem(name: string): string {
  return name.replace(FITS_NAME, "");
}

function headerValue(fits: FitsFile, key: string): string | undefined {
  for (const h of [fits.hdus[0], imageHdus(fits)[0]]) {
    const v = h?.header.getString(key);
    if (v !== undefined && v.trim() !== "") return v.trim();
  }
  return undefined;
}

/**
 * Opens a folder of per-epoch FITS files as a source.
 *
 * @example
 * ```ts
 * import { writeFits } from "../fits/write.ts";
 * import { folderSource } from "./folder.ts";
 * const dir = await Deno.makeTempDir();
 * // stamps/<object>/<epoch>.fits, band and time in each header.
 * for (const [object, epochs] of [["agn7", 3], ["sn2", 2]] as const) {
 *   await Deno.mkdir(`${dir}/stamps/${object}`, { recursive: true });
 *   for (let e = 0; e < epochs; e++) {
 *     const header: [string, string | number][] = [["FILTER", "r"], ["MJD-OBS", 53600 + 3 * e]];
 *     const data = new Float32Array(16 * 16).fill(e);
 *     await Deno.writeFile(
 *       `${dir}/stamps/${object}/${e}.fits`,
 *       writeFits([{ bitpix: -32, shape: [16, 16], data, header }]),
 *     );
 *   }
 * }
 * const labels = "object_id,label,confirmed\nagn7,AGN,1\nsn2,SNIa,0\n";
 * await Deno.writeTextFile(`${dir}/labels.csv`, labels);
 * const src = folderSource(`${dir}/stamps`, { objectFrom: "folder", labels: `${dir}/labels.csv` });
 * for await (const item of src.items()) {
 *   console.log(item.id, item.series?.label, item.series?.frames.length); // agn7 AGN 3, sn2 SNIa 2
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function folderSource(dir: string, opts: FolderSourceOptions = {}): ObjectSource {
  const files = listFitsFiles(dir);
  const labels = new Map<string, { label: string | null; confirmed: boolean }>();
  if (opts.labels) {
    for (const r of readCsv(opts.labels, ["object_id", "label"])) {
      labels.set(r["object_id"]!.trim(), {
        label: r["label"]?.trim() || null,
        confirmed: parseConfirmed(r["confirmed"]) ?? false,
      });
    }
  }
  const groups = new Map<string, string[]>();
  const unreadable: { file: string; error: string }[] = [];
  const mode = opts.objectFrom ?? "folder";
  if (mode === "folder") {
    for (const f of files) {
      const slash = f.indexOf("/");
      const id = slash < 0 ? stem(f) : f.slice(0, slash);
      let g = groups.get(id);
      if (!g) groups.set(id, g = []);
      g.push(f);
    }
  }
  let grouped = mode === "folder";
  const group = () => {
    if (grouped) return;
    grouped = true;
    const key = opts.objectKey ?? "OBJECT";
    for (const f of files) {
      let id: string | undefined;
      try {
        id = headerValue(readFitsFileSync(`${dir}/${f}`, { headersOnly: true }), key);
      } catch (e) {
        unreadable.push({ file: f, error: (e as Error).message });
        continue;
      }
      if (id === undefined) {
        unreadable.push({ file: f, error: `has no ${key} header key naming its object` });
        continue;
      }
      let g = groups.get(id);
      if (!g) groups.set(id, g = []);
      g.push(f);
    }
  };
  return {
    description: `folder:${dir}`,
    get count(): number {
      group();
      return groups.size + unreadable.length;
    },
    async *items(): AsyncGenerator<SourceItem> {
      group();
      for (const u of unreadable) {
        const id = `file:${u.file}`;
        yield {
          id,
          series: null,
          problems: [{
            object: id,
            kind: u.error.startsWith("has no") ? "missing-header-key" : "unreadable-file",
            skipped: "object",
            message: `${dir}/${u.file} ${
              u.error.startsWith("has no") ? u.error : `cannot be read: ${u.error}`
            }`,
            file: u.file,
          }],
          framesIn: 1,
        };
      }
      for (const [id, g] of groups) yield readObject(dir, id, g, labels, opts);
    },
  };
}

function readObject(
  dir: string,
  id: string,
  files: string[],
  labels: Map<string, { label: string | null; confirmed: boolean }>,
  opts: FolderSourceOptions,
): SourceItem {
  const problems: Problem[] = [];
  const frames: Frame[] = [];
  let framesIn = 0;
  let label: string | null = labels.get(id)?.label ?? null;
  let confirmed = labels.get(id)?.confirmed ?? false;
  for (const f of files) {
    let fits: FitsFile;
    try {
      fits = readFitsFileSync(`${dir}/${f}`);
    } catch (e) {
      framesIn++;
      problems.push({
        object: id,
        kind: "unreadable-file",
        skipped: "frame",
        message: `Object "${id}": ${dir}/${f} cannot be read: ${(e as Error).message}`,
        file: f,
      });
      continue;
    }
    if (!opts.labels && opts.labelKey && label === null) {
      label = headerValue(fits, opts.labelKey) ?? null;
      if (opts.confirmedKey) {
        confirmed = parseConfirmed(headerValue(fits, opts.confirmedKey)) ?? false;
      }
    }
    const hdus = imageHdus(fits);
    if (hdus.length === 0) {
      framesIn++;
      problems.push({
        object: id,
        kind: "missing-hdu",
        skipped: "frame",
        message: `Object "${id}": ${dir}/${f} has no image HDU.`,
        file: f,
      });
      continue;
    }
    for (const hdu of hdus) {
      framesIn++;
      const fr = hduToFrame(fits, hdu, {
        object: id,
        bandKeys: opts.bandKeys,
        timeKeys: opts.timeKeys,
      });
      if (isProblem(fr)) problems.push(fr);
      else frames.push(fr);
    }
  }
  const series: ObjectSeries = { id, label, confirmed, frames };
  return { id, series, problems, framesIn };
}
