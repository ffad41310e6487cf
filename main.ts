/**
 * The `convention` command line: parses arguments and dispatches to one verb
 * per file under `lib/cli/`. Nothing else happens here.
 *
 * @module
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import denoJson from "./deno.json" with { type: "json" };
import { EXIT_USAGE } from "./lib/cli/util/output.ts";
import { registerSimulate } from "./lib/cli/simulate.ts";
import { registerIngest } from "./lib/cli/ingest.ts";
import { registerTrain } from "./lib/cli/train.ts";
import { registerEval } from "./lib/cli/eval.ts";
import { registerCompare } from "./lib/cli/compare.ts";
import { registerPredict } from "./lib/cli/predict.ts";
import { registerFits } from "./lib/cli/fits.ts";
import { registerModel } from "./lib/cli/model.ts";
import { registerAlerts } from "./lib/cli/alerts.ts";
// The paper's baselines join the model registry here, where the program is composed.
import "./lib/compare/register_baselines.ts";

/** Builds the `convention` program with every verb registered. */
export function buildProgram(): Command {
  const program = new Command()
    .name("convention")
    .description(
      "ConvEntion: classify astronomical objects from time series of images (TensorFlow.js).",
    )
    .version(denoJson.version, "-V, --version", "print the version and exit")
    .showSuggestionAfterError(true);
  registerSimulate(program);
  registerIngest(program);
  registerTrain(program);
  registerEval(program);
  registerCompare(program);
  registerPredict(program);
  registerFits(program);
  registerModel(program);
  registerAlerts(program);
  // Usage errors: one line, exit code 2; help and version exit 0.
  const configure = (cmd: Command<unknown[], Record<string, unknown>>): void => {
    cmd.exitOverride();
    cmd.configureOutput({
      writeErr: (s) => {
        // commander prefixes its messages with "error: "; keep one line.
        Deno.stderr.writeSync(new TextEncoder().encode(s.split("\n")[0] + "\n"));
      },
      outputError: (s, write) => write(s),
    });
    for (const sub of cmd.commands) configure(sub as Command<unknown[], Record<string, unknown>>);
  };
  configure(program as unknown as Command<unknown[], Record<string, unknown>>);
  return program;
}

/** Runs the CLI on `args` (without the executable name); returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" || err.code === "commander.version" ||
        err.code === "commander.help" || err.exitCode === 0
      ) return 0;
      return EXIT_USAGE;
    }
    throw err;
  }
  return typeof Deno.exitCode === "number" ? Deno.exitCode : 0;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
