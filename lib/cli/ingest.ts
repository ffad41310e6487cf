/**
 * `convention ingest INPUT`: reads a simulated survey folder, a manifest CSV
 * or a folder of per-epoch FITS files into a packed store, and writes an
 * ingest report (every skipped object or frame, with its reason). Prints a
 * one-line summary on stderr and the report (without the problem list) as
 * JSON on stdout. Exit code 1 when no object could be kept.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { NothingFoundError, skippedExitCode, STRICT_FLAG, STRICT_HELP } from "./util/exit.ts";
import {
  choice,
  type CutoutChoice,
  CUTOUTS,
  integer,
  parseList as list,
  parsePairs as pairs,
} from "./util/options.ts";
import { printJson } from "./util/output.ts";
import { UsageError } from "../errors.ts";
import { checkStoreTarget } from "../data/store_folder.ts";
import { checkWritableFile } from "../util/writable.ts";
import { BandMap, DEFAULT_BANDS } from "../survey/bands.ts";
import { DEFAULT_CLASSES } from "../survey/series.ts";
import { detectSourceKind, openSource, sourceKinds } from "../survey/open_source.ts";
import { ingest } from "../data/ingest.ts";
import type { StoreDtype } from "../data/store_format.ts";
import { readLabelMapFile } from "../survey/rubin_labels.ts";
import { isRubinRequest } from "./alerts_rubin.ts";

const DTYPES = ["float32", "float16"] as const;

/** The options of `ingest` after parsing. */
interface IngestCliOptions {
  alerts?: string;
  cutout: CutoutChoice;
  kind: string;
  out?: string;
  size: number;
  dtype: StoreDtype;
  bands: string;
  bandAlias?: string;
  classes: string;
  labelMap?: string;
  dropUnlabelled?: boolean;
  bandKeys: string;
  timeKeys: string;
  objectFrom: "folder" | "key";
  objectKey: string;
  labels?: string;
  labelKey?: string;
  confirmedKey?: string;
  limit?: number;
  workers: number;
  report?: string;
  quiet?: boolean;
  force?: boolean;
  strict?: boolean;
  labelColumn?: string;
  schema?: string;
}

/** The store folder of `input` when --out is not given. */
function defaultStoreDir(kind: string, input: string): string {
  const inputDir = kind === "manifest"
    ? (input.includes("/") ? input.slice(0, input.lastIndexOf("/")) || "/" : ".")
    : input.replace(/\/+$/, "");
  return `${inputDir}/store`;
}

/** `--label-map`: `from=to` pairs, or a file (CSV `value,label` or JSON) when it holds no `=`. */
function labelMapOption(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  return text.includes("=") ? pairs("label-map", text) : readLabelMapFile(text);
}

/** Ingests the input; returns the exit code (the convention of lib/cli/util/exit.ts). */
async function ingestAction(inputArg: string | undefined, o: IngestCliOptions): Promise<number> {
  if (inputArg && o.alerts) throw new UsageError("Give either an input or --alerts, not both.");
  const input = inputArg ?? o.alerts;
  if (!input) throw new UsageError("Missing the input to ingest (or --alerts DIR).");
  const kind = o.alerts
    ? (isRubinRequest([o.alerts]) ? "rubin" : "alerts")
    : o.kind === "auto"
    ? detectSourceKind(input)
    : o.kind;
  const out = o.out ?? defaultStoreDir(kind, input);
  await checkStoreTarget(out, { force: o.force });
  if (o.report) await checkWritableFile(o.report, "report file");
  const source = openSource(kind, input, {
    bandKeys: list(o.bandKeys),
    timeKeys: list(o.timeKeys),
    objectFrom: o.objectFrom,
    objectKey: o.objectKey,
    labels: o.labels,
    labelKey: o.labelKey,
    confirmedKey: o.confirmedKey,
    limit: o.limit,
    workers: o.workers,
    cutout: o.cutout,
    labelColumn: o.labelColumn,
    schema: o.schema,
  });
  const report = await ingest(source, {
    out,
    size: o.size,
    dtype: o.dtype,
    bands: new BandMap({
      bands: BandMap.parseList(o.bands),
      aliases: o.bandAlias ? pairs("band-alias", o.bandAlias) : {},
    }),
    classes: list(o.classes),
    labelMap: labelMapOption(o.labelMap),
    keepUnlabelled: !o.dropUnlabelled,
    report: o.report,
    progress: !o.quiet,
  });
  const { problems, ...summary } = report;
  printJson({ ...summary, problemsListed: problems.length });
  if (report.objects.in === 0) {
    await Deno.remove(out, { recursive: true }).catch(() => {});
    throw new NothingFoundError(`No object was found in ${input} (${source.description}).`, {
      hint: "check the path and --kind (no store was written)",
    });
  }
  if (report.objects.kept === 0) {
    throw new NothingFoundError(
      `no object could be ingested from ${input}: all ${report.objects.in} were skipped`,
      { hint: `see ${report.report}` },
    );
  }
  return skippedExitCode(report.objects.skipped + report.frames.skipped, o.strict);
}

/** Registers the `ingest` verb on `program`. */
export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description(
      "ingest FITS series (simulator layout, manifest CSV, folder of FITS, ZTF alerts) into a " +
        "packed store",
    )
    .argument(
      "[input]",
      "simulated survey folder, manifest .csv, folder of per-epoch FITS or of ZTF alert packets",
    )
    .option(
      "--alerts <dir>",
      "ZTF alert packets or Rubin alerts (file or folder): same as --kind alerts|rubin <dir>",
    )
    .option(
      "--cutout <name>",
      "alerts: the cut-out that becomes the frame (science, difference, template); simulated: " +
        "science, difference or host-masked stamps (host replaced by sky noise)",
      choice("cutout", CUTOUTS),
      "science" as CutoutChoice,
    )
    .option("--kind <kind>", `source kind: auto, ${sourceKinds().join(", ")}`, "auto")
    .option("-o, --out <dir>", "store folder (default: <input folder>/store)")
    .option(
      "--size <px>",
      "store stamp side; larger stamps centre-cropped, smaller zero-padded",
      integer("size", { min: 1, max: 4096 }),
      32,
    )
    .option(
      "--dtype <type>",
      "pixel type of the store: float32 or float16",
      choice("dtype", DTYPES),
      "float32" as StoreDtype,
    )
    .option("--bands <list>", "bands in id order (ugriz, or g,r,i)", DEFAULT_BANDS.join(""))
    .option("--band-alias <list>", "other band names, e.g. 'SDSS r=r,ZTF_g=g'")
    .option("--classes <list>", "class names in index order", DEFAULT_CLASSES.join(","))
    .option(
      "--label-map <list>",
      "label renames, e.g. 'SNII=SNOther,SNIb=SNOther', or a file: CSV value,label or JSON",
    )
    .option("--label-column <path>", "Rubin alerts: field holding the label, e.g. xm.simbad_otype")
    .option(
      "--schema <avsc>",
      "Rubin alerts: schema (file or folder of <id>.avsc) of Confluent messages",
    )
    .option("--drop-unlabelled", "skip objects without a label (default: keep them)")
    .option("--band-keys <list>", "header keys for the band", "FILTER,BAND")
    .option("--time-keys <list>", "header keys for the time", "MJD-OBS,MJD,DATE-OBS")
    .option(
      "--object-from <how>",
      "folder source: 'folder' (sub-folder) or 'key'",
      choice("object-from", ["folder", "key"] as const),
      "folder" as "folder" | "key",
    )
    .option("--object-key <key>", "folder source: header key naming the object", "OBJECT")
    .option("--labels <csv>", "folder source: CSV object_id,label,confirmed")
    .option("--label-key <key>", "folder source: header key holding the label")
    .option("--confirmed-key <key>", "folder source: header key holding the confirmed flag")
    .option(
      "--limit <n>",
      "simulated source: ingest only the first n objects",
      integer("limit", { min: 1 }),
    )
    .option(
      "--workers <n>",
      "simulated source: worker threads reading the files",
      integer("workers", { min: 0 }),
      0,
    )
    .option("-f, --force", "replace an existing store at --out")
    .option(STRICT_FLAG, STRICT_HELP)
    .option("--report <path>", "report path (default: <out>/ingest_report.json)")
    .option("-q, --quiet", "no progress bar or summary line")
    .action(guarded(ingestAction));
}
