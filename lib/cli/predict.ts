/**
 * `convention predict --model RUN INPUT...`: classify objects with a trained
 * run. Inputs: a simulated survey folder, a manifest CSV, a folder of FITS
 * files, or a packed store. One JSON line per object (default) or CSV, on
 * stdout; problems with the input on stderr.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { stringify } from "csv-stringify/sync";
import { guarded } from "./util/action.ts";
import { NothingFoundError, SkipCounter, STRICT_FLAG, STRICT_HELP } from "./util/exit.ts";
import type { Problem } from "../survey/source.ts";
import {
  type BackendName,
  BACKENDS,
  choice,
  type CutoutChoice,
  CUTOUTS,
  integer,
  number,
} from "./util/options.ts";
import { UsageError } from "../errors.ts";
import { predict, type Prediction } from "../train/predict.ts";
import { resolveRun } from "../train/run_dir.ts";
import { runtimeHooks } from "../train/runtime.ts";
import { isRubinRequest } from "./alerts_rubin.ts";

const FORMATS = ["jsonl", "csv"] as const;
type Format = (typeof FORMATS)[number];

/** The options of `predict` after parsing. */
interface PredictCliOptions {
  alerts?: string;
  cutout: CutoutChoice;
  model: string;
  runsDir: string;
  format: Format;
  mc?: number;
  batchSize?: number;
  seed?: number;
  kind: string;
  backend: BackendName;
  strict?: boolean;
  schema?: string;
  asOf?: number;
  calibrate: boolean;
}

/** Writes predictions on stdout as JSON lines or CSV (header from the first prediction). */
function predictionWriter(format: Format, mc: boolean): (p: Prediction) => void {
  const enc = new TextEncoder();
  const out = (s: string) => Deno.stdout.writeSync(enc.encode(s));
  let header = false;
  return (p) => {
    if (format === "jsonl") return out(JSON.stringify(p) + "\n");
    const classes = Object.keys(p.probabilities);
    if (!header) {
      header = true;
      out(stringify([csvHeader(classes, mc)]));
    }
    out(stringify([csvRow(p, classes, mc)]));
  };
}

function csvHeader(classes: string[], mc: boolean): string[] {
  const cols = ["object_id", "label", "predicted", "frames", ...classes.map((k) => `p_${k}`)];
  if (mc) {
    cols.push(
      "mc_predicted",
      ...classes.map((k) => `mc_mean_${k}`),
      ...classes.map((k) => `mc_std_${k}`),
    );
  }
  return cols;
}

function csvRow(p: Prediction, classes: string[], mc: boolean): (string | number)[] {
  const row: (string | number)[] = [p.id, p.label ?? "", p.predicted, p.frames];
  for (const k of classes) row.push(p.probabilities[k]!);
  if (mc) {
    row.push(p.mcPredicted!);
    for (const k of classes) row.push(p.mcMean![k]!);
    for (const k of classes) row.push(p.mcStd![k]!);
  }
  return row;
}

/** Classifies the inputs and writes the predictions; returns the exit code. */
async function predictAction(inputArgs: string[], o: PredictCliOptions): Promise<number> {
  const inputs = o.alerts ? [...inputArgs, o.alerts] : inputArgs;
  if (inputs.length === 0) throw new UsageError("Missing the inputs to classify.");
  if (o.alerts && inputArgs.length > 0) {
    throw new UsageError("Give either inputs or --alerts, not both.");
  }
  const dir = await resolveRun(o.model, o.runsDir);
  await runtimeHooks().selectBackend(o.backend);
  const write = predictionWriter(o.format, (o.mc ?? 0) > 0);
  const skipped = new SkipCounter("input problems");
  let n = 0;
  const t0 = performance.now();
  const options = {
    mc: o.mc,
    batchSize: o.batchSize,
    seed: o.seed,
    kind: o.alerts ? (isRubinRequest([o.alerts]) ? "rubin" : "alerts") : o.kind,
    source: { cutout: o.cutout, schema: o.schema },
    asOf: o.asOf,
    calibrate: o.calibrate,
  };
  const onProblem = (pr: Problem) => skipped.warn(`${pr.message} (${pr.skipped} skipped)`);
  for await (const p of predict(dir, inputs, options, onProblem)) {
    if (p.frames === 0) {
      // No frame in a band the run was trained on (e.g. Rubin u/z/y with a g,r,i run): the model
      // has nothing to look at, so the object is reported, not classified.
      skipped.warn(
        `Object "${p.id}" has no frame in the run's bands (frames in other bands are dropped) ` +
          `(object skipped)`,
      );
      continue;
    }
    n++;
    write(p);
  }
  if (n === 0) {
    throw new NothingFoundError(
      `no object to classify was found in ${inputs.join(", ")}`,
      { hint: skipped.count ? `${skipped.count} input problems were reported above` : undefined },
    );
  }
  const secs = (performance.now() - t0) / 1000;
  console.error(
    `predicted ${n} objects with ${dir} in ${secs.toFixed(1)} s ` +
      `(${(n / Math.max(secs, 1e-9)).toFixed(1)} objects/s, reading included); ` +
      skipped.summary(),
  );
  return skipped.exitCode(o.strict);
}

/** Registers the `predict` verb on `program`. */
export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("classify objects with a trained model (JSON lines or CSV on stdout)")
    .argument(
      "[inputs...]",
      "simulated survey folders, manifest CSVs, FITS folders, alert packet folders or stores",
    )
    .option(
      "--alerts <dir>",
      "ZTF alert packets or Rubin alerts (folder): same as --kind alerts|rubin <dir>",
    )
    .option(
      "--schema <avsc>",
      "Rubin alerts: schema (file or folder of <id>.avsc) of Confluent messages",
    )
    .option(
      "--cutout <name>",
      "alerts: the cut-out that becomes the frame: science, difference or template",
      choice("cutout", CUTOUTS),
      "science" as CutoutChoice,
    )
    .requiredOption("-m, --model <run>", "trained run folder or name (`latest` for runs/latest)")
    .option("--runs-dir <dir>", "folder of the run folders", "runs")
    .option(
      "--format <fmt>",
      "jsonl (default) or csv",
      choice("format", FORMATS),
      "jsonl" as Format,
    )
    .option(
      "--mc <n>",
      "Monte-Carlo dropout passes (adds predictive mean and spread)",
      integer("mc", { min: 0 }),
    )
    .option("--batch-size <n>", "objects per batch", integer("batch-size", { min: 1 }))
    .option("--seed <n>", "seed of the Monte-Carlo dropout masks", integer("seed"))
    .option(
      "--kind <kind>",
      "input kind: auto, simulated, manifest, folder, alerts (or another registered)",
      "auto",
    )
    .option(
      "--backend <name>",
      "auto, webgpu, wasm or cpu",
      choice("backend", BACKENDS),
      "auto" as BackendName,
    )
    .option("--as-of <mjd>", "classify with the epochs up to this MJD only", number("as-of"))
    .option("--no-calibrate", "do not divide the logits by the run's fitted temperature")
    .option(STRICT_FLAG, STRICT_HELP)
    .action(guarded(predictAction));
}
