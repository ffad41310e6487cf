/**
 * Loading a trained run: its configuration, model (with the final weights),
 * normalisation and input shape, for evaluation and prediction.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { loadNormalization, type Normalization } from "../data/normalization.ts";
import { configFromYaml, type TrainConfig } from "./config.ts";
import { getModel, type ModelEntry, type TrainableModel } from "./models.ts";
import "./builtin_models.ts";
import { loadWeightsFile } from "./checkpoint.ts";
import { readSafetensorsMetadata } from "./tensor_file.ts";
import { readRunInfo, type RunInfo, runPaths } from "./run_dir.ts";

/** A run ready for inference. Call `model.dispose()` when done. */
export interface LoadedRun<I = unknown> {
  /** Run folder. */
  dir: string;
  /** `run.json`. */
  info: RunInfo;
  /** Resolved configuration. */
  config: TrainConfig;
  /** Registry entry of the model. */
  entry: ModelEntry<I>;
  /** The model with its final weights. */
  model: TrainableModel<I>;
  /** Per-band normalisation of the training objects. */
  normalization: Normalization;
  /** Sequence length the model reads. */
  length: number;
  /** Stamp side the model reads. */
  size: number;
  /** Which weights file was loaded. */
  weights: string;
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads a run's model with its final weights (`best/model.safetensors`);
 * for a run that was stopped before the end, the best weights of the last
 * stage trained (`best/stage2.safetensors`, else `best/stage1.safetensors`),
 * saying so through `warn`.
 */
export async function loadRun(
  dir: string,
  warn: (line: string) => void = (l) => console.error(l),
): Promise<LoadedRun> {
  const paths = runPaths(dir);
  const info = await readRunInfo(dir);
  const config = configFromYaml(await Deno.readTextFile(paths.config), paths.config);
  const normalization = await loadNormalization(paths.normalization);
  const entry = getModel(info.model);
  let weights = paths.finalWeights;
  if (!await exists(weights)) {
    const fallback = [`${paths.best}/stage2.safetensors`, `${paths.best}/stage1.safetensors`];
    const found = [];
    for (const f of fallback) if (await exists(f)) found.push(f);
    if (found.length === 0) {
      throw new ConventionError(`Run ${dir} has no trained weights yet (status ${info.status}).`, {
        hint: `Finish it with \`convention train --resume ${dir}\`.`,
      });
    }
    weights = found[0]!;
    warn(`warning: run ${dir} is not finished (${info.status}); using ${weights}`);
  }
  // The architecture the run trained: run.json's modelConfig, else the config the
  // weights file records (runs made before modelConfig existed), else preset + options.
  let options: Record<string, unknown> = config.model.options;
  if (info.modelConfig) options = info.modelConfig;
  else {
    const md = await readSafetensorsMetadata(weights);
    if (md?.["config"]) {
      try {
        options = JSON.parse(md["config"]) as Record<string, unknown>;
      } catch { /* keep preset + options */ }
    }
  }
  const model = entry.create({
    preset: config.model.preset,
    options,
    numClasses: info.classes.length,
    bands: [...info.bands],
    seed: config.seed,
  });
  try {
    if (weights === paths.finalWeights && entry.load) await entry.load(model, weights);
    else await loadWeightsFile(model, weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const { length, size } = entry.inputShape(model);
  return { dir, info, config, entry, model, normalization, length, size, weights };
}
