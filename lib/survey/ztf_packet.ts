/**
 * ZTF alert packets: the typed view of one alert (object id, candidate,
 * previous candidates and the three image cut-outs) decoded from an Avro
 * container file, schema versions 2.0 to 3.5 and the early 2016 format.
 *
 * Early packets (2016, schema "ztf sample avro alert schema v1.0") carry no
 * `objectId`: their {@link AlertPacket.id} is `alertId:<alertId>` (or
 * `candid:<candid>`), and {@link AlertPacket.idSource} says which was used.
 *
 * @module
 */
import { AvroError, type AvroHeader, type AvroReadLimits, readAvroContainer } from "./ztf_avro.ts";
import {
  type AlertCutout,
  CUTOUT_FIELDS,
  CUTOUT_NAMES,
  type CutoutLimits,
  type CutoutName,
  decodeCutout,
} from "./ztf_cutout.ts";

/** ZTF filter ids to band names. */
export const ZTF_BANDS: Readonly<Record<number, string>> = { 1: "g", 2: "r", 3: "i" };

/** Julian Date of MJD 0 (MJD = JD - 2400000.5). */
export const MJD_OFFSET = 2400000.5;

/** A scalar field of a candidate as decoded (Avro `long` is `bigint`). */
export type AlertValue = string | number | bigint | boolean | null;

/** One detection or non-detection (a `candidate` or a `prv_candidates` entry). */
export interface AlertCandidate {
  /** Candidate id; null for non-detections in `prv_candidates`. */
  candid: bigint | null;
  /** Julian Date of the exposure (mid-exposure, UTC). */
  jd: number;
  /** Filter id: 1 = g, 2 = r, 3 = i. */
  fid: number;
  /** PSF-fit magnitude of the difference image (AB); null for upper limits. */
  magpsf: number | null;
  /** 1-sigma error of `magpsf`; null for upper limits. */
  sigmapsf: number | null;
  /** 5-sigma limiting magnitude of the difference image. */
  diffmaglim: number | null;
  /** Whether the candidate is from the positive subtraction (science - reference): `t`/`1` or `f`/`0`. */
  isdiffpos: string | null;
  /** Right ascension (deg); null when absent. */
  ra: number | null;
  /** Declination (deg); null when absent. */
  dec: number | null;
  /** Every field of the record (including those above), as decoded. */
  fields: Record<string, AlertValue>;
}

/** One alert packet. */
export interface AlertPacket {
  /** The packet file (as given). */
  file: string;
  /** Record index within the file (0 for single-alert files). */
  index: number;
  /** `objectId` as stored; null for early packets that have none. */
  objectId: string | null;
  /** The id used to group packets: `objectId`, else `alertId:<n>`, else `candid:<n>`. */
  id: string;
  /** Which field `id` comes from. */
  idSource: "objectId" | "alertId" | "candid";
  /** Alert candid (top-level `candid`, else the candidate's). */
  candid: bigint | null;
  /** `schemavsn` when the packet states it. */
  schemaVersion: string | null;
  /** The triggering detection. */
  candidate: AlertCandidate;
  /** History: earlier detections and upper limits (empty when null). */
  prvCandidates: AlertCandidate[];
  /** Decoded cut-outs, those asked for that the packet holds. */
  cutouts: Partial<Record<CutoutName, AlertCutout>>;
  /**
   * The stored (still gzipped) `stampData` of each cut-out, kept when
   * {@link ReadAlertOptions.keepStamps} is set, for {@link decodePacketCutout}.
   */
  stamps?: Partial<Record<CutoutName, { fileName: string | null; data: Uint8Array }>>;
}

/** Options of {@link readAlertPackets}: which cut-outs, and the size limits. */
export interface ReadAlertOptions extends CutoutLimits, AvroReadLimits {
  /** Which cut-outs to decode (default all three); `[]` skips FITS decoding. */
  cutouts?: readonly CutoutName[];
  /**
   * Keep the stored bytes of every cut-out in {@link AlertPacket.stamps}, so
   * that they can be decoded later (after duplicates are dropped).
   */
  keepStamps?: boolean;
}

/** Converts a decoded Avro value to the scalar kinds kept in `fields`. */
function scalar(v: unknown): AlertValue {
  if (v === undefined || v === null) return null;
  if (
    typeof v === "string" || typeof v === "number" || typeof v === "bigint" ||
    typeof v === "boolean"
  ) return v;
  return String(v);
}

function num(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return null;
}

function big(v: unknown): bigint | null {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  return null;
}

function toCandidate(rec: Record<string, unknown>, where: string): AlertCandidate {
  // Candidate records hold only scalars (null, boolean, int, long, float,
  // double, string): use the decoded record as is, without a copy.
  let fields = rec as Record<string, AlertValue>;
  for (const k in rec) {
    const v = rec[k];
    if (v !== null && typeof v === "object") {
      fields = {};
      for (const [k2, v2] of Object.entries(rec)) fields[k2] = scalar(v2);
      break;
    }
  }
  const jd = num(rec.jd);
  const fid = num(rec.fid);
  if (jd === null || fid === null) {
    throw new TypeError(`${where} has no jd or fid`);
  }
  const d = rec.isdiffpos;
  return {
    candid: big(rec.candid),
    jd,
    fid,
    magpsf: num(rec.magpsf),
    sigmapsf: num(rec.sigmapsf),
    diffmaglim: num(rec.diffmaglim),
    isdiffpos: d === null || d === undefined ? null : String(d),
    ra: num(rec.ra),
    dec: num(rec.dec),
    fields,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The stored stamp of one cut-out, when the record has one. */
function stampOf(
  rec: Record<string, unknown>,
  name: CutoutName,
): { fileName: string | null; data: Uint8Array } | null {
  const stamp = rec[CUTOUT_FIELDS[name]];
  if (!isRecord(stamp) || !(stamp.stampData instanceof Uint8Array)) return null;
  return {
    fileName: typeof stamp.fileName === "string" ? stamp.fileName : null,
    data: stamp.stampData,
  };
}

/**
 * Decodes one cut-out of a packet read with `keepStamps` (within the size
 * limits) and stores it in `packet.cutouts`; does nothing when the packet has
 * no such cut-out or it is already decoded.
 *
 * @param packet A packet from {@link readAlertPackets}.
 * @param name Which cut-out.
 * @param limits Most bytes and pixels accepted.
 * @returns The decoded cut-out, or undefined when the packet has none.
 */
export function decodePacketCutout(
  packet: AlertPacket,
  name: CutoutName,
  limits: CutoutLimits = {},
): AlertCutout | undefined {
  const done = packet.cutouts[name];
  if (done) return done;
  const s = packet.stamps?.[name];
  if (!s) return undefined;
  const where = `${packet.file}:${CUTOUT_FIELDS[name]}`;
  return packet.cutouts[name] = decodeCutout(name, s.fileName, s.data, where, limits);
}

/**
 * Turns one decoded Avro record into an {@link AlertPacket}.
 *
 * @throws {AvroError} (kind `not-ztf`) when the record has no `candidate` with jd and fid.
 */
export function toAlertPacket(
  rec: unknown,
  file: string,
  index: number,
  options: ReadAlertOptions = {},
): AlertPacket {
  const where = `${file}[${index}]`;
  if (!isRecord(rec) || !isRecord(rec.candidate)) {
    throw notZtf(`${where}: record has no candidate (not a ZTF alert)`);
  }
  let candidate: AlertCandidate;
  let prvCandidates: AlertCandidate[];
  try {
    candidate = toCandidate(rec.candidate, `${where} candidate`);
    const prv = Array.isArray(rec.prv_candidates) ? rec.prv_candidates : [];
    prvCandidates = prv.filter(isRecord).map((p, i) =>
      toCandidate(p, `${where} prv_candidates[${i}]`)
    );
  } catch (err) {
    throw notZtf(`${(err as Error).message} (not a ZTF alert)`);
  }
  const candid = big(rec.candid) ?? candidate.candid;
  let id: string;
  let idSource: AlertPacket["idSource"];
  if (typeof rec.objectId === "string" && rec.objectId !== "") {
    id = rec.objectId;
    idSource = "objectId";
  } else if (rec.alertId !== undefined && rec.alertId !== null) {
    id = `alertId:${rec.alertId}`;
    idSource = "alertId";
  } else {
    id = `candid:${candid}`;
    idSource = "candid";
  }
  const cutouts: Partial<Record<CutoutName, AlertCutout>> = {};
  for (const name of options.cutouts ?? CUTOUT_NAMES) {
    const s = stampOf(rec, name);
    if (!s) continue;
    const where = `${file}:${CUTOUT_FIELDS[name]}`;
    cutouts[name] = decodeCutout(name, s.fileName, s.data, where, options);
  }
  let stamps: AlertPacket["stamps"];
  if (options.keepStamps) {
    stamps = {};
    for (const name of CUTOUT_NAMES) {
      const s = stampOf(rec, name);
      if (s) stamps[name] = s;
    }
  }
  return {
    file,
    index,
    objectId: idSource === "objectId" ? id : null,
    id,
    idSource,
    candid,
    schemaVersion: typeof rec.schemavsn === "string" ? rec.schemavsn : null,
    candidate,
    prvCandidates,
    cutouts,
    ...(stamps ? { stamps } : {}),
  };
}

function notZtf(message: string): AvroError {
  return new AvroError(message, {
    kind: "not-ztf",
    hint: "only ZTF alert packets are read here (schemas 1.x to 4.x)",
  });
}

/**
 * Schema namespaces of other surveys' alert streams whose records look like
 * ZTF's (PGIR and WINTER reuse the ZTF layout, with `candidate`); a ZTF alert
 * re-serialised by a broker under another namespace is still read.
 */
const OTHER_SURVEYS = /^(pgir|winter|atlas|lsst|rubin|elasticc|decam|goto|lasair)\b/i;

/** Names of a schema list's types, for messages. */
function typeNames(list: unknown[]): string {
  const names = list.map((t) => isRecord(t) && typeof t.name === "string" ? t.name : String(t));
  return names.slice(0, 6).join(", ") + (names.length > 6 ? ", ..." : "");
}

/**
 * Refuses a container whose writer schema is not a ZTF alert record (checked
 * before the schema is compiled): a list (union) of types, a record without a
 * `candidate` field, or a schema in the namespace of another survey's alert
 * stream (PGIR, WINTER, ATLAS, LSST/Rubin, ELAsTiCC, ...).
 *
 * @throws {AvroError} of kind `not-ztf`, naming the file and what the schema is.
 */
export function checkZtfAlertSchema(header: AvroHeader, name: string): void {
  const s = header.schema;
  if (Array.isArray(s)) {
    throw notZtf(
      `${name}: the top-level schema is a list (union) of ${s.length} types ` +
        `(${typeNames(s)}), not one ZTF alert record`,
    );
  }
  if (!isRecord(s) || s.type !== "record" || !Array.isArray(s.fields)) {
    throw notZtf(
      `${name}: the top-level schema is ${JSON.stringify(s).slice(0, 60)}, not a record`,
    );
  }
  const full = `${typeof s.namespace === "string" ? `${s.namespace}.` : ""}${s.name}`;
  const ns = typeof s.namespace === "string" ? s.namespace : "";
  const fields = (s.fields as unknown[]).map((f) => isRecord(f) ? f.name : null);
  const other = OTHER_SURVEYS.test(ns);
  if (other || !fields.includes("candidate")) {
    throw notZtf(
      `${name}: Avro records of schema "${full}" (fields ${fields.slice(0, 5).join(", ")}${
        fields.length > 5 ? ", ..." : ""
      }) are not ZTF alerts` + (other ? ` (namespace "${ns}": another survey's alerts)` : ""),
    );
  }
}

/**
 * Decodes the alert packets of one Avro file from its bytes (ZTF files hold
 * one alert each, but any number is read). Cut-outs that are not FITS (early
 * JPEG packets) come back with `pixels: null` and a `problem`; they do not
 * throw.
 *
 * @param bytes The whole `.avro` file.
 * @param file The file name, used in ids of reports.
 * @param options Which cut-outs to decode.
 * @returns The packets in file order.
 * @throws {AvroError} when the bytes are not a readable Avro container, or
 *   (kind `not-ztf`) not ZTF alerts.
 *
 * @example
 * ```ts
 * import { readAlertPackets } from "./ztf_packet.ts";
 * import { makeAlertPacket } from "./ztf_example.ts";
 * const bytes = makeAlertPacket({ objectId: "ZTF18aagtxuc", fid: 2, size: 41 });
 * const [alert] = readAlertPackets(bytes, "example.avro");
 * const { id, candidate, cutouts } = alert!;
 * if (`${id} ${candidate.fid} ${cutouts.science?.height}` !== "ZTF18aagtxuc 2 41") throw new Error(id);
 * ```
 */
export function readAlertPackets(
  bytes: Uint8Array,
  file = "<bytes>",
  options: ReadAlertOptions = {},
): AlertPacket[] {
  const { records } = readAvroContainer(bytes, file, {
    maxBlockBytes: options.maxBlockBytes,
    checkHeader: options.checkHeader ?? checkZtfAlertSchema,
  });
  return records.map((rec, i) => toAlertPacket(rec, file, i, options));
}

/**
 * Reads one `.avro` alert file from disk; see {@link readAlertPackets}.
 *
 * @param path Path of the packet file.
 * @param options Which cut-outs to decode.
 *
 * @example
 * ```ts
 * import { readAlertFile } from "./ztf_packet.ts";
 * import { makeAlertPacket } from "./ztf_example.ts";
 * const path = await Deno.makeTempFile({ suffix: ".avro" });
 * // A packet whose cut-outs are JPEG images, as in the 2017-2018 test stream.
 * await Deno.writeFile(path, makeAlertPacket({ stampData: new Uint8Array([0xff, 0xd8, 0xff, 0]) }));
 * const packets = await readAlertFile(path);
 * const problem = packets[0]!.cutouts.science?.problem;
 * if (problem !== "JPEG image (FF D8 FF), 4 bytes") throw new Error(problem ?? "FITS?");
 * await Deno.remove(path);
 * ```
 */
export async function readAlertFile(
  path: string,
  options: ReadAlertOptions = {},
): Promise<AlertPacket[]> {
  return readAlertPackets(await Deno.readFile(path), path, options);
}
