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
import { printError, printJson } from "./util/output.ts";
import { UsageError } from "../errors.ts";
import { BandMap, DEFAULT_BANDS } from "../survey/bands.ts";
import { DEFAULT_CLASSES } from "../survey/series.ts";
import { detectSourceKind, openSource, sourceKinds } from "../survey/open_source.ts";
import { ingest } from "../data/ingest.ts";
import type { StoreDtype } from "../data/store_format.ts";

function list(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function pairs(option: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of list(text)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${option} entry "${part}" is not of the form from=to.`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`--${name} ${text} is not a positive integer.`);
  }
  return n;
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
    .option("--alerts <dir>", "ZTF alert packets (file or folder): same as --kind alerts <dir>")
    .option(
      "--cutout <name>",
      "alerts: the cut-out that becomes the frame (science, difference, template); simulated: science or difference stamps",
      "science",
    )
    .option("--kind <kind>", `source kind: auto, ${sourceKinds().join(", ")}`, "auto")
    .option("-o, --out <dir>", "store folder (default: <input folder>/store)")
    .option(
      "--size <px>",
      "store stamp side; larger stamps centre-cropped, smaller zero-padded",
      "32",
    )
    .option("--dtype <type>", "pixel type of the store: float32 or float16", "float32")
    .option("--bands <list>", "bands in id order (ugriz, or g,r,i)", DEFAULT_BANDS.join(""))
    .option("--band-alias <list>", "other band names, e.g. 'SDSS r=r,ZTF_g=g'")
    .option("--classes <list>", "class names in index order", DEFAULT_CLASSES.join(","))
    .option("--label-map <list>", "label renames, e.g. 'SNII=SNOther,SNIb=SNOther'")
    .option("--drop-unlabelled", "skip objects without a label (default: keep them)")
    .option("--band-keys <list>", "header keys for the band", "FILTER,BAND")
    .option("--time-keys <list>", "header keys for the time", "MJD-OBS,MJD,DATE-OBS")
    .option("--object-from <how>", "folder source: 'folder' (sub-folder) or 'key'", "folder")
    .option("--object-key <key>", "folder source: header key naming the object", "OBJECT")
    .option("--labels <csv>", "folder source: CSV object_id,label,confirmed")
    .option("--label-key <key>", "folder source: header key holding the label")
    .option("--confirmed-key <key>", "folder source: header key holding the confirmed flag")
    .option("--limit <n>", "simulated source: ingest only the first n objects")
    .option("--workers <n>", "simulated source: worker threads reading the files", "0")
    .option("--report <path>", "report path (default: <out>/ingest_report.json)")
    .option("-q, --quiet", "no progress bar or summary line")
    .action(guarded(async (inputArg, o) => {
      if (inputArg && o.alerts) throw new UsageError("Give either an input or --alerts, not both.");
      const input = inputArg ?? o.alerts;
      if (!input) throw new UsageError("Missing the input to ingest (or --alerts DIR).");
      if (!["science", "difference", "template"].includes(o.cutout)) {
        throw new UsageError(`--cutout ${o.cutout} is not science, difference or template.`);
      }
      const dtype = o.dtype as StoreDtype;
      if (dtype !== "float32" && dtype !== "float16") {
        throw new UsageError(`--dtype ${o.dtype} is not float32 or float16.`);
      }
      if (o.objectFrom !== "folder" && o.objectFrom !== "key") {
        throw new UsageError(`--object-from ${o.objectFrom} is not 'folder' or 'key'.`);
      }
      const size = positiveInt("size", o.size);
      const kind = o.alerts ? "alerts" : o.kind === "auto" ? detectSourceKind(input) : o.kind;
      const bands = new BandMap({
        bands: BandMap.parseList(o.bands),
        aliases: o.bandAlias ? pairs("band-alias", o.bandAlias) : {},
      });
      const labelMap = o.labelMap ? pairs("label-map", o.labelMap) : {};
      const inputDir = kind === "manifest"
        ? (input.includes("/") ? input.slice(0, input.lastIndexOf("/")) || "/" : ".")
        : input.replace(/\/+$/, "");
      const out = o.out ?? `${inputDir}/store`;
      const source = openSource(kind, input, {
        bandKeys: list(o.bandKeys),
        timeKeys: list(o.timeKeys),
        objectFrom: o.objectFrom,
        objectKey: o.objectKey,
        labels: o.labels,
        labelKey: o.labelKey,
        confirmedKey: o.confirmedKey,
        limit: o.limit ? positiveInt("limit", o.limit) : undefined,
        workers: o.workers === "0" ? 0 : positiveInt("workers", o.workers),
        cutout: o.cutout as "science" | "difference" | "template",
      });
      const report = await ingest(source, {
        out,
        size,
        dtype,
        bands,
        classes: list(o.classes),
        labelMap,
        keepUnlabelled: !o.dropUnlabelled,
        report: o.report,
        progress: !o.quiet,
      });
      const { problems, ...summary } = report;
      printJson({ ...summary, problemsListed: problems.length });
      if (report.objects.kept === 0) {
        printError(`no object could be ingested from ${input}`, `see ${report.report}`);
        return 1;
      }
    }));
}
