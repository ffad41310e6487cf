/**
 * Rubin alerts grouped by object into image series ({@link ObjectSeries}):
 * one frame per alert from its science, difference or template cut-out (the
 * image HDU), band from `diaSource.band` (u g r i z y), time MJD =
 * `diaSource.midpointMjdTai` (TAI), frames in time order.
 *
 * Rubin cut-outs are centred on the source and vary in size (30 to 74 px
 * seen): each is centre-cropped or zero-padded to one common size (63 by
 * default). Padded pixels, NaN / infinite image pixels, and pixels whose
 * `UNCERT` is not finite or not positive become 0 and are masked
 * ({@link Frame.mask} = 0). The `UNCERT` plane, placed the same way (NaN where
 * masked), and the `PSFIMAGE` plane stay on the frame ({@link RubinFrame}).
 * An alert repeating a `diaSourceId` (or the band and time) of a frame already
 * kept for its object is dropped as a duplicate; alerts without the chosen
 * cut-out, or whose cut-out does not read, are reported and skipped.
 *
 * @module
 */
import type { Frame, ObjectSeries } from "./series.ts";
import type { RubinAlert } from "./rubin_alert.ts";
import { RUBIN_BANDS } from "./bands.ts";
import {
  RUBIN_CUTOUT_FIELDS,
  type RubinCutout,
  type RubinCutoutName,
  type RubinPlane,
} from "./rubin_cutout.ts";
import {
  listRubinFiles,
  readRubinFile,
  type RubinProblem,
  type RubinReadOptions,
} from "./rubin_files.ts";

/** A frame of a Rubin series: the image plus its uncertainty and PSF. */
export interface RubinFrame extends Frame {
  /** `UNCERT` placed like the pixels (NaN where masked); null when the cut-out has none. */
  uncert: Float32Array | null;
  /** `PSFIMAGE` as stored (its own size); null when the cut-out has none. */
  psf: RubinPlane | null;
}

/** Options of {@link groupRubinSeries}. */
export interface RubinSeriesOptions {
  /** Which cut-out makes the frames (default `science`). */
  cutout?: RubinCutoutName;
  /** Common stamp size (default 63), or `"native"`: each frame at its cut-out's own size. */
  size?: number | "native";
}

/** Counts and problems of one grouping; alerts = used + skipped. */
export interface RubinSeriesReport {
  /** The cut-out used. */
  cutout: RubinCutoutName;
  /** Common stamp size, or `"native"`. */
  size: number | "native";
  /** Files read or tried. */
  files: number;
  /** Files that did not read at all. */
  filesFailed: number;
  /** Alerts decoded. */
  alerts: number;
  /** Records that were not usable alerts (no diaSource, band or time), in `problems`. */
  recordsSkipped: number;
  /** Alerts that became frames. */
  alertsUsed: number;
  /** Alerts skipped (no cut-out, cut-out unreadable, unknown band, duplicate). */
  alertsSkipped: number;
  /** Of the skipped: repeats of a frame already kept. */
  duplicates: number;
  /** Objects made. */
  objects: number;
  /** Frames in all series. */
  frames: number;
  /** Frames smaller than `size`, padded. */
  paddedFrames: number;
  /** Frames larger than `size`, centre-cropped. */
  croppedFrames: number;
  /** Non-finite image pixels masked. */
  nanPixels: number;
  /** Pixels masked for a non-finite or non-positive UNCERT. */
  badUncertPixels: number;
  /** Every skipped file, record or alert, with the reason. */
  problems: RubinProblem[];
}

/** Creates an empty report. */
export function emptyRubinReport(
  cutout: RubinCutoutName,
  size: number | "native",
): RubinSeriesReport {
  return {
    cutout,
    size,
    files: 0,
    filesFailed: 0,
    alerts: 0,
    recordsSkipped: 0,
    alertsUsed: 0,
    alertsSkipped: 0,
    duplicates: 0,
    objects: 0,
    frames: 0,
    paddedFrames: 0,
    croppedFrames: 0,
    nanPixels: 0,
    badUncertPixels: 0,
    problems: [],
  };
}

/** Where along one axis a stamp of length n goes in size: [dst start, src start, length]. */
function axis(n: number, size: number | null): [number, number, number] {
  if (size === null) return [0, 0, n];
  if (n >= size) return [0, Math.floor((n - size) / 2), size];
  return [Math.floor((size - n) / 2), 0, n];
}

/** A cut-out placed in a size x size frame. */
interface Placed {
  width: number;
  height: number;
  pixels: Float32Array;
  mask: Uint8Array;
  uncert: Float32Array | null;
  nan: number;
  badUncert: number;
}

/**
 * Centre-crops or pads the image (and UNCERT) to `size` x `size` (or keeps its
 * own size for `"native"`), masking what is not measured.
 */
export function placeRubinCutout(cut: RubinCutout, size: number | "native"): Placed {
  const img = cut.image!;
  const unc = cut.uncert && cut.uncert.width === img.width && cut.uncert.height === img.height
    ? cut.uncert.pixels
    : null;
  const w = size === "native" ? img.width : size;
  const h = size === "native" ? img.height : size;
  const [dx, sx, nx] = axis(img.width, size === "native" ? null : size);
  const [dy, sy, ny] = axis(img.height, size === "native" ? null : size);
  const pixels = new Float32Array(w * h);
  const mask = new Uint8Array(w * h);
  const uncert = unc ? new Float32Array(w * h).fill(NaN) : null;
  let nan = 0;
  let badUncert = 0;
  for (let y = 0; y < ny; y++) {
    const srow = (sy + y) * img.width + sx;
    const drow = (dy + y) * w + dx;
    for (let x = 0; x < nx; x++) {
      const v = img.pixels[srow + x]!;
      const u = unc ? unc[srow + x]! : 1;
      if (!Number.isFinite(v)) nan++;
      else if (!(u > 0 && Number.isFinite(u))) badUncert++;
      else {
        pixels[drow + x] = v;
        mask[drow + x] = 1;
        if (uncert) uncert[drow + x] = u;
      }
    }
  }
  return { width: w, height: h, pixels, mask, uncert, nan, badUncert };
}

function checkOptions(
  o: RubinSeriesOptions,
): { cutout: RubinCutoutName; size: number | "native" } {
  const cutout = o.cutout ?? "science";
  if (!(cutout in RUBIN_CUTOUT_FIELDS)) {
    throw new RangeError(`cutout must be science, difference or template, not "${cutout}"`);
  }
  const size = o.size ?? 63;
  if (size !== "native" && (!Number.isInteger(size) || size < 1)) {
    throw new RangeError(`size must be a positive integer, not ${size}`);
  }
  return { cutout, size };
}

function frameOf(
  a: RubinAlert,
  cut: RubinCutout,
  size: number | "native",
  rep: RubinSeriesReport,
): RubinFrame {
  const placed = placeRubinCutout(cut, size);
  rep.nanPixels += placed.nan;
  rep.badUncertPixels += placed.badUncert;
  if (size !== "native") {
    if (cut.image!.width < size || cut.image!.height < size) rep.paddedFrames++;
    if (cut.image!.width > size || cut.image!.height > size) rep.croppedFrames++;
  }
  const meta: Record<string, number | string> = {
    diaSourceId: a.diaSourceId,
    width: cut.image!.width,
    height: cut.image!.height,
    nanPixels: placed.nan,
    badUncertPixels: placed.badUncert,
  };
  if (a.source.psfFlux !== null) meta.psfFlux = a.source.psfFlux;
  if (a.source.psfFluxErr !== null) meta.psfFluxErr = a.source.psfFluxErr;
  return {
    mjd: a.source.mjd,
    band: a.source.band,
    width: placed.width,
    height: placed.height,
    pixels: placed.pixels,
    mask: placed.mask,
    source: `${a.file}[${a.index}]:${RUBIN_CUTOUT_FIELDS[cut.name]}`,
    meta,
    uncert: placed.uncert,
    psf: cut.psf,
  };
}

/** Why an alert cannot make a frame, or null when it can. */
function unusable(a: RubinAlert, cutout: RubinCutoutName): string | null {
  if (!RUBIN_BANDS.includes(a.source.band)) {
    return `unknown band "${a.source.band}" (LSST bands are u g r i z y)`;
  }
  const cut = a.cutouts[cutout];
  if (!cut) return `alert has no ${RUBIN_CUTOUT_FIELDS[cutout]}`;
  return cut.image ? null : `${RUBIN_CUTOUT_FIELDS[cutout]} is not usable: ${cut.problem}`;
}

/**
 * Groups decoded alerts (decoded with the chosen cut-out) into series, one
 * per object in order of first appearance, frames sorted by time.
 *
 * @param alerts Alerts, any order.
 * @param options Cut-out and stamp size.
 * @param report A report to add to (from a file-reading step).
 */
export function groupRubinSeries(
  alerts: readonly RubinAlert[],
  options: RubinSeriesOptions = {},
  report?: RubinSeriesReport,
): { series: ObjectSeries[]; report: RubinSeriesReport } {
  const { cutout, size } = checkOptions(options);
  const rep = report ?? emptyRubinReport(cutout, size);
  if (!report) rep.alerts = alerts.length;
  const byId = new Map<string, { series: ObjectSeries; seen: Map<string, string>; t: number }>();
  for (const a of alerts) {
    const skip = (problem: string, cut: string | null): void => {
      rep.alertsSkipped++;
      rep.problems.push({
        file: a.file,
        index: a.index,
        diaSourceId: a.diaSourceId,
        cutout: cut,
        problem,
      });
    };
    const why = unusable(a, cutout);
    if (why !== null) {
      skip(why, why.startsWith("unknown band") ? null : RUBIN_CUTOUT_FIELDS[cutout]);
      continue;
    }
    let e = byId.get(a.id);
    const keys = [`diaSourceId ${a.diaSourceId}`, `band ${a.source.band}, mjd ${a.source.mjd}`];
    const seen = keys.find((k) => e?.seen.has(k));
    if (seen !== undefined) {
      rep.duplicates++;
      skip(`duplicate frame: same ${seen} as ${e!.seen.get(seen)}`, null);
      continue;
    }
    if (!e) {
      const meta = { source: "rubin-alerts", idSource: a.idSource, cutout };
      e = {
        series: { id: a.id, label: null, confirmed: false, frames: [], meta },
        seen: new Map(),
        t: -Infinity,
      };
      byId.set(a.id, e);
    }
    for (const k of keys) e.seen.set(k, `${a.file}[${a.index}]`);
    e.series.frames.push(frameOf(a, a.cutouts[cutout]!, size, rep));
    rep.alertsUsed++;
    const m = e.series.meta!;
    m.nAlerts = e.series.frames.length;
    if (a.source.mjd >= e.t) {
      e.t = a.source.mjd;
      if (a.ra !== null) m.ra = a.ra;
      if (a.dec !== null) m.dec = a.dec;
    }
  }
  const series = [...byId.values()].map((e) => e.series);
  for (const s of series) s.frames.sort((x, y) => x.mjd - y.mjd);
  rep.objects += series.length;
  rep.frames += series.reduce((n, s) => n + s.frames.length, 0);
  return { series, report: rep };
}

/**
 * Reads Rubin alert files (folders expand to `*.parquet` / `*.avro`) and
 * groups them into series. Bad files, records and cut-outs are reported in
 * `report.problems` and skipped; they never stop the run.
 *
 * @param paths Files or folders.
 * @param options Cut-out, stamp size, schemas for Confluent messages.
 * @throws {ConventionError} only when a given path does not exist.
 *
 * @example
 * ```ts
 * import { rubinSeries } from "./rubin_series.ts";
 * const { series, report } = await rubinSeries("fixtures/rubin/part-1-0-398764591.parquet");
 * if (series.length !== 3 || report.alertsUsed !== 3) throw new Error("example check failed");
 * ```
 */
export async function rubinSeries(
  paths: string | readonly string[],
  options: RubinSeriesOptions & RubinReadOptions = {},
): Promise<{ series: ObjectSeries[]; report: RubinSeriesReport }> {
  const { cutout, size } = checkOptions(options);
  const rep = emptyRubinReport(cutout, size);
  const alerts: RubinAlert[] = [];
  for (const file of await listRubinFiles(typeof paths === "string" ? [paths] : paths)) {
    rep.files++;
    try {
      const r = await readRubinFile(file, { ...options, cutouts: [cutout], history: false });
      alerts.push(...r.alerts);
      rep.problems.push(...r.problems);
      rep.recordsSkipped += r.problems.length;
    } catch (err) {
      rep.filesFailed++;
      rep.problems.push({
        file,
        index: null,
        diaSourceId: null,
        cutout: null,
        problem: (err as Error).message,
      });
    }
  }
  rep.alerts = alerts.length;
  return groupRubinSeries(alerts, { cutout, size }, rep);
}
