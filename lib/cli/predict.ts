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
import { UsageError } from "../errors.ts";
import { predict, type Prediction } from "../train/predict.ts";
import { resolveRun } from "../train/run_dir.ts";
import { runtimeHooks } from "../train/runtime.ts";

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

/** Registers the `predict` verb on `program`. */
export function registerPredict(program: Command): void {
  program
    .command("predict")
    .description("classify objects with a trained model (JSON lines or CSV on stdout)")
    .argument(
      "[inputs...]",
      "simulated survey folders, manifest CSVs, FITS folders, alert packet folders or stores",
    )
    .option("--alerts <dir>", "ZTF alert packets (file or folder): same as --kind alerts <dir>")
    .option(
      "--cutout <name>",
      "alerts: the cut-out that becomes the frame: science, difference or template",
      "science",
    )
    .requiredOption("-m, --model <run>", "trained run folder or name (`latest` for runs/latest)")
    .option("--runs-dir <dir>", "folder of the run folders", "runs")
    .option("--format <fmt>", "jsonl (default) or csv", "jsonl")
    .option("--mc <n>", "Monte-Carlo dropout passes (adds predictive mean and spread)", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--mc ${v} is not a count.`);
      return n;
    })
    .option("--batch-size <n>", "objects per batch", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--batch-size ${v} is not positive.`);
      return n;
    })
    .option("--seed <n>", "seed of the Monte-Carlo dropout masks", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new UsageError(`--seed ${v} is not an integer.`);
      return n;
    })
    .option(
      "--kind <kind>",
      "input kind: auto, simulated, manifest, folder, alerts (or another registered)",
      "auto",
    )
    .option("--backend <name>", "auto, webgpu, wasm or cpu", "auto")
    .option("--as-of <mjd>", "classify with the epochs up to this MJD only", (v) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`--as-of ${v} is not an MJD.`);
      return n;
    })
    .option("--no-calibrate", "do not divide the logits by the run's fitted temperature")
    .action(guarded(async (inputArgs, o) => {
      const inputs = o.alerts ? [...inputArgs, o.alerts] : inputArgs;
      if (inputs.length === 0) throw new UsageError("Missing the inputs to classify.");
      if (o.alerts && inputArgs.length > 0) {
        throw new UsageError("Give either inputs or --alerts, not both.");
      }
      if (!["science", "difference", "template"].includes(o.cutout)) {
        throw new UsageError(`--cutout ${o.cutout} is not science, difference or template.`);
      }
      if (!["jsonl", "csv"].includes(o.format)) {
        throw new UsageError(`--format ${o.format} is not jsonl or csv.`);
      }
      if (!["auto", "webgpu", "wasm", "cpu"].includes(o.backend)) {
        throw new UsageError(`--backend ${o.backend} is not auto, webgpu, wasm or cpu.`);
      }
      const dir = await resolveRun(o.model, o.runsDir);
      await runtimeHooks().selectBackend(o.backend as "auto");
      const mc = (o.mc ?? 0) > 0;
      let header = false, n = 0, problems = 0;
      const t0 = performance.now();
      const enc = new TextEncoder();
      const out = (s: string) => Deno.stdout.writeSync(enc.encode(s));
      for await (
        const p of predict(
          dir,
          inputs,
          {
            mc: o.mc,
            batchSize: o.batchSize,
            seed: o.seed,
            kind: o.alerts ? "alerts" : o.kind,
            source: { cutout: o.cutout as "science" | "difference" | "template" },
            asOf: o.asOf,
            calibrate: o.calibrate,
          },
          (pr) => {
            problems++;
            console.error(`warning: ${pr.message} (${pr.skipped} skipped)`);
          },
        )
      ) {
        n++;
        if (o.format === "jsonl") {
          out(JSON.stringify(p) + "\n");
          continue;
        }
        const classes = Object.keys(p.probabilities);
        if (!header) {
          header = true;
          const cols = [
            "object_id",
            "label",
            "predicted",
            "frames",
            ...classes.map((k) => `p_${k}`),
          ];
          if (mc) {
            cols.push(
              "mc_predicted",
              ...classes.map((k) => `mc_mean_${k}`),
              ...classes.map((k) => `mc_std_${k}`),
            );
          }
          out(stringify([cols]));
        }
        out(stringify([csvRow(p, classes, mc)]));
      }
      const secs = (performance.now() - t0) / 1000;
      console.error(
        `predicted ${n} objects with ${dir} in ${secs.toFixed(1)} s ` +
          `(${(n / Math.max(secs, 1e-9)).toFixed(1)} objects/s, reading included); ` +
          `${problems} input problems`,
      );
      return 0;
    }));
}
