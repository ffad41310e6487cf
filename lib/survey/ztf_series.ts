/**
 * ZTF alert packets grouped by object into image series
 * ({@link ObjectSeries}): one frame per packet from its science, difference
 * or template cut-out, band from `fid` (1 = g, 2 = r, 3 = i), time MJD =
 * jd - 2400000.5.
 *
 * Stamps are brought to one common size (63x63 by default, the ZTF cut-out
 * size): cut-outs at a CCD edge (smaller than that) are zero-padded on the
 * side of the edge, using the candidate's `xpos`/`ypos`, so that the source
 * stays at the stamp centre (centred when the position is unknown); larger
 * ones are centre-cropped. Padded, NaN, infinite and sentinel (|v| >= 1e30,
 * e.g. -FLT_MAX in templates) pixels become 0 and are masked
 * ({@link Frame.mask} = 0) and counted. Packets whose chosen cut-out is not
 * FITS (early JPEG packets) or that do not read are reported, skipped and
 * counted; the run goes on.
 *
 * @module
 */
import type { Frame, ObjectSeries } from "./series.ts";
import { type AlertPacket, MJD_OFFSET, ZTF_BANDS } from "./ztf_packet.ts";
import { type AlertCutout, CUTOUT_FIELDS, type CutoutName } from "./ztf_cutout.ts";
import { type AlertProblem, listAlertFiles, readAlertFiles } from "./ztf_files.ts";
import { Progress } from "../util/progress.ts";

export type { AlertProblem } from "./ztf_files.ts";

/** Pixel values with |v| at or above this are bad-pixel sentinels (masked). */
const SENTINEL = 1e30;

/** Options of {@link alertSeries} and {@link groupAlertSeries}. */
export interface AlertSeriesOptions {
  /** Which cut-out makes the frames (default `science`). */
  cutout?: CutoutName;
  /** Common stamp size in pixels (default 63, the ZTF cut-out size). */
  size?: number;
  /** Show a progress bar on stderr while reading files (default false). */
  progress?: boolean;
}

/** Counts and problems of one grouping run; totals add up: packets = used + skipped. */
export interface AlertSeriesReport {
  /** The cut-out used. */
  cutout: CutoutName;
  /** Common stamp size. */
  size: number;
  /** Packet files read (or tried). */
  files: number;
  /** Files that did not read at all (not Avro, truncated, ...). */
  filesFailed: number;
  /** Packets decoded from the files. */
  packets: number;
  /** Packets that became frames. */
  packetsUsed: number;
  /** Packets skipped (cut-out not FITS or missing, unknown fid, duplicate). */
  packetsSkipped: number;
  /**
   * Of the skipped: packets of an object that repeat a frame already used (same
   * candid, or same exposure: same jd and fid; ZTF re-issues alerts of one
   * detection with new candids).
   */
  duplicates: number;
  /** Objects (series) made. */
  objects: number;
  /** Frames in all series (= packetsUsed). */
  frames: number;
  /** Frames smaller than `size` that were padded. */
  paddedFrames: number;
  /** Frames larger than `size` that were centre-cropped. */
  croppedFrames: number;
  /** NaN pixels set to 0 and masked. */
  nanPixels: number;
  /** Infinite or sentinel (|v| >= 1e30) pixels set to 0 and masked. */
  badPixels: number;
  /** Every skipped file, packet or cut-out, with the reason. */
  problems: AlertProblem[];
}

/** The result of grouping: series plus the report. */
export interface AlertSeriesResult {
  /** One series per object, in order of first appearance; frames sorted by time. */
  series: ObjectSeries[];
  /** What was read, used and skipped. */
  report: AlertSeriesReport;
}

/** A stamp placed in a `size` x `size` frame. */
interface Placed {
  pixels: Float32Array;
  mask: Uint8Array;
  nan: number;
  bad: number;
  offsetX: number;
  offsetY: number;
  padded: boolean;
  cropped: boolean;
}

/**
 * Where along one axis a stamp of length `n` goes in `size`: returns
 * [destination start, source start, length]. A short stamp whose source is
 * near the low edge of the CCD (1-based pixel position pos < size) lost its
 * low side, so it is aligned high; otherwise it was cut at the high edge and
 * is aligned low; centred when the position is unknown.
 */
function axisPlacement(n: number, size: number, pos: number | null): [number, number, number] {
  if (n >= size) return [0, Math.floor((n - size) / 2), size];
  const free = size - n;
  let dst: number;
  if (pos === null || !Number.isFinite(pos)) dst = Math.floor(free / 2);
  else dst = pos < size ? free : 0;
  return [dst, 0, n];
}

/** Copies a cut-out into a `size` x `size` frame with mask; non-finite and sentinel pixels -> 0. */
function place(cut: AlertCutout, size: number, xpos: number | null, ypos: number | null): Placed {
  const src = cut.pixels!;
  const w = cut.width;
  const h = cut.height;
  const [dx, sx, nx] = axisPlacement(w, size, xpos);
  const [dy, sy, ny] = axisPlacement(h, size, ypos);
  const pixels = new Float32Array(size * size);
  const mask = new Uint8Array(size * size);
  let nan = 0;
  let bad = 0;
  for (let y = 0; y < ny; y++) {
    const srow = (sy + y) * w + sx;
    const drow = (dy + y) * size + dx;
    for (let x = 0; x < nx; x++) {
      const v = src[srow + x]!;
      if (v !== v) nan++;
      else if (!(Math.abs(v) < SENTINEL)) bad++;
      else {
        pixels[drow + x] = v;
        mask[drow + x] = 1;
      }
    }
  }
  return {
    pixels,
    mask,
    nan,
    bad,
    offsetX: dx - sx,
    offsetY: dy - sy,
    padded: w < size || h < size,
    cropped: w > size || h > size,
  };
}

function emptyReport(cutout: CutoutName, size: number): AlertSeriesReport {
  return {
    cutout,
    size,
    files: 0,
    filesFailed: 0,
    packets: 0,
    packetsUsed: 0,
    packetsSkipped: 0,
    duplicates: 0,
    objects: 0,
    frames: 0,
    paddedFrames: 0,
    croppedFrames: 0,
    nanPixels: 0,
    badPixels: 0,
    problems: [],
  };
}

function checkOptions(options: AlertSeriesOptions): { cutout: CutoutName; size: number } {
  const cutout = options.cutout ?? "science";
  if (!(cutout in CUTOUT_FIELDS)) {
    throw new RangeError(`cutout must be science, difference or template, not "${cutout}"`);
  }
  const size = options.size ?? 63;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`size must be a positive integer, not ${size}`);
  }
  return { cutout, size };
}

/**
 * Groups decoded packets into series (no file reading). Packets must have
 * been decoded with the chosen cut-out. One frame per exposure: a packet that
 * repeats the candid or the (jd, fid) of a frame already used for its object
 * is skipped as a duplicate (the first one read is kept). Adds to `report`
 * when given.
 *
 * @param packets Decoded packets, any order.
 * @param options Cut-out and stamp size.
 * @param report A report to add to (from an earlier file-reading step).
 * @returns Series and report.
 */
export function groupAlertSeries(
  packets: readonly AlertPacket[],
  options: AlertSeriesOptions = {},
  report?: AlertSeriesReport,
): AlertSeriesResult {
  const { cutout, size } = checkOptions(options);
  const rep = report ?? emptyReport(cutout, size);
  if (!report) rep.packets = packets.length;
  const field = CUTOUT_FIELDS[cutout];
  const byId = new Map<string, { series: ObjectSeries; seen: Map<string, string> }>();
  const last = new Map<string, number>(); // latest jd per object (for ra/dec)
  for (const p of packets) {
    const skip = (problem: string, cut: string | null = null): void => {
      rep.packetsSkipped++;
      rep.problems.push({ file: p.file, index: p.index, id: p.id, cutout: cut, problem });
    };
    const band = ZTF_BANDS[p.candidate.fid];
    if (band === undefined) {
      skip(`unknown filter id fid=${p.candidate.fid} (1 = g, 2 = r, 3 = i)`);
      continue;
    }
    const cut = p.cutouts[cutout];
    if (!cut) {
      skip(`packet has no ${field}`, field);
      continue;
    }
    if (!cut.pixels) {
      skip(cut.problem ?? "not a FITS image", field);
      continue;
    }
    let entry = byId.get(p.id);
    const c = p.candidate;
    const epoch = `jd ${c.jd}, fid ${c.fid}`;
    const keys = p.candid === null ? [epoch] : [`candid ${p.candid}`, epoch];
    const seen = keys.find((k) => entry?.seen.has(k));
    if (seen !== undefined) {
      rep.duplicates++;
      skip(
        `duplicate frame: ${seen.startsWith("jd") ? `same exposure (${seen})` : seen} as ` +
          `${entry!.seen.get(seen)}`,
      );
      continue;
    }
    if (!entry) {
      entry = {
        series: {
          id: p.id,
          label: null,
          confirmed: false,
          frames: [],
          meta: { source: "ztf-alerts", idSource: p.idSource, cutout },
        },
        seen: new Map(),
      };
      byId.set(p.id, entry);
    }
    const what = `${p.candid === null ? "" : `candid ${p.candid} in `}${p.file}[${p.index}]`;
    for (const k of keys) entry.seen.set(k, what);
    const xpos = typeof c.fields.xpos === "number" ? c.fields.xpos : null;
    const ypos = typeof c.fields.ypos === "number" ? c.fields.ypos : null;
    const placed = place(cut, size, xpos, ypos);
    rep.nanPixels += placed.nan;
    rep.badPixels += placed.bad;
    if (placed.padded) rep.paddedFrames++;
    if (placed.cropped) rep.croppedFrames++;
    const meta: Record<string, number | string> = {
      fid: c.fid,
      jd: c.jd,
      width: cut.width,
      height: cut.height,
      offsetX: placed.offsetX,
      offsetY: placed.offsetY,
      nanPixels: placed.nan,
      badPixels: placed.bad,
    };
    if (p.candid !== null) meta.candid = String(p.candid);
    for (const k of ["magpsf", "sigmapsf", "diffmaglim", "isdiffpos"] as const) {
      const v = c[k];
      if (v !== null) meta[k] = v;
    }
    for (const k of ["magzpsci", "xpos", "ypos", "fwhm", "rb", "drb"]) {
      const v = c.fields[k];
      if (typeof v === "number") meta[k] = v;
    }
    const frame: Frame = {
      mjd: c.jd - MJD_OFFSET,
      band,
      width: size,
      height: size,
      pixels: placed.pixels,
      mask: placed.mask,
      source: `${p.file}:${field}`,
      meta,
    };
    entry.series.frames.push(frame);
    rep.packetsUsed++;
    const m = entry.series.meta!;
    m.nPackets = entry.series.frames.length;
    if (c.jd >= (last.get(p.id) ?? -Infinity)) {
      last.set(p.id, c.jd);
      if (c.ra !== null) m.ra = c.ra;
      if (c.dec !== null) m.dec = c.dec;
    }
  }
  const series = [...byId.values()].map((e) => e.series);
  for (const s of series) s.frames.sort((a, b) => a.mjd - b.mjd);
  rep.objects += series.length;
  rep.frames += series.reduce((n, s) => n + s.frames.length, 0);
  return { series, report: rep };
}

/**
 * Reads alert packet files (directories expand to their `*.avro` files) and
 * groups them by object into image series. Bad files and unusable packets
 * are reported in `report.problems`, skipped and counted; they never stop
 * the run.
 *
 * @param paths A file or folder, or a list of them.
 * @param options Cut-out (`science` default, `difference`, `template`), stamp size, progress.
 * @returns One series per object plus the report.
 * @throws {ConventionError} only when a given path does not exist.
 *
 * @example
 * ```ts
 * import { alertSeries } from "./ztf_series.ts";
 * const { series, report } = await alertSeries("../shared/data/ztf-alerts", {
 *   cutout: "difference",
 * });
 * console.log(series.length, report.packetsSkipped); // 7 2 (the two JPEG packets)
 * ```
 */
export async function alertSeries(
  paths: string | readonly string[],
  options: AlertSeriesOptions = {},
): Promise<AlertSeriesResult> {
  const { cutout, size } = checkOptions(options);
  const files = await listAlertFiles(typeof paths === "string" ? [paths] : paths);
  const report = emptyReport(cutout, size);
  const bar = options.progress ? new Progress("reading alerts", files.length, "files") : null;
  const packets = await readAlertFiles(files, report, { cutouts: [cutout] }, () => bar?.tick());
  bar?.done();
  return groupAlertSeries(packets, { cutout, size }, report);
}
