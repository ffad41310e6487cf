/**
 * `convention simulate`: simulate a Stripe 82-like survey of image time
 * series (SDSS-II SN survey, 2005-2007), written as FITS files plus a
 * catalogue. Progress on stderr; a JSON summary on stdout.
 *
 * ```
 * convention simulate --out DIR [--objects 8249] [--seed 1] [--size 32] [--bands ugriz]
 *                     [--difference] [--gzip] [--quantize Q] [--error-rate 0.08]
 *                     [--workers N] [--force] [--quiet]
 * convention simulate --default [--cache .cache/convention]
 * ```
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";
import { DEFAULT_SURVEY, ensureDefaultSurvey } from "../simulate/default_survey.ts";
import { exampleFigure } from "../simulate/figure.ts";
import { simulateSurvey } from "../simulate/survey.ts";
import { guarded } from "./util/action.ts";
import { integer, number } from "./util/options.ts";
import { printJson } from "./util/output.ts";
import { checkWritableFile, checkWritableFolder } from "../util/writable.ts";

/** The options of `simulate` after parsing. */
interface SimulateCliOptions {
  out?: string;
  objects: number;
  seed: number;
  size: number;
  bands: string;
  difference?: boolean;
  gzip?: boolean;
  quantize: number;
  errorRate: number;
  workers?: number;
  force?: boolean;
  quiet?: boolean;
  default?: boolean;
  cache: string;
  figure?: string;
}

/** Simulates the survey (or the cached default one); returns the exit code. */
async function simulateAction(opts: SimulateCliOptions): Promise<number> {
  const progress = !opts.quiet;
  if (opts.default) {
    const dir = await ensureDefaultSurvey(opts.cache, { progress });
    printJson({ out: dir });
    return 0;
  }
  if (!opts.out) {
    throw new UsageError("--out is required", {
      hint: "give an output folder, e.g. --out data/s82 (or --default for the cached default)",
    });
  }
  const bands = opts.bands;
  if (!/^[ugriz]+$/.test(bands) || new Set(bands).size !== bands.length) {
    throw new UsageError(`--bands must be distinct letters of ugriz, got "${bands}"`);
  }
  await checkWritableFolder(opts.out, "output folder");
  if (opts.figure) await checkWritableFile(opts.figure, "figure file");
  const summary = await simulateSurvey({
    out: opts.out,
    objects: opts.objects,
    seed: opts.seed,
    size: opts.size,
    bands,
    difference: opts.difference ?? false,
    gzip: opts.gzip ?? false,
    quantize: opts.quantize,
    photometricErrorRate: opts.errorRate,
    workers: opts.workers,
    overwrite: opts.force ?? false,
    progress,
  });
  if (opts.figure) {
    const svg = await exampleFigure({
      seed: summary.seed,
      objects: summary.objects,
      size: opts.size,
      bands,
      difference: opts.difference ?? false,
      photometricErrorRate: opts.errorRate,
    }, { band: bands.includes("r") ? "r" : bands[0]! });
    await Deno.writeTextFile(opts.figure, svg);
  }
  printJson({
    ...summary,
    objectsPerSecond: Number((summary.objects / summary.seconds).toFixed(2)),
    megabytesPerSecond: Number((summary.bytes / 1e6 / summary.seconds).toFixed(2)),
  });
  return 0;
}

/** Registers the `simulate` verb on `program`. */
export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("simulate a Stripe 82-like survey of image time series, written as FITS")
    .option("--out <dir>", "output folder (new or empty)")
    .option(
      "--objects <n>",
      "number of objects, in the paper's class proportions",
      integer("objects", { min: 1, max: 10_000_000 }),
      8249,
    )
    .option(
      "--seed <n>",
      "random seed (same seed, same bytes)",
      integer("seed", { min: 0, max: 0xffffffff }),
      1,
    )
    .option("--size <px>", "stamp side in pixels", integer("size", { min: 8, max: 256 }), 32)
    .option("--bands <letters>", "bands to simulate, a subset of ugriz", "ugriz")
    .option("--difference", "write template-subtracted stamps instead of science stamps")
    .option("--gzip", "gzip each object file (.fits.gz)")
    .option(
      "--quantize <q>",
      "store 16-bit integers with BSCALE = SKYSIG / q (0 = float32)",
      number("quantize", { min: 0, max: 1024 }),
      0,
    )
    .option(
      "--error-rate <p>",
      "photometric mislabelling rate of unconfirmed SNe",
      number("error-rate", { min: 0, max: 0.49 }),
      0.08,
    )
    .option(
      "--workers <n>",
      "worker threads (default 2; 0 = this thread)",
      integer("workers", { min: 0, max: 64 }),
    )
    .option("--force", "replace an existing simulated survey in --out")
    .option("--quiet", "no progress bar")
    .option(
      "--default",
      `create (once) and print the default survey used by \`train\` (${DEFAULT_SURVEY.objects} objects)`,
    )
    .option("--cache <dir>", "cache folder of --default", ".cache/convention")
    .option("--figure <svg>", "also write an SVG of stamp strips of a few SNe Ia and AGN")
    .addHelpText(
      "after",
      `
Writes DIR/catalog.csv (object_id,class,true_class,subtype,confirmed,ra,dec,redshift,
host_mag_r,peak_mag_r,n_epochs,n_frames,file,diff_file,template_file), DIR/survey.json and
three FITS files per object in DIR/objects/: science stamps, difference stamps (.diff) and
band templates (.tmpl); an empty primary HDU (no truth), then one IMAGE HDU per frame with
MJD-OBS, FILTER, SEEING, MAGZP, SKYSIG, SKYMAG, GAIN. Pixels are sky-subtracted nanomaggies.
The survey model and its sources: docs/simulator.md.`,
    )
    .action(guarded(simulateAction));
}
