/**
 * `convention alerts`: inspect ZTF alert packets.
 *
 * - `alerts info FILE|DIR... [--json]`: per packet the file, objectId, candid,
 *   fid, jd, number of prv_candidates and per cut-out its shape, non-NaN pixel
 *   sum and NaN count, or why it is not FITS.
 * - `alerts lightcurve FILE|DIR... [--json]`: per object the deduplicated
 *   photometry of candidate + prv_candidates (flux in µJy, upper limits flagged).
 * - `alerts series FILE|DIR... [--cutout science|difference|template]`: groups
 *   packets by object into image series and prints the grouping report.
 *
 * Rubin (LSST) alerts (Fink Parquet exports, LSST Avro) are read by the same
 * verbs with `--kind rubin`, or when `--kind auto` recognises them (see
 * alerts_rubin.ts).
 *
 * `alerts` is also a source kind of the registry, so that `ingest --alerts
 * DIR` and `predict --alerts DIR` read packet folders.
 *
 * @module
 */
import { type Command, Option } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { NothingFoundError, skippedExitCode, STRICT_FLAG, STRICT_HELP } from "./util/exit.ts";
import { integer } from "./util/options.ts";
import { printJson } from "./util/output.ts";
import { eachAlertPacket, listAlertFiles } from "../survey/ztf_files.ts";
import { type AlertPacket, MJD_OFFSET, ZTF_BANDS } from "../survey/ztf_packet.ts";
import {
  CUTOUT_FIELDS,
  CUTOUT_NAMES,
  type CutoutLimits,
  type CutoutName,
  DEFAULT_MAX_CUTOUT_BYTES,
  DEFAULT_MAX_CUTOUT_PIXELS,
} from "../survey/ztf_cutout.ts";
import { alertLightCurves } from "../survey/ztf_lightcurve.ts";
import { type AlertProblem, alertSeries } from "../survey/ztf_series.ts";
import { Progress } from "../util/progress.ts";
import {
  isRubinRequest,
  rubinInfoAction,
  rubinLightcurveAction,
  rubinSeriesAction,
} from "./alerts_rubin.ts";

/** What `alerts info --json` prints per cut-out. */
type CutoutInfo =
  | { fileName: string | null; shape: [number, number]; sum: number; nanCount: number }
  | { fileName: string | null; problem: string };

/** What `alerts info --json` prints per packet. */
interface PacketInfo {
  file: string;
  index: number;
  objectId: string | null;
  id: string;
  candid: string | null;
  fid: number;
  band: string | null;
  jd: number;
  mjd: number;
  nPrv: number;
  schemaVersion: string | null;
  cutouts: Record<string, CutoutInfo>;
}

function packetInfo(p: AlertPacket): PacketInfo {
  const cutouts: Record<string, CutoutInfo> = {};
  for (const name of CUTOUT_NAMES) {
    const c = p.cutouts[name];
    if (!c) continue;
    cutouts[CUTOUT_FIELDS[name]] = c.pixels
      ? { fileName: c.fileName, shape: [c.width, c.height], sum: c.sum, nanCount: c.nanCount }
      : { fileName: c.fileName, problem: c.problem ?? "not FITS" };
  }
  return {
    file: p.file,
    index: p.index,
    objectId: p.objectId,
    id: p.id,
    candid: p.candid === null ? null : String(p.candid),
    fid: p.candidate.fid,
    band: ZTF_BANDS[p.candidate.fid] ?? null,
    jd: p.candidate.jd,
    mjd: p.candidate.jd - MJD_OFFSET,
    nPrv: p.prvCandidates.length,
    schemaVersion: p.schemaVersion,
    cutouts,
  };
}

function printPacket(p: PacketInfo): void {
  const id = p.objectId ?? `${p.id} (no objectId)`;
  console.log(
    `${p.file}${p.index ? `[${p.index}]` : ""}  ${id}  candid ${p.candid}  fid ${p.fid} (${
      p.band ?? "?"
    })  jd ${p.jd}  prv ${p.nPrv}`,
  );
  for (const [name, c] of Object.entries(p.cutouts)) {
    console.log(
      "problem" in c
        ? `  ${name.padEnd(16)} not FITS: ${c.problem}`
        : `  ${name.padEnd(16)} ${c.shape[0]}x${c.shape[1]}  sum ${c.sum}  NaN ${c.nanCount}`,
    );
  }
}

/** Options `--max-cutout-bytes` and `--max-cutout-pixels` as cut-out limits. */
interface LimitOpts {
  maxCutoutBytes: number;
  maxCutoutPixels: number;
}

/** Options every `alerts` sub-command takes. */
interface AlertsOptions {
  json?: boolean;
  strict?: boolean;
}

function cutoutLimits(opts: LimitOpts): CutoutLimits {
  return { maxCutoutBytes: opts.maxCutoutBytes, maxCutoutPixels: opts.maxCutoutPixels };
}

async function alertFiles(paths: string[]): Promise<string[]> {
  const files = await listAlertFiles(paths);
  if (files.length === 0) {
    throw new NothingFoundError(`No alert packet file was found in ${paths.join(", ")}.`, {
      hint: "give .avro files or folders holding them",
    });
  }
  return files;
}

/** The exit code once `read` inputs were used and `skipped` not: 1 when none was used, else the convention. */
function alertsExit(read: number, skipped: number, what: string, strict?: boolean): number {
  if (read === 0) {
    throw new NothingFoundError(
      skipped > 0
        ? `None of the ${skipped} ${what} could be read (see above).`
        : "The files hold no alert packet.",
    );
  }
  return skippedExitCode(skipped, strict);
}

async function infoAction(
  paths: string[],
  opts: AlertsOptions & LimitOpts,
): Promise<number> {
  const files = await alertFiles(paths);
  const limits = cutoutLimits(opts);
  const packets: PacketInfo[] = [];
  // Tables are printed file by file (the output is the progress); JSON at the end, with a bar.
  const bar = opts.json ? new Progress("reading alerts", files.length, "files") : null;
  let notFits = 0;
  const counts = { files: 0, filesFailed: 0, packets: 0, problems: [] as AlertProblem[] };
  let printed = 0;
  const printFailures = (): void => {
    for (; printed < counts.problems.length; printed++) {
      const p = counts.problems[printed]!;
      if (!opts.json) console.log(`${p.file}  not read: ${p.problem}`);
    }
  };
  for await (const p of eachAlertPacket(files, counts, limits, () => bar?.tick())) {
    printFailures();
    const info = packetInfo(p);
    if (Object.values(info.cutouts).some((c) => "problem" in c)) notFits++;
    if (opts.json) packets.push(info);
    else printPacket(info);
  }
  printFailures();
  bar?.done(undefined, true);
  const failed = counts.problems.map((p) => ({ file: p.file, error: p.problem }));
  const count = counts.packets;
  const summary = {
    files: counts.files,
    filesFailed: failed.length,
    packets: count,
    packetsWithNonFitsCutouts: notFits,
  };
  if (opts.json) {
    printJson({ packets, failed, summary });
  } else {
    console.log(
      `${summary.packets} packets in ${summary.files} files; ${summary.packetsWithNonFitsCutouts} ` +
        `with cut-outs that are not FITS; ${summary.filesFailed} files not read`,
    );
  }
  return alertsExit(files.length - failed.length, failed.length, "files", opts.strict);
}

async function lightcurveAction(paths: string[], opts: AlertsOptions): Promise<number> {
  const { curves, report } = await alertLightCurves(await alertFiles(paths));
  if (opts.json) {
    printJson({ curves, report });
  } else {
    for (const c of curves) {
      console.log(`${c.id}  ${c.packets} packets  ${c.points.length} points`);
      console.log("  mjd           band  mag     err     flux_uJy     err_uJy   limit");
      for (const p of c.points) {
        const f = (v: number | null, d: number, w: number): string =>
          (v === null ? "-" : v.toFixed(d)).padStart(w);
        console.log(
          `  ${p.mjd.toFixed(5).padEnd(13)} ${p.band.padEnd(4)} ${f(p.magpsf, 3, 7)} ${
            f(p.sigmapsf, 3, 7)
          } ${f(p.flux, 2, 12)} ${f(p.fluxErr, 2, 11)} ${f(p.diffmaglim, 2, 7)}${
            p.upperLimit ? "  (upper limit)" : ""
          }`,
        );
      }
    }
    for (const pr of report.problems) console.log(`${pr.file}  not read: ${pr.problem}`);
    console.log(
      `${report.objects} objects, ${report.detections} detections, ${report.upperLimits} upper ` +
        `limits (${report.duplicates} repeats dropped) from ${report.packets} packets`,
    );
  }
  return alertsExit(report.packets, report.filesFailed, "files", opts.strict);
}

async function seriesAction(
  paths: string[],
  opts: AlertsOptions & LimitOpts & { cutout: CutoutName; size: number },
): Promise<number> {
  const { series, report } = await alertSeries(await alertFiles(paths), {
    cutout: opts.cutout,
    size: opts.size,
    progress: true,
    maxCutoutBytes: opts.maxCutoutBytes,
    maxCutoutPixels: opts.maxCutoutPixels,
  });
  const objects = series.map((s) => ({
    id: s.id,
    frames: s.frames.length,
    bands: [...new Set(s.frames.map((f) => f.band))].join(""),
    mjd: s.frames.length ? [s.frames[0]!.mjd, s.frames.at(-1)!.mjd] : [],
    maskedPixels: s.frames.reduce((n, f) => n + (f.mask?.filter((m) => m === 0).length ?? 0), 0),
  }));
  if (opts.json) {
    printJson({ objects, report });
  } else {
    for (const o of objects) {
      console.log(
        `${o.id}  ${o.frames} frames  bands ${o.bands}  masked pixels ${o.maskedPixels}`,
      );
    }
    for (const p of report.problems) {
      console.log(
        `skipped ${p.file}${p.index !== null ? `[${p.index}]` : ""}${
          p.cutout ? ` ${p.cutout}` : ""
        }: ${p.problem}`,
      );
    }
    console.log(
      `${report.objects} objects, ${report.frames} frames (${report.cutout}, ${report.size}x` +
        `${report.size}; ${report.paddedFrames} padded, ${report.nanPixels} NaN pixels masked) ` +
        `from ${report.packets} packets; ${report.packetsSkipped} packets skipped, ` +
        `${report.filesFailed} files not read`,
    );
  }
  return alertsExit(
    report.packets - report.packetsSkipped,
    report.filesFailed + report.packetsSkipped,
    "files and packets",
    opts.strict,
  );
}

const MAX_BYTES = [
  "--max-cutout-bytes <n>",
  "skip a packet whose cut-out (gunzipped) is larger than this",
  integer("max-cutout-bytes", { min: 1 }),
  DEFAULT_MAX_CUTOUT_BYTES,
] as const;
const MAX_PIXELS = [
  "--max-cutout-pixels <n>",
  "skip a packet whose cut-out has more pixels than this",
  integer("max-cutout-pixels", { min: 1 }),
  DEFAULT_MAX_CUTOUT_PIXELS,
] as const;

/** Registers the `alerts` verb on `program`. */
export function registerAlerts(program: Command): void {
  const alerts = program
    .command("alerts")
    .description(
      "inspect ZTF alert packets (Avro files; folders expand to their *.avro files) or Rubin " +
        "alerts (Fink Parquet exports, LSST Avro)",
    );
  const kindOpt = () =>
    new Option("--kind <kind>", "auto, ztf or rubin (auto recognises Rubin inputs)").default(
      "auto",
    );
  const schemaOpt = "--schema <avsc>";
  const schemaHelp = "Rubin: writer schema (.avsc file, or folder of <id>.avsc) of " +
    "Confluent-framed messages";
  alerts
    .command("info")
    .description(
      "per packet: file, objectId, candid, fid, jd, prv_candidates count and per cut-out its " +
        "shape (NAXIS1xNAXIS2), non-NaN pixel sum and NaN count, or why it is not FITS",
    )
    .argument("<paths...>", "alert packet files, archives (.zip, .tar, .tar.gz) or folders")
    .option("--json", "print JSON on stdout")
    .option(...MAX_BYTES)
    .option(...MAX_PIXELS)
    .option(STRICT_FLAG, STRICT_HELP)
    .addOption(kindOpt())
    .option(schemaOpt, schemaHelp)
    .action(
      guarded((paths, o) =>
        isRubinRequest(paths, o.kind) ? rubinInfoAction(paths, o) : infoAction(paths, o)
      ),
    );
  alerts
    .command("lightcurve")
    .description(
      "per object: candidate + prv_candidates photometry, deduplicated (flux in microjansky " +
        "from magpsf with AB zero point 23.9, signed by isdiffpos; upper limits flagged)",
    )
    .argument("<paths...>", "alert packet files or folders")
    .option("--json", "print JSON on stdout")
    .option(STRICT_FLAG, STRICT_HELP)
    .addOption(kindOpt())
    .option(schemaOpt, schemaHelp)
    .action(
      guarded((paths, o) =>
        isRubinRequest(paths, o.kind) ? rubinLightcurveAction(paths, o) : lightcurveAction(paths, o)
      ),
    );
  alerts
    .command("series")
    .description(
      "group packets by objectId into image series (edge cut-outs padded and masked) and " +
        "report what was used and skipped",
    )
    .argument("<paths...>", "alert packet files or folders")
    .addOption(
      new Option("--cutout <name>", "which cut-out makes the frames")
        .choices(["science", "difference", "template"] as const)
        .default("science" as const),
    )
    .option("--size <n>", "common stamp size in pixels", integer("size", { min: 1, max: 4096 }), 63)
    .option("--json", "print JSON on stdout")
    .option(...MAX_BYTES)
    .option(...MAX_PIXELS)
    .option(STRICT_FLAG, STRICT_HELP)
    .addOption(kindOpt())
    .option(schemaOpt, schemaHelp)
    .action(
      guarded((paths, o) =>
        isRubinRequest(paths, o.kind) ? rubinSeriesAction(paths, o) : seriesAction(paths, o)
      ),
    );
}
