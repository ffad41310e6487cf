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
import type { ObjectSeries } from "./series.ts";
import { type AlertPacket, decodePacketCutout, MJD_OFFSET, ZTF_BANDS } from "./ztf_packet.ts";
import {
  type AlertCutout,
  CUTOUT_FIELDS,
  type CutoutLimits,
  type CutoutName,
} from "./ztf_cutout.ts";
import { type AlertProblem, eachAlertPacket, listAlertFiles } from "./ztf_files.ts";
import { Progress } from "../util/progress.ts";

export type { AlertProblem } from "./ztf_files.ts";

/** Pixel values with |v| at or above this are bad-pixel sentinels (masked). */
const SENTINEL = 1e30;

/** Options of {@link alertSeries} and {@link groupAlertSeries}. */
export interface AlertSeriesOptions extends CutoutLimits {
  /** Most bytes one Avro data block may decompress to (default 64 MiB). */
  maxBlockBytes?: number;
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

/** The entry of one object while series are built. */
interface SeriesEntry {
  series: ObjectSeries;
  /** Frame keys (`candid N`, `jd J, fid F`) already used, with where they came from. */
  seen: Map<string, string>;
}

/**
 * Builds series one packet at a time (what {@link groupAlertSeries} and
 * {@link alertSeries} use). A packet is checked for its band and for being a
 * duplicate of a frame already used BEFORE its cut-out is decoded, so that
 * repeated packets cost no decoding; the cut-out is decoded (within the size
 * limits) from the packet's kept stamps when it was not decoded yet, placed in
 * a `size` x `size` frame, and the packet can then be dropped.
 */
export class AlertSeriesBuilder {
  readonly report: AlertSeriesReport;
  readonly #cutout: CutoutName;
  readonly #size: number;
  readonly #limits: CutoutLimits;
  readonly #byId = new Map<string, SeriesEntry>();
  readonly #last = new Map<string, number>(); // latest jd per object (for ra/dec)
  readonly #failed = new Map<string, string>(); // `id candid` whose cut-out was not usable

  /**
   * Starts an empty set of series.
   *
   * @param options Cut-out, stamp size and cut-out size limits.
   * @param report A report to add to (from an earlier file-reading step).
   */
  constructor(options: AlertSeriesOptions = {}, report?: AlertSeriesReport) {
    const { cutout, size } = checkOptions(options);
    this.#cutout = cutout;
    this.#size = size;
    this.#limits = {
      maxCutoutBytes: options.maxCutoutBytes,
      maxCutoutPixels: options.maxCutoutPixels,
    };
    this.report = report ?? emptyReport(cutout, size);
  }

  /** Adds one packet: a frame of its object, or a counted, reported skip. */
  add(p: AlertPacket): void {
    const rep = this.report;
    const field = CUTOUT_FIELDS[this.#cutout];
    const skip = (problem: string, cut: string | null = null): void => {
      rep.packetsSkipped++;
      rep.problems.push({ file: p.file, index: p.index, id: p.id, cutout: cut, problem });
    };
    const band = ZTF_BANDS[p.candidate.fid];
    if (band === undefined) {
      skip(`unknown filter id fid=${p.candidate.fid} (1 = g, 2 = r, 3 = i)`);
      return;
    }
    const entry = this.#byId.get(p.id);
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
      return;
    }
    // The same candid again is the same alert: its cut-out failed before, do not decode it again.
    const tried = p.candid === null ? undefined : this.#failed.get(`${p.id} ${p.candid}`);
    if (tried !== undefined) {
      rep.duplicates++;
      return skip(`duplicate packet: candid ${p.candid} as ${tried}, whose cut-out was not used`);
    }
    const had = p.cutouts[this.#cutout];
    const cut = had ?? decodePacketCutout(p, this.#cutout, this.#limits);
    if (!had) delete p.cutouts[this.#cutout]; // decoded here: the frame keeps what it needs
    if (!cut || !cut.pixels) {
      if (p.candid !== null) this.#failed.set(`${p.id} ${p.candid}`, `${p.file}[${p.index}]`);
      return skip(cut ? cut.problem ?? "not a FITS image" : `packet has no ${field}`, field);
    }
    this.#addFrame(p, cut, band, keys, entry);
  }

  #addFrame(
    p: AlertPacket,
    cut: AlertCutout,
    band: string,
    keys: string[],
    found: SeriesEntry | undefined,
  ): void {
    const rep = this.report;
    const field = CUTOUT_FIELDS[this.#cutout];
    const c = p.candidate;
    let entry = found;
    if (!entry) {
      entry = {
        series: {
          id: p.id,
          label: null,
          confirmed: false,
          frames: [],
          meta: { source: "ztf-alerts", idSource: p.idSource, cutout: this.#cutout },
        },
        seen: new Map(),
      };
      this.#byId.set(p.id, entry);
    }
    const what = `${p.candid === null ? "" : `candid ${p.candid} in `}${p.file}[${p.index}]`;
    for (const k of keys) entry.seen.set(k, what);
    const xpos = typeof c.fields.xpos === "number" ? c.fields.xpos : null;
    const ypos = typeof c.fields.ypos === "number" ? c.fields.ypos : null;
    const placed = place(cut, this.#size, xpos, ypos);
    rep.nanPixels += placed.nan;
    rep.badPixels += placed.bad;
    if (placed.padded) rep.paddedFrames++;
    if (placed.cropped) rep.croppedFrames++;
    entry.series.frames.push({
      mjd: c.jd - MJD_OFFSET,
      band,
      width: this.#size,
      height: this.#size,
      pixels: placed.pixels,
      mask: placed.mask,
      source: `${p.file}:${field}`,
      meta: frameMeta(p, cut, placed),
    });
    rep.packetsUsed++;
    const m = entry.series.meta!;
    m.nPackets = entry.series.frames.length;
    if (c.jd >= (this.#last.get(p.id) ?? -Infinity)) {
      this.#last.set(p.id, c.jd);
      if (c.ra !== null) m.ra = c.ra;
      if (c.dec !== null) m.dec = c.dec;
    }
  }

  /** The series (frames sorted by time), and the report with objects and frames counted. */
  finish(): AlertSeriesResult {
    const series = [...this.#byId.values()].map((e) => e.series);
    for (const s of series) s.frames.sort((a, b) => a.mjd - b.mjd);
    this.report.objects += series.length;
    this.report.frames += series.reduce((n, s) => n + s.frames.length, 0);
    return { series, report: this.report };
  }
}

/** The per-frame metadata kept from the candidate. */
function frameMeta(
  p: AlertPacket,
  cut: AlertCutout,
  placed: Placed,
): Record<string, number | string> {
  const c = p.candidate;
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
  return meta;
}

/**
 * Groups packets into series (no file reading). Packets are decoded with the
 * chosen cut-out, or read with `keepStamps` (then only the packets that are
 * not duplicates get their cut-out decoded). One frame per exposure: a packet
 * that repeats the candid or the (jd, fid) of a frame already used for its
 * object is skipped as a duplicate (the first one read is kept). Adds to
 * `report` when given.
 *
 * @param packets Decoded packets, any order.
 * @param options Cut-out, stamp size and cut-out size limits.
 * @param report A report to add to (from an earlier file-reading step).
 * @returns Series and report.
 */
export function groupAlertSeries(
  packets: readonly AlertPacket[],
  options: AlertSeriesOptions = {},
  report?: AlertSeriesReport,
): AlertSeriesResult {
  const b = new AlertSeriesBuilder(options, report);
  if (!report) b.report.packets = packets.length;
  for (const p of packets) b.add(p);
  return b.finish();
}

/**
 * Reads alert packet files (directories expand to their packet files and
 * archives) and groups them by object into image series, streaming: one file
 * at a time, duplicates dropped before their cut-out is decoded, cut-outs over
 * the size limits reported, so memory holds only the frames made. Bad files
 * and unusable packets are reported in `report.problems`, skipped and
 * counted; they never stop the run.
 *
 * @param paths A file or folder, or a list of them.
 * @param options Cut-out (`science` default, `difference`, `template`), stamp size, progress.
 * @returns One series per object plus the report.
 * @throws {ConventionError} only when a given path does not exist.
 *
 * @example
 * ```ts
 * import { alertSeries } from "./ztf_series.ts";
 * import { makeAlertPacket } from "./ztf_example.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/1.avro`, makeAlertPacket({ candid: 1, jd: 2459300.5 }));
 * await Deno.writeFile(`${dir}/2.avro`, makeAlertPacket({ candid: 2, jd: 2459301.5 }));
 * await Deno.writeFile(`${dir}/3.avro`, makeAlertPacket({ candid: 2, jd: 2459301.5 })); // a repeat
 * const { series, report } = await alertSeries(dir, { cutout: "difference" });
 * const got = [series.length, series[0]!.frames.length, report.duplicates].join();
 * if (got !== "1,2,1") throw new Error(got); // 1 object, 2 frames, 1 repeat dropped
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function alertSeries(
  paths: string | readonly string[],
  options: AlertSeriesOptions = {},
): Promise<AlertSeriesResult> {
  const builder = new AlertSeriesBuilder(options);
  const files = await listAlertFiles(typeof paths === "string" ? [paths] : paths);
  const bar = options.progress ? new Progress("reading alerts", files.length, "files") : null;
  const read = { cutouts: [], keepStamps: true, maxBlockBytes: options.maxBlockBytes };
  for await (const p of eachAlertPacket(files, builder.report, read, () => bar?.tick())) {
    builder.add(p); // the packet (and its stamps) can be collected after this
  }
  bar?.done();
  return builder.finish();
}
