/**
 * The light-curve view of Rubin alerts, for the light-curve models: per
 * object, the difference-image PSF photometry of `diaSource`,
 * `prvDiaSources` and `prvDiaForcedSources`, flux and error in nanojansky
 * (nJy, as LSST publishes them; AB magnitude = 31.4 - 2.5 log10(flux / nJy)),
 * band and MJD (`midpointMjdTai`). No cut-out is decoded.
 *
 * One point per measurement: detections are kept once by `diaSourceId`
 * across all alerts of the object; forced photometry fills the epochs (band
 * and MJD) that have no detection, once by `diaForcedSourceId` (with
 * `forced: "all"` every forced point is kept, with `"none"` none).
 * Measurements without a finite `psfFlux` are dropped and counted.
 *
 * @module
 */
import type { RubinAlert, RubinMeasurement } from "./rubin_alert.ts";
import {
  listRubinFiles,
  readRubinFile,
  type RubinProblem,
  type RubinReadOptions,
} from "./rubin_files.ts";

/** AB zero point of nanojansky: m = 31.4 - 2.5 log10(f / nJy). */
export const AB_ZP_NANOJY = 31.4;

/** One photometric point. */
export interface RubinLightCurvePoint {
  /** MJD (TAI) of the exposure midpoint. */
  mjd: number;
  /** Band (u g r i z y). */
  band: string;
  /** Difference-image PSF flux, nJy (signed). */
  flux: number;
  /** Its 1-sigma error, nJy (NaN when absent). */
  fluxErr: number;
  /** Science-image flux, nJy; null when absent. */
  scienceFlux: number | null;
  /** `diaSourceId` or `diaForcedSourceId`. */
  sourceId: string | null;
  /** Which field the point came from. */
  origin: "diaSource" | "prvDiaSources" | "prvDiaForcedSources";
}

/** The light curve of one object. */
export interface RubinLightCurve {
  /** Object id (see {@link RubinAlert.id}). */
  id: string;
  /** Which field the id comes from. */
  idSource: RubinAlert["idSource"];
  /** Position of the latest alert (deg). */
  ra: number | null;
  /** Declination of the latest alert (deg). */
  dec: number | null;
  /** Alerts of this object. */
  alerts: number;
  /** Points sorted by time, then band. */
  points: RubinLightCurvePoint[];
}

/** What {@link rubinLightCurves} read and kept. */
export interface RubinLightCurveReport {
  /** Files read or tried. */
  files: number;
  /** Files that did not read. */
  filesFailed: number;
  /** Alerts read. */
  alerts: number;
  /** Objects. */
  objects: number;
  /** Points kept. */
  points: number;
  /** Of them, detections (diaSource + prvDiaSources). */
  detections: number;
  /** Of them, forced photometry. */
  forced: number;
  /** Measurements dropped as repeats (same id, or forced at an epoch with a detection). */
  duplicates: number;
  /** Measurements dropped for a missing or non-finite psfFlux. */
  noFlux: number;
  /** Files and records that did not read. */
  problems: RubinProblem[];
}

/** Options of the light-curve builders. */
export interface RubinLightCurveOptions {
  /** Forced photometry: fill epochs without a detection (default), all, or none. */
  forced?: "fill" | "all" | "none";
}

/** Converts nJy to an AB magnitude (NaN for non-positive flux). */
export function nanojanskyToAb(flux: number): number {
  return flux > 0 ? AB_ZP_NANOJY - 2.5 * Math.log10(flux) : NaN;
}

function point(
  m: RubinMeasurement,
  origin: RubinLightCurvePoint["origin"],
): RubinLightCurvePoint | null {
  if (m.psfFlux === null || !Number.isFinite(m.psfFlux)) return null;
  return {
    mjd: m.mjd,
    band: m.band,
    flux: m.psfFlux,
    fluxErr: m.psfFluxErr ?? NaN,
    scienceFlux: m.scienceFlux,
    sourceId: m.id,
    origin,
  };
}

interface Acc {
  curve: RubinLightCurve;
  ids: Set<string>;
  epochs: Set<string>;
  forced: RubinLightCurvePoint[];
  t: number;
}

function addDetections(
  e: Acc,
  a: RubinAlert,
  counts: { duplicates: number; noFlux: number },
): void {
  const list: [RubinMeasurement, RubinLightCurvePoint["origin"]][] = [[a.source, "diaSource"]];
  for (const m of a.prvDiaSources ?? []) list.push([m, "prvDiaSources"]);
  for (const [m, origin] of list) {
    const key = m.id ?? `${m.band}|${m.mjd}`;
    if (e.ids.has(key)) {
      counts.duplicates++;
      continue;
    }
    const p = point(m, origin);
    if (!p) {
      counts.noFlux++;
      continue;
    }
    e.ids.add(key);
    e.epochs.add(`${m.band}|${m.mjd}`);
    e.curve.points.push(p);
  }
}

/**
 * Builds per-object light curves from decoded alerts.
 *
 * @param alerts Alerts, any order.
 * @param options How forced photometry is used.
 * @returns Curves in order of first appearance, with the counts of dropped measurements.
 */
export function lightCurvesFromRubin(
  alerts: readonly RubinAlert[],
  options: RubinLightCurveOptions = {},
): { curves: RubinLightCurve[]; duplicates: number; noFlux: number } {
  const forced = options.forced ?? "fill";
  const byId = new Map<string, Acc>();
  const counts = { duplicates: 0, noFlux: 0 };
  for (const a of alerts) {
    let e = byId.get(a.id);
    if (!e) {
      const curve = { id: a.id, idSource: a.idSource, ra: null, dec: null, alerts: 0, points: [] };
      e = { curve, ids: new Set(), epochs: new Set(), forced: [], t: -Infinity };
      byId.set(a.id, e);
    }
    e.curve.alerts++;
    if (a.source.mjd >= e.t) {
      e.t = a.source.mjd;
      e.curve.ra = a.ra;
      e.curve.dec = a.dec;
    }
    addDetections(e, a, counts);
    for (const m of forced === "none" ? [] : a.prvDiaForcedSources ?? []) {
      const p = point(m, "prvDiaForcedSources");
      if (p) e.forced.push(p);
      else counts.noFlux++;
    }
  }
  for (const e of byId.values()) {
    const seen = new Set<string>();
    for (const p of e.forced) {
      const key = p.sourceId ?? `${p.band}|${p.mjd}`;
      if (seen.has(key) || (forced === "fill" && e.epochs.has(`${p.band}|${p.mjd}`))) {
        counts.duplicates++;
        continue;
      }
      seen.add(key);
      e.curve.points.push(p);
    }
    e.curve.points.sort((x, y) => x.mjd - y.mjd || x.band.localeCompare(y.band));
  }
  return { curves: [...byId.values()].map((e) => e.curve), ...counts };
}

/**
 * Reads Rubin alert files and returns one light curve per object. Files that
 * do not read are reported and skipped.
 *
 * @param paths Files or folders.
 * @param options Forced photometry use; schemas for Confluent messages.
 *
 * @example
 * ```ts
 * import { rubinLightCurves } from "./rubin_lightcurve.ts";
 * const { curves } = await rubinLightCurves("fixtures/rubin/part-1-0-243580376.parquet");
 * if (curves.length !== 2 || curves[0]!.points.length < 800) throw new Error("example check failed");
 * ```
 */
export async function rubinLightCurves(
  paths: string | readonly string[],
  options: RubinLightCurveOptions & RubinReadOptions = {},
): Promise<{ curves: RubinLightCurve[]; report: RubinLightCurveReport }> {
  const report: RubinLightCurveReport = {
    files: 0,
    filesFailed: 0,
    alerts: 0,
    objects: 0,
    points: 0,
    detections: 0,
    forced: 0,
    duplicates: 0,
    noFlux: 0,
    problems: [],
  };
  const alerts: RubinAlert[] = [];
  for (const file of await listRubinFiles(typeof paths === "string" ? [paths] : paths)) {
    report.files++;
    try {
      const r = await readRubinFile(file, { ...options, cutouts: [] });
      alerts.push(...r.alerts);
      report.problems.push(...r.problems);
    } catch (err) {
      report.filesFailed++;
      report.problems.push({
        file,
        index: null,
        diaSourceId: null,
        cutout: null,
        problem: (err as Error).message,
      });
    }
  }
  report.alerts = alerts.length;
  const { curves, duplicates, noFlux } = lightCurvesFromRubin(alerts, options);
  Object.assign(report, { objects: curves.length, duplicates, noFlux });
  for (const c of curves) {
    for (const p of c.points) {
      report.points++;
      if (p.origin === "prvDiaForcedSources") report.forced++;
      else report.detections++;
    }
  }
  return { curves, report };
}
