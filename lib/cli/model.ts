/**
 * `convention model`: print a model preset's layers, output shapes,
 * parameters and FLOPs (computed from the configuration, no TF.js).
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";
import { PRESETS } from "../model/config.ts";
import { summarize } from "../model/summary.ts";
import { guarded } from "./util/action.ts";
import { integer } from "./util/options.ts";
import { printJson } from "./util/output.ts";

function fmtInt(n: number): string {
  return n.toLocaleString("en-US");
}

function fmtMacs(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** Registers the `model` verb on `program`. */
export function registerModel(program: Command): void {
  program
    .command("model")
    .description("print a model preset's layers, shapes, parameters and FLOPs")
    .option("--preset <name>", `model preset (${Object.keys(PRESETS).join(", ")})`, "paper")
    .option(
      "--classes <n>",
      "number of classes C (default: the preset's, 4)",
      integer("classes", { min: 2 }),
    )
    .option("--json", "print the summary as JSON")
    .action(guarded((opts: { preset: string; classes?: number; json?: boolean }) => {
      const preset = PRESETS[opts.preset as keyof typeof PRESETS];
      if (!preset) {
        throw new UsageError(`Unknown model preset '${opts.preset}'`, {
          hint: `use one of ${Object.keys(PRESETS).join(", ")}`,
        });
      }
      const config = { ...preset };
      if (opts.classes !== undefined) config.numClasses = opts.classes;
      const s = summarize(config);
      if (opts.json) {
        printJson({ preset: opts.preset, config, ...s });
        return;
      }
      const rows = s.layers.map((l) => [
        l.name,
        l.kind,
        `[${l.output.join(", ")}]`,
        fmtInt(l.params),
        fmtMacs(l.macs),
        fmtMacs(l.macsDense),
      ]);
      const head = ["layer", "operation", "output / object", "params", "MACs", "MACs (dense)"];
      const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]) =>
        r.map((c, i) => (i >= 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join("  ");
      console.log(
        `ConvEntion preset '${opts.preset}': ${config.length} frames of ` +
          `${config.stamp}x${config.stamp}, groups of ${config.group}, ${config.numClasses} classes`,
      );
      console.log(line(head));
      for (const r of rows) console.log(line(r));
      console.log(`total trainable parameters: ${fmtInt(s.totalParams)}`);
      console.log(
        `forward per object: ${fmtMacs(s.macsForward)}MAC = ${fmtMacs(s.flopsForward)}FLOP ` +
          `(FLOPs = 2 x MACs; the authors' dense form: ${fmtMacs(s.macsForwardDense)}MAC)`,
      );
      console.log(
        `training step per object (forward + backward, estimated): ${
          fmtMacs(s.flopsTrainStep)
        }FLOP`,
      );
    }));
}
