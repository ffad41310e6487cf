/**
 * Stand-alone entry of the train-every-model comparison, the same code path as
 * `convention compare --data D --models all --budget cpu|paper`:
 *
 * ```sh
 * deno run --allow-read --allow-write=.cache,runs --allow-env --allow-sys \
 *   lib/baselines/compare_main.ts --data default --models all --budget cpu
 * ```
 *
 * @module
 */
import { compareAllCommand } from "./compare_all.ts";
import { runtimeHooks } from "../train/runtime.ts";
import { reportError } from "../cli/util/output.ts";

/** Parses `--key value` pairs (and `--json`) and runs the comparison; returns the exit code. */
export async function compareMain(args: readonly string[]): Promise<number> {
  const o: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--json") json = true;
    else if (a.startsWith("--") && i + 1 < args.length) o[a.slice(2)] = args[++i]!;
    else throw new Error(`compare_main: unexpected argument ${a}`);
  }
  const hooks = runtimeHooks();
  return await compareAllCommand({
    data: o["data"],
    models: o["models"],
    budget: o["budget"],
    runsDir: o["runs-dir"] ?? "runs",
    out: o["out"],
    seed: o["seed"] !== undefined ? Number(o["seed"]) : undefined,
    json,
    ensureDefaultSurvey: hooks.ensureDefaultSurvey,
    selectBackend: hooks.selectBackend,
  });
}

if (import.meta.main) {
  try {
    Deno.exitCode = await compareMain(Deno.args);
  } catch (e) {
    Deno.exitCode = reportError(e);
  }
}
