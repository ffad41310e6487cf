/**
 * Source (b): a manifest CSV for real data, one row per frame:
 *
 * | column | meaning |
 * |---|---|
 * | `object_id` | object the frame belongs to (required) |
 * | `file` | FITS file, relative to the manifest's folder or absolute; plain, `.gz` or tile-compressed (`.fz`) (required) |
 * | `hdu` | HDU index (0 = primary) or EXTNAME; empty = first image HDU |
 * | `band` | band name; empty = from the header (`bandKeys`) |
 * | `mjd` | MJD (a JD above 2,400,000 or an ISO date also work); empty = from the header (`timeKeys`) |
 * | `label` | class name; empty = unlabelled |
 * | `confirmed` | 1/0 (also true/false, yes/no); empty = 0 |
 *
 * One file may hold many HDUs used by many rows; stamps may have any size.
 * Each row is one frame in: an unreadable file, a missing HDU or header key,
 * a bad value or a wrong shape skips that frame (reported); rows of one
 * object that disagree on `label` or `confirmed` skip the object.
 *
 * @module
 */
import { readFitsFileSync } from "../fits/read.ts";
import type { FitsFile, Hdu } from "../fits/types.ts";
import type { Frame, ObjectSeries } from "./series.ts";
import type { ObjectSource, Problem, ProblemKind, SourceItem } from "./source.ts";
import { hduToFrame, imageHdus, isoToMjd, isProblem, timeValueToMjd } from "./fits_frame.ts";
import { parseConfirmed, readCsv } from "./csv.ts";

/** Options of {@link manifestSource}. */
export interface ManifestSourceOptions {
  /** Header keys for the band when the `band` column is empty (default FILTER, BAND). */
  bandKeys?: readonly string[];
  /** Header keys for the time when the `mjd` column is empty (default MJD-OBS, MJD, DATE-OBS). */
  timeKeys?: readonly string[];
  /** Number of parsed FITS files kept in memory (default 8). */
  fileCache?: number;
}

/** Folder of a path ("." when none). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** A small LRU of parsed FITS files (or the error reading them). */
export class FitsFileCache {
  #max: number;
  #map = new Map<string, FitsFile | Error>();

  /** @param max Number of files kept. */
  constructor(max = 8) {
    this.#max = Math.max(1, max);
  }

  /** The parsed file, or the error met reading it. */
  get(path: string): FitsFile | Error {
    const hit = this.#map.get(path);
    if (hit !== undefined) {
      this.#map.delete(path);
      this.#map.set(path, hit);
      return hit;
    }
    let v: FitsFile | Error;
    try {
      v = readFitsFileSync(path);
    } catch (e) {
      v = e instanceof Error ? e : new Error(String(e));
    }
    this.#map.set(path, v);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
    return v;
  }
}

/** Finds the HDU a manifest names: index, EXTNAME, or the first image HDU. */
export function findHdu(fits: FitsFile, spec: string): Hdu | string {
  const s = spec.trim();
  if (s === "") {
    return imageHdus(fits)[0] ?? `has no image HDU`;
  }
  if (/^\d+$/.test(s)) {
    return fits.hdus[Number(s)] ?? `has no HDU ${s} (it has ${fits.hdus.length})`;
  }
  const want = s.toUpperCase();
  return fits.hdus.find((h) =>
    (h.header.getString("EXTNAME") ?? "").trim().toUpperCase() === want
  ) ??
    `has no HDU with EXTNAME ${s}`;
}

/** Parses a manifest `mjd` cell: number (MJD, or JD above 2.4e6) or ISO date; NaN if bad. */
export function parseMjdCell(text: string): number {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) return isoToMjd(t);
  return timeValueToMjd("MJD", t);
}

/**
 * Opens a manifest CSV as a source (see the module doc for the columns).
 *
 * @example
 * ```ts
 * import { writeFits } from "../fits/write.ts";
 * import { manifestSource } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * // One file with two 8x8 stamps of object sn1 (HDUs 1 and 2).
 * const data = new Float32Array(64).fill(1);
 * await Deno.writeFile(
 *   `${dir}/sn1.fits`,
 *   writeFits([
 *     { bitpix: 8, shape: [] },
 *     { bitpix: -32, shape: [8, 8], data, header: [["FILTER", "g"], ["MJD-OBS", 53616.25]] },
 *     { bitpix: -32, shape: [8, 8], data, header: [["FILTER", "r"]] },
 *   ]),
 * );
 * // Empty band/mjd cells are read from the header; a row may also give them.
 * await Deno.writeTextFile(
 *   `${dir}/manifest.csv`,
 *   "object_id,file,hdu,band,mjd,label,confirmed\n" +
 *     "sn1,sn1.fits,1,,,SNIa,1\n" +
 *     "sn1,sn1.fits,2,,2005-09-12T06:00:00,SNIa,1\n",
 * );
 * for await (const item of manifestSource(`${dir}/manifest.csv`).items()) {
 *   console.log(item.id, item.series?.label, item.series?.frames.map((f) => `${f.band}@${f.mjd}`));
 *   if (!(item.problems.length === 0)) throw new Error("example check failed");
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function manifestSource(path: string, opts: ManifestSourceOptions = {}): ObjectSource {
  const rows = readCsv(path, ["object_id", "file"]);
  const base = dirOf(path);
  const groups = new Map<string, { row: Record<string, string>; line: number }[]>();
  rows.forEach((row, i) => {
    const id = row["object_id"]?.trim() || `(line ${i + 2})`;
    let g = groups.get(id);
    if (!g) groups.set(id, g = []);
    g.push({ row, line: i + 2 });
  });
  const cache = new FitsFileCache(opts.fileCache ?? 8);
  return {
    description: `manifest:${path}`,
    count: groups.size,
    async *items(): AsyncGenerator<SourceItem> {
      for (const [id, g] of groups) yield readObject(id, g, base, path, cache, opts);
    },
  };
}

function readObject(
  id: string,
  g: { row: Record<string, string>; line: number }[],
  base: string,
  manifest: string,
  cache: FitsFileCache,
  opts: ManifestSourceOptions,
): SourceItem {
  const problems: Problem[] = [];
  const frames: Frame[] = [];
  const labels = new Set(g.map((r) => (r.row["label"] ?? "").trim()).filter((l) => l !== ""));
  const confirmedValues = new Set(g.map((r) => parseConfirmed(r.row["confirmed"])));
  const skip = (message: string): SourceItem => ({
    id,
    series: null,
    problems: [{ object: id, kind: "bad-value", skipped: "object", message }],
    framesIn: g.length,
  });
  if (labels.size > 1) {
    return skip(`Object "${id}": ${manifest} gives it several labels (${[...labels].join(", ")}).`);
  }
  if (confirmedValues.has(null)) {
    const bad = g.find((r) => parseConfirmed(r.row["confirmed"]) === null)!;
    return skip(
      `Object "${id}": ${manifest} line ${bad.line} has confirmed = "${
        bad.row["confirmed"]
      }", not 1/0.`,
    );
  }
  if (confirmedValues.size > 1) {
    return skip(`Object "${id}": ${manifest} rows disagree on "confirmed".`);
  }
  for (const { row, line } of g) {
    const file = (row["file"] ?? "").trim();
    const frameProblem = (kind: ProblemKind, message: string, hdu?: number) => {
      const p: Problem = {
        object: id,
        kind,
        skipped: "frame",
        message: `Object "${id}" (${manifest} line ${line}): ${message}`,
        file,
      };
      if (hdu !== undefined) p.hdu = hdu;
      problems.push(p);
    };
    if (file === "") {
      frameProblem("bad-value", "the file column is empty.");
      continue;
    }
    const full = file.startsWith("/") ? file : `${base}/${file}`;
    const fits = cache.get(full);
    if (fits instanceof Error) {
      frameProblem("unreadable-file", `${file} cannot be read: ${fits.message}`);
      continue;
    }
    const hdu = findHdu(fits, row["hdu"] ?? "");
    if (typeof hdu === "string") {
      frameProblem("missing-hdu", `${file} ${hdu}.`);
      continue;
    }
    const bandCell = (row["band"] ?? "").trim();
    const mjdCell = (row["mjd"] ?? "").trim();
    let mjd: number | undefined;
    if (mjdCell !== "") {
      mjd = parseMjdCell(mjdCell);
      if (!Number.isFinite(mjd)) {
        frameProblem("bad-value", `mjd = "${mjdCell}" is not a time.`, hdu.index);
        continue;
      }
    }
    const f = hduToFrame(fits, hdu, {
      object: id,
      band: bandCell === "" ? undefined : bandCell,
      mjd,
      bandKeys: opts.bandKeys,
      timeKeys: opts.timeKeys,
    });
    if (isProblem(f)) {
      f.message = `${f.message} (${manifest} line ${line})`;
      problems.push(f);
    } else frames.push(f);
  }
  const series: ObjectSeries = {
    id,
    label: [...labels][0] ?? null,
    confirmed: [...confirmedValues][0] ?? false,
    frames,
  };
  return { id, series, problems, framesIn: g.length };
}
