/**
 * The typed view of one Rubin (LSST) alert, from a decoded record: a row of
 * a Fink Parquet export or a native Avro alert (both carry the same
 * structure, the LSST alert schema `lsst.v*`): `diaSourceId`, `diaSource`
 * (the triggering detection: `band`, `midpointMjdTai`, `psfFlux` in nJy,
 * ...), the histories `prvDiaSources` / `prvDiaForcedSources`, `diaObject`,
 * and the cut-outs `cutoutScience`, `cutoutDifference`, `cutoutTemplate`.
 *
 * Object identity: `diaSource.diaObjectId`; solar-system sources, which have
 * `diaObjectId` 0 or null, are grouped by `ssObjectId` (`ss:<id>`), and a
 * source with neither stands alone (`diaSource:<diaSourceId>`).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import {
  decodeRubinCutout,
  RUBIN_CUTOUT_FIELDS,
  RUBIN_CUTOUT_NAMES,
  type RubinCutout,
  type RubinCutoutName,
} from "./rubin_cutout.ts";

export { RUBIN_BANDS } from "./bands.ts";

/** A scalar value of an alert field as decoded (`long` as `bigint`). */
export type RubinValue = string | number | bigint | boolean | null;

/** One photometric measurement of a history (or the triggering source). */
export interface RubinMeasurement {
  /** `diaSourceId` or `diaForcedSourceId` (decimal string); null when absent. */
  id: string | null;
  /** `midpointMjdTai`. */
  mjd: number;
  /** Band letter (u g r i z y). */
  band: string;
  /** PSF flux of the difference image, nJy; null when absent. */
  psfFlux: number | null;
  /** Its 1-sigma error, nJy. */
  psfFluxErr: number | null;
  /** Flux on the science (direct) image, nJy. */
  scienceFlux: number | null;
  /** Its 1-sigma error, nJy. */
  scienceFluxErr: number | null;
}

/** One alert. */
export interface RubinAlert {
  /** The file it came from (as given). */
  file: string;
  /** Row (Parquet) or record (Avro) index in the file. */
  index: number;
  /** The alert's `diaSourceId` (decimal string). */
  diaSourceId: string;
  /** `diaSource.diaObjectId`; null when 0 or absent. */
  diaObjectId: string | null;
  /** `diaSource.ssObjectId`; null when 0 or absent. */
  ssObjectId: string | null;
  /** The id used to group alerts into objects. */
  id: string;
  /** Which field `id` comes from. */
  idSource: "diaObjectId" | "ssObjectId" | "diaSourceId";
  /** The triggering detection. */
  source: RubinMeasurement;
  /** Right ascension of the source (deg). */
  ra: number | null;
  /** Declination of the source (deg). */
  dec: number | null;
  /** `lsst_schema_version` when stated (Fink exports), else null. */
  schemaVersion: string | null;
  /** `prvDiaSources` (earlier detections); null when the field is null. */
  prvDiaSources: RubinMeasurement[] | null;
  /** `prvDiaForcedSources` (forced photometry); null when the field is null. */
  prvDiaForcedSources: RubinMeasurement[] | null;
  /** Decoded cut-outs (those asked for that the alert holds). */
  cutouts: Partial<Record<RubinCutoutName, RubinCutout>>;
  /** Values of the extra columns asked for (dotted paths, e.g. `xm.simbad_otype`). */
  columns: Record<string, RubinValue>;
}

/** A record that is not a usable Rubin alert (no diaSource, band or time). */
export class RubinAlertError extends ConventionError {
  /** Creates the error; `where` is `file[row]`. */
  constructor(where: string, message: string) {
    super(`${where}: ${message}`, {
      hint: "check that the file holds LSST alerts (diaSourceId, diaSource.band, " +
        "diaSource.midpointMjdTai)",
    });
    this.name = "RubinAlertError";
  }
}

/** Options of {@link toRubinAlert}. */
export interface RubinAlertOptions {
  /** Which cut-outs to decode (default all three); `[]` decodes none. */
  cutouts?: readonly RubinCutoutName[];
  /** Extra fields to keep, as dotted paths (`xm.simbad_otype`). */
  columns?: readonly string[];
}

function num(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return null;
}

function idText(v: unknown): string | null {
  if (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))) {
    return v === 0 || v === 0n ? null : String(v);
  }
  return typeof v === "string" && v !== "" && v !== "0" ? v : null;
}

function scalar(v: unknown): RubinValue {
  if (v === undefined || v === null) return null;
  if (["string", "number", "bigint", "boolean"].includes(typeof v)) return v as RubinValue;
  return JSON.stringify(v, (_k, x) => typeof x === "bigint" ? String(x) : x);
}

/** Reads a dotted path (`xm.simbad_otype`) of a record; null when any step is absent. */
export function fieldAt(rec: Record<string, unknown>, path: string): RubinValue {
  let v: unknown = rec;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object") return null;
    v = (v as Record<string, unknown>)[part];
  }
  return scalar(v);
}

/** One history entry (or the diaSource) as a measurement; null when it has no time or band. */
export function toMeasurement(rec: unknown): RubinMeasurement | null {
  if (rec === null || typeof rec !== "object") return null;
  const r = rec as Record<string, unknown>;
  const mjd = num(r.midpointMjdTai);
  const band = typeof r.band === "string" ? r.band : null;
  if (mjd === null || !Number.isFinite(mjd) || band === null) return null;
  return {
    id: idText(r.diaSourceId ?? r.diaForcedSourceId),
    mjd,
    band,
    psfFlux: num(r.psfFlux),
    psfFluxErr: num(r.psfFluxErr),
    scienceFlux: num(r.scienceFlux),
    scienceFluxErr: num(r.scienceFluxErr),
  };
}

function history(v: unknown): RubinMeasurement[] | null {
  if (!Array.isArray(v)) return null;
  const out: RubinMeasurement[] = [];
  for (const e of v) {
    const m = toMeasurement(e);
    if (m) out.push(m);
  }
  return out;
}

function bytesOf(v: unknown): Uint8Array | null {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return new TextEncoder().encode(v);
  return null;
}

/**
 * Builds the typed view of one decoded alert record.
 *
 * @param rec The record (Parquet row or Avro datum).
 * @param file Its file, for messages.
 * @param index Its row / record index.
 * @param options Cut-outs to decode and extra columns to keep.
 * @throws {RubinAlertError} when the record has no `diaSource` with band and time.
 */
export function toRubinAlert(
  rec: Record<string, unknown>,
  file: string,
  index: number,
  options: RubinAlertOptions = {},
): RubinAlert {
  const where = `${file}[${index}]`;
  const ds = rec.diaSource as Record<string, unknown> | null | undefined;
  if (!ds || typeof ds !== "object") throw new RubinAlertError(where, "record has no diaSource");
  const source = toMeasurement(ds);
  if (!source) {
    throw new RubinAlertError(where, "diaSource has no band or no midpointMjdTai");
  }
  const diaSourceId = idText(rec.diaSourceId ?? ds.diaSourceId);
  if (diaSourceId === null) throw new RubinAlertError(where, "record has no diaSourceId");
  const diaObjectId = idText(ds.diaObjectId);
  const ssObjectId = idText(ds.ssObjectId);
  const [id, idSource]: [string, RubinAlert["idSource"]] = diaObjectId !== null
    ? [diaObjectId, "diaObjectId"]
    : ssObjectId !== null
    ? [`ss:${ssObjectId}`, "ssObjectId"]
    : [`diaSource:${diaSourceId}`, "diaSourceId"];
  const cutouts: Partial<Record<RubinCutoutName, RubinCutout>> = {};
  for (const name of options.cutouts ?? RUBIN_CUTOUT_NAMES) {
    const field = RUBIN_CUTOUT_FIELDS[name];
    const b = bytesOf(rec[field]);
    if (b) cutouts[name] = decodeRubinCutout(name, b, `${where} ${field}`);
  }
  const columns: Record<string, RubinValue> = {};
  for (const c of options.columns ?? []) columns[c] = fieldAt(rec, c);
  const v = rec.lsst_schema_version;
  return {
    file,
    index,
    diaSourceId,
    diaObjectId,
    ssObjectId,
    id,
    idSource,
    source: { ...source, id: diaSourceId },
    ra: num(ds.ra),
    dec: num(ds.dec),
    schemaVersion: typeof v === "string" ? v : null,
    prvDiaSources: history(rec.prvDiaSources),
    prvDiaForcedSources: history(rec.prvDiaForcedSources),
    cutouts,
    columns,
  };
}
