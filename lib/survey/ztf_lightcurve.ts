/**
 * The light-curve view of ZTF alert packets: per object, the photometry of
 * `candidate` + `prv_candidates` (deduplicated), for the light-curve
 * baselines. No cut-out is decoded, so early packets with JPEG cut-outs give
 * light curves too.
 *
 * Flux unit: microjansky (µJy), from the AB magnitude `magpsf` with zero
 * point 23.9 (flux = 10^((23.9 - magpsf) / 2.5) µJy; 1 µJy = 0.2754
 * nanomaggies). `magpsf` is the PSF magnitude of the *difference* image, so
 * the flux is signed: negative when `isdiffpos` is `f`/`0` (the source got
 * fainter than the reference). fluxErr = |flux| ln(10) / 2.5 sigmapsf.
 * `prv_candidates` entries with a null `magpsf` are non-detections: kept,
 * with `upperLimit: true` and the 5-sigma limit `diffmaglim` (and its flux).
 *
 * @module
 */
import { type AlertCandidate, type AlertPacket, MJD_OFFSET, ZTF_BANDS } from "./ztf_packet.ts";
import { listAlertFiles, readAlertFiles } from "./ztf_files.ts";
import type { AlertProblem } from "./ztf_series.ts";

/** AB zero point of microjansky: m = 23.9 - 2.5 log10(f / µJy). */
export const AB_ZP_MICROJY = 23.9;

/** One photometric point (a detection or an upper limit). */
export interface LightCurvePoint {
  /** Modified Julian Date (jd - 2400000.5). */
  mjd: number;
  /** Band: g, r, i (or `fid<n>` for an unknown filter id). */
  band: string;
  /** ZTF filter id (1 = g, 2 = r, 3 = i). */
  fid: number;
  /** PSF magnitude of the difference image (AB); null for upper limits. */
  magpsf: number | null;
  /** 1-sigma magnitude error; null for upper limits. */
  sigmapsf: number | null;
  /** Difference flux in µJy, signed by `isdiffpos`; null for upper limits. */
  flux: number | null;
  /** 1-sigma flux error in µJy; null for upper limits or without sigmapsf. */
  fluxErr: number | null;
  /** True for a non-detection (`magpsf` null): only the limit is known. */
  upperLimit: boolean;
  /** 5-sigma limiting magnitude of the difference image. */
  diffmaglim: number | null;
  /** `diffmaglim` as a flux in µJy. */
  limitFlux: number | null;
  /** `t`/`1` = positive subtraction, `f`/`0` = negative; null when absent. */
  isdiffpos: string | null;
  /** Candidate id (decimal string); null for non-detections. */
  candid: string | null;
  /** Whether the point came from a packet's `candidate` or its `prv_candidates`. */
  origin: "candidate" | "prv_candidates";
}

/** The light curve of one object. */
export interface AlertLightCurve {
  /** Object id (see {@link AlertPacket.id}). */
  id: string;
  /** Which packet field the id comes from. */
  idSource: AlertPacket["idSource"];
  /** Position of the latest candidate (deg), when known. */
  ra: number | null;
  /** Declination of the latest candidate (deg), when known. */
  dec: number | null;
  /** Number of packets of this object. */
  packets: number;
  /** Points sorted by time then band, deduplicated. */
  points: LightCurvePoint[];
}

/** Counts and problems of {@link alertLightCurves}. */
export interface LightCurveReport {
  /** Packet files read (or tried). */
  files: number;
  /** Files that did not read. */
  filesFailed: number;
  /** Packets read. */
  packets: number;
  /** Objects. */
  objects: number;
  /** Points kept (detections + upper limits). */
  points: number;
  /** Detections kept. */
  detections: number;
  /** Upper limits kept. */
  upperLimits: number;
  /** Points dropped as repeats (same candid, or same jd and fid) across packets. */
  duplicates: number;
  /** Files that did not read, with the reason. */
  problems: AlertProblem[];
}

function signOf(isdiffpos: string | null): number {
  return isdiffpos === "f" || isdiffpos === "0" ? -1 : 1;
}

/** Converts an AB magnitude to µJy. */
export function magToMicroJy(mag: number): number {
  return 10 ** ((AB_ZP_MICROJY - mag) / 2.5);
}

function toPoint(c: AlertCandidate, origin: LightCurvePoint["origin"]): LightCurvePoint {
  const upperLimit = c.magpsf === null;
  let flux: number | null = null;
  let fluxErr: number | null = null;
  if (c.magpsf !== null) {
    const f = magToMicroJy(c.magpsf);
    flux = signOf(c.isdiffpos) * f;
    if (c.sigmapsf !== null) fluxErr = f * Math.LN10 / 2.5 * c.sigmapsf;
  }
  return {
    mjd: c.jd - MJD_OFFSET,
    band: ZTF_BANDS[c.fid] ?? `fid${c.fid}`,
    fid: c.fid,
    magpsf: c.magpsf,
    sigmapsf: upperLimit ? null : c.sigmapsf,
    flux,
    fluxErr,
    upperLimit,
    diffmaglim: c.diffmaglim,
    limitFlux: c.diffmaglim === null ? null : magToMicroJy(c.diffmaglim),
    isdiffpos: c.isdiffpos,
    candid: c.candid === null ? null : String(c.candid),
    origin,
  };
}

/**
 * Builds per-object light curves from decoded packets (cut-outs are not
 * needed). Points repeated across packets are kept once: detections by
 * candid, upper limits by (jd, fid); a detection wins over an upper limit at
 * the same (jd, fid), a packet's `candidate` over a `prv_candidates` copy.
 *
 * @param packets Decoded packets, any order.
 * @returns Light curves in order of first appearance, and the number of repeats dropped.
 */
export function lightCurvesFromPackets(
  packets: readonly AlertPacket[],
): { curves: AlertLightCurve[]; duplicates: number } {
  const byId = new Map<string, { curve: AlertLightCurve; keys: Map<string, number> }>();
  const latest = new Map<string, number>();
  let duplicates = 0;
  for (const p of packets) {
    let e = byId.get(p.id);
    if (!e) {
      e = {
        curve: { id: p.id, idSource: p.idSource, ra: null, dec: null, packets: 0, points: [] },
        keys: new Map(),
      };
      byId.set(p.id, e);
    }
    e.curve.packets++;
    if (p.candidate.jd >= (latest.get(p.id) ?? -Infinity)) {
      latest.set(p.id, p.candidate.jd);
      e.curve.ra = p.candidate.ra;
      e.curve.dec = p.candidate.dec;
    }
    const entries: [AlertCandidate, LightCurvePoint["origin"]][] = [
      [p.candidate, "candidate"],
      ...p.prvCandidates.map((c): [AlertCandidate, LightCurvePoint["origin"]] => [
        c,
        "prv_candidates",
      ]),
    ];
    for (const [c, origin] of entries) {
      const pt = toPoint(c, origin);
      const epochKey = `${c.jd}|${c.fid}`;
      const keys = c.candid === null ? [epochKey] : [`candid:${c.candid}`, epochKey];
      const at = keys.map((k) => e.keys.get(k)).find((i) => i !== undefined);
      if (at === undefined) {
        const idx = e.curve.points.push(pt) - 1;
        for (const k of keys) e.keys.set(k, idx);
        continue;
      }
      duplicates++;
      const old = e.curve.points[at]!;
      const better = (old.upperLimit && !pt.upperLimit) ||
        (old.upperLimit === pt.upperLimit && old.origin !== "candidate" && origin === "candidate");
      if (better) {
        e.curve.points[at] = pt;
        for (const k of keys) e.keys.set(k, at);
      }
    }
  }
  const curves = [...byId.values()].map((e) => e.curve);
  for (const c of curves) {
    c.points.sort((a, b) => a.mjd - b.mjd || a.fid - b.fid);
  }
  return { curves, duplicates };
}

/**
 * Reads alert packet files (directories expand to their `*.avro` files) and
 * returns one light curve per object. Files that do not read are reported
 * and skipped.
 *
 * @param paths A file or folder, or a list of them.
 * @returns Light curves and the report.
 *
 * @example
 * ```ts
 * import { alertLightCurves } from "./ztf_lightcurve.ts";
 * import { makeAlertPacket } from "./ztf_example.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/a.avro`, makeAlertPacket({ history: 2 }));
 * const { curves, report } = await alertLightCurves(dir);
 * // The candidate and its 2 earlier detections.
 * if (curves.length !== 1 || report.points !== 3) throw new Error(`${report.points} points`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function alertLightCurves(
  paths: string | readonly string[],
): Promise<{ curves: AlertLightCurve[]; report: LightCurveReport }> {
  const files = await listAlertFiles(typeof paths === "string" ? [paths] : paths);
  const report: LightCurveReport = {
    files: 0,
    filesFailed: 0,
    packets: 0,
    objects: 0,
    points: 0,
    detections: 0,
    upperLimits: 0,
    duplicates: 0,
    problems: [],
  };
  const packets = await readAlertFiles(files, report, { cutouts: [] });
  const { curves, duplicates } = lightCurvesFromPackets(packets);
  report.objects = curves.length;
  report.duplicates = duplicates;
  for (const c of curves) {
    for (const p of c.points) {
      report.points++;
      if (p.upperLimit) report.upperLimits++;
      else report.detections++;
    }
  }
  return { curves, report };
}
