/**
 * Opening a training run: a new run folder from a configuration (refusing
 * to overwrite one), or an existing one to resume from its `config.yaml`.
 *
 * @module
 */
import { ConventionError, UsageError } from "../errors.ts";
import { configFromYaml, type TrainConfig, validateConfig } from "./config.ts";
import { defaultRunName, runPaths } from "./run_dir.ts";

/** The run to train. */
export interface OpenedRun {
  /** The (validated) configuration. */
  config: TrainConfig;
  /** The run folder. */
  dir: string;
  /** Whether it resumes an existing run. */
  resuming: boolean;
}

/**
 * Opens the run: `resume` (a run folder with `config.yaml`) or a new run
 * from `config`, named `config.name` or a default name, in `config.runsDir`.
 *
 * @param opts The run to resume, or the configuration of a new run.
 */
export async function openRun(
  opts: { resume?: string; config?: TrainConfig },
): Promise<OpenedRun> {
  if (opts.resume !== undefined) {
    const dir = opts.resume.replace(/\/+$/, "");
    const p = runPaths(dir);
    let text: string;
    try {
      text = await Deno.readTextFile(p.config);
    } catch {
      throw new ConventionError(`Cannot resume ${dir}: it has no config.yaml.`, {
        hint: "Give a run folder made by `convention train`.",
      });
    }
    return { config: configFromYaml(text, p.config), dir, resuming: true };
  }
  if (!opts.config) throw new UsageError("train: no configuration given.");
  const config = validateConfig(structuredClone(opts.config));
  const name = config.name ?? defaultRunName(config.model.name, config.model.preset);
  config.name = name;
  const dir = `${config.runsDir}/${name}`;
  try {
    await Deno.stat(`${dir}/run.json`);
    throw new UsageError(`Run folder ${dir} already exists.`, {
      hint: `Resume it with --resume ${dir}, or choose another --name.`,
    });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { config, dir, resuming: false };
}
