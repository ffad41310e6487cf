/**
 * The Rubin (LSST) side of `convention alerts`: `info`, `series` and
 * `lightcurve` on Fink Parquet exports and LSST Avro alerts (`--kind rubin`,
 * or recognised by `--kind auto`). Same error model as ZTF: a bad file,
 * record or cut-out is reported by name, the rest go on, exit code 1 when a
 * file did not read.
 *
 * @module
 */
import { printJson } from "./util/output.ts";
import { UsageError } from "../errors.ts";
import { isRubinInput, listRubinFiles, readRubinFile } from "../survey/rubin_files.ts";
import type { RubinAlert } from "../survey/rubin_alert.ts";
import {
  RUBIN_CUTOUT_FIELDS,
  RUBIN_CUTOUT_NAMES,
  type RubinCutoutName,
  type RubinPlane,
} from "../survey/rubin_cutout.ts";
import { loadRubinSchemas, type RubinSchemas } from "../survey/rubin_avro.ts";
import { rubinSeries } from "../survey/rubin_series.ts";
import { rubinLightCurves } from "../survey/rubin_lightcurve.ts";
import { Progress } from "../util/progress.ts";

/** Options every Rubin alerts action takes. */
export interface RubinAlertsOptions {
  /** `auto`, `ztf` or `rubin`. */
  kind?: string;
  /** Schema file or folder for Confluent-framed messages. */
  schema?: string;
  /** Print JSON. */
  json?: boolean;
}

/**
 * Whether `alerts` should treat `paths` as Rubin alerts: `--kind rubin`, or
 * `auto` and the first path is recognised as Rubin.
 *
 * @throws {UsageError} for an unknown kind.
 */
export function isRubinRequest(paths: readonly string[], kind = "auto"): boolean {
  if (kind === "rubin") return true;
  if (kind === "ztf") return false;
  if (kind !== "auto") throw new UsageError(`--kind ${kind} is not auto, ztf or rubin.`);
  try {
    return paths.length > 0 && isRubinInput(paths[0]!, Deno.statSync(paths[0]!));
  } catch {
    return false;
  }
}

function schemasOf(o: RubinAlertsOptions): RubinSchemas | null {
  return o.schema ? loadRubinSchemas(o.schema) : null;
}

type PlaneInfo = { extname: string; shape: [number, number]; finiteSum: number; nonFinite: number };

function planeInfo(p: RubinPlane | null): PlaneInfo | null {
  return p &&
    {
      extname: p.extname,
      shape: [p.width, p.height],
      finiteSum: p.finiteSum,
      nonFinite: p.nonFinite,
    };
}

/** What `alerts info --json` prints per Rubin alert. */
export interface RubinAlertInfo {
  file: string;
  index: number;
  diaSourceId: string;
  diaObjectId: string | null;
  ssObjectId: string | null;
  id: string;
  band: string;
  mjd: number;
  psfFlux: number | null;
  psfFluxErr: number | null;
  nPrvDiaSources: number | null;
  nPrvDiaForcedSources: number | null;
  schemaVersion: string | null;
  cutouts: Record<
    string,
    { image: PlaneInfo | null; uncert: PlaneInfo | null; psf: PlaneInfo | null } | {
      problem: string;
    }
  >;
}

function alertInfo(a: RubinAlert): RubinAlertInfo {
  const cutouts: RubinAlertInfo["cutouts"] = {};
  for (const name of RUBIN_CUTOUT_NAMES) {
    const c = a.cutouts[name];
    if (!c) continue;
    cutouts[RUBIN_CUTOUT_FIELDS[name]] = c.image
      ? { image: planeInfo(c.image), uncert: planeInfo(c.uncert), psf: planeInfo(c.psf) }
      : { problem: c.problem ?? "not usable" };
  }
  return {
    file: a.file,
    index: a.index,
    diaSourceId: a.diaSourceId,
    diaObjectId: a.diaObjectId,
    ssObjectId: a.ssObjectId,
    id: a.id,
    band: a.source.band,
    mjd: a.source.mjd,
    psfFlux: a.source.psfFlux,
    psfFluxErr: a.source.psfFluxErr,
    nPrvDiaSources: a.prvDiaSources?.length ?? null,
    nPrvDiaForcedSources: a.prvDiaForcedSources?.length ?? null,
    schemaVersion: a.schemaVersion,
    cutouts,
  };
}

function printAlert(a: RubinAlertInfo): void {
  console.log(
    `${a.file}[${a.index}]  diaSourceId ${a.diaSourceId}  object ${a.id}  band ${a.band}  mjd ` +
      `${a.mjd}  prvDiaSources ${a.nPrvDiaSources ?? "-"}  prvDiaForcedSources ` +
      `${a.nPrvDiaForcedSources ?? "-"}`,
  );
  for (const [name, c] of Object.entries(a.cutouts)) {
    if ("problem" in c) {
      console.log(`  ${name.padEnd(17)} not usable: ${c.problem}`);
      continue;
    }
    const f = (p: PlaneInfo | null): string =>
      p ? `${p.shape[0]}x${p.shape[1]} sum ${p.finiteSum} non-finite ${p.nonFinite}` : "none";
    console.log(`  ${name.padEnd(17)} image ${f(c.image)}; UNCERT ${f(c.uncert)}; PSF ${f(c.psf)}`);
  }
}

/** `alerts info` on Rubin inputs. */
export async function rubinInfoAction(paths: string[], o: RubinAlertsOptions): Promise<number> {
  const files = await listRubinFiles(paths);
  const schemas = schemasOf(o);
  const alerts: RubinAlertInfo[] = [];
  const failed: { file: string; index: number | null; error: string }[] = [];
  const bar = o.json ? new Progress("reading alerts", files.length, "files") : null;
  let bad = 0;
  let count = 0;
  for (const file of files) {
    try {
      const r = await readRubinFile(file, { schemas });
      for (const p of r.problems) {
        failed.push({ file, index: p.index, error: p.problem });
        if (!o.json) console.log(`${file}[${p.index}]  not an alert: ${p.problem}`);
      }
      for (const a of r.alerts) {
        const info = alertInfo(a);
        count++;
        if (Object.values(info.cutouts).some((c) => "problem" in c)) bad++;
        if (o.json) alerts.push(info);
        else printAlert(info);
      }
    } catch (err) {
      failed.push({ file, index: null, error: (err as Error).message });
      if (!o.json) console.log(`${file}  not read: ${(err as Error).message}`);
    }
    bar?.tick();
  }
  bar?.done(undefined, true);
  const filesFailed = failed.filter((f) => f.index === null).length;
  const summary = {
    files: files.length,
    filesFailed,
    recordsSkipped: failed.length - filesFailed,
    alerts: count,
    alertsWithUnusableCutouts: bad,
  };
  if (o.json) printJson({ survey: "rubin", alerts, failed, summary });
  else {
    console.log(
      `${count} Rubin alerts in ${summary.files} files; ${bad} with unusable cut-outs; ` +
        `${summary.recordsSkipped} records skipped; ${filesFailed} files not read`,
    );
  }
  return filesFailed ? 1 : 0;
}

/** `alerts series` on Rubin inputs. */
export async function rubinSeriesAction(
  paths: string[],
  o: RubinAlertsOptions & { cutout: RubinCutoutName; size: number },
): Promise<number> {
  const { series, report } = await rubinSeries(paths, {
    cutout: o.cutout,
    size: o.size,
    schemas: schemasOf(o),
    history: false,
  });
  const objects = series.map((s) => ({
    id: s.id,
    frames: s.frames.length,
    bands: [...new Set(s.frames.map((f) => f.band))].join(""),
    mjd: s.frames.length ? [s.frames[0]!.mjd, s.frames.at(-1)!.mjd] : [],
    diaSourceIds: s.frames.map((f) => f.meta?.diaSourceId),
    maskedPixels: s.frames.reduce((n, f) => n + (f.mask?.filter((m) => m === 0).length ?? 0), 0),
  }));
  if (o.json) printJson({ survey: "rubin", objects, report });
  else {
    for (const x of objects) {
      console.log(`${x.id}  ${x.frames} frames  bands ${x.bands}  masked pixels ${x.maskedPixels}`);
    }
    for (const p of report.problems) {
      console.log(`skipped ${p.file}${p.index !== null ? `[${p.index}]` : ""}: ${p.problem}`);
    }
    console.log(
      `${report.objects} objects, ${report.frames} frames (${report.cutout}, ${report.size}x` +
        `${report.size}; ${report.paddedFrames} padded, ${report.croppedFrames} cropped) from ` +
        `${report.alerts} alerts; ${report.alertsSkipped} alerts skipped (${report.duplicates} ` +
        `duplicates), ${report.filesFailed} files not read`,
    );
  }
  return report.filesFailed ? 1 : 0;
}

/** `alerts lightcurve` on Rubin inputs. */
export async function rubinLightcurveAction(
  paths: string[],
  o: RubinAlertsOptions,
): Promise<number> {
  const { curves, report } = await rubinLightCurves(paths, { schemas: schemasOf(o) });
  if (o.json) {
    printJson({ survey: "rubin", fluxUnit: "nJy", curves, report });
    return report.filesFailed ? 1 : 0;
  }
  for (const c of curves) {
    console.log(`${c.id}  ${c.alerts} alerts  ${c.points.length} points`);
    console.log("  mjd            band  flux_nJy       err_nJy     origin");
    for (const p of c.points) {
      console.log(
        `  ${p.mjd.toFixed(5).padEnd(14)} ${p.band.padEnd(5)} ${p.flux.toFixed(1).padStart(12)} ` +
          `${p.fluxErr.toFixed(1).padStart(11)}   ${p.origin}`,
      );
    }
  }
  for (const pr of report.problems) console.log(`${pr.file}  not read: ${pr.problem}`);
  console.log(
    `${report.objects} objects, ${report.detections} detections, ${report.forced} forced ` +
      `points (${report.duplicates} repeats dropped, ${report.noFlux} without flux) from ` +
      `${report.alerts} alerts`,
  );
  return report.filesFailed ? 1 : 0;
}
