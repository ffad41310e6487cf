/**
 * The run folder: where one training run keeps everything it needs to be
 * resumed, evaluated and compared.
 *
 * ```
 * runs/<name>/
 *   config.yaml          resolved configuration
 *   run.json             model, classes, bands, parameters, status, train time
 *   split.json           the data split (test = 10 % of confirmed objects)
 *   normalization.json   per-band mean/std of the training objects
 *   metrics.csv          one row per epoch (both stages)
 *   metrics.jsonl        the same, one JSON object per line
 *   checkpoints/         latest.json (manifest, written last) + the files it names
 *   best/                stage1.safetensors, stage2.safetensors, model.safetensors (final)
 *   eval/                metrics.json, metrics.csv, metrics.md, *.svg, predictions.csv, report.html
 * runs/latest            name of the most recent run (a one-line text file)
 * ```
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";

/** Paths of the files of a run folder. */
export interface RunPaths {
  /** The run folder. */
  dir: string;
  /** Run name (the folder's base name). */
  name: string;
  /** `config.yaml`. */
  config: string;
  /** `run.json`. */
  info: string;
  /** `split.json`. */
  split: string;
  /** `normalization.json`. */
  normalization: string;
  /** `metrics.csv` (per epoch). */
  metricsCsv: string;
  /** `metrics.jsonl` (per epoch). */
  metricsJsonl: string;
  /** `checkpoints/`. */
  checkpoints: string;
  /** `best/`. */
  best: string;
  /** `best/model.safetensors`: the final model (best of the last stage run). */
  finalWeights: string;
  /** `eval/`. */
  eval: string;
}

/** The paths of the run folder `dir`. */
export function runPaths(dir: string): RunPaths {
  const d = dir.replace(/\/+$/, "");
  return {
    dir: d,
    name: d.split("/").pop() ?? d,
    config: `${d}/config.yaml`,
    info: `${d}/run.json`,
    split: `${d}/split.json`,
    normalization: `${d}/normalization.json`,
    metricsCsv: `${d}/metrics.csv`,
    metricsJsonl: `${d}/metrics.jsonl`,
    checkpoints: `${d}/checkpoints`,
    best: `${d}/best`,
    finalWeights: `${d}/best/model.safetensors`,
    eval: `${d}/eval`,
  };
}

/** Facts about a run (`run.json`), updated as it goes. */
export interface RunInfo {
  /** Format version. */
  version: 1;
  /** Run name. */
  name: string;
  /** Model registry name (e.g. `convention`). */
  model: string;
  /** Display name for tables (e.g. `ConvEntion`). */
  modelLabel: string;
  /** Model preset. */
  preset: string;
  /** Input kind for tables: `images` or `light curves`. */
  input: string;
  /** Class names, in class-index order. */
  classes: string[];
  /** Band names used, in band-id order. */
  bands: string[];
  /** Trainable parameters. */
  parameters: number;
  /** The model's full configuration (rebuilds the same architecture), when it has one. */
  modelConfig?: Record<string, unknown>;
  /** The store the run reads. */
  store: string;
  /** Fingerprint of that store when the run started (lib/data/store_fingerprint.ts). */
  storeFingerprint?: string;
  /** Stamp side of that store (objects are reformatted at this size, then centre-cropped). */
  stampSize: number;
  /** The backend that ran it. */
  backend: string;
  /** `running`, `stopped` (by --stop-after-epochs), `failed`, `done`. */
  status: "running" | "stopped" | "failed" | "done";
  /** Seconds spent training (over every invocation, resumes included). */
  trainTimeS: number;
  /** ISO time of the first start. */
  started: string;
  /** ISO time of the last update. */
  updated: string;
  /** Stages finished. */
  stagesDone: number[];
  /** Why it failed, when it did. */
  error?: string;
  /** Temperature scaling of the final model, fitted on validation objects after training. */
  temperature?: RunTemperature;
}

/** The temperature a run's logits are divided by before the softmax (`run.json`). */
export interface RunTemperature {
  /** T (1 = unscaled). */
  value: number;
  /** Validation objects it was fitted on. */
  fittedOn: number;
  /** Which objects: `stage2.val` (confirmed) or `stage1.val`. */
  split: string;
  /** Mean NLL of those objects at T = 1. */
  nllBefore: number;
  /** Mean NLL at T. */
  nllAfter: number;
}

/** Reads `run.json` of a run folder. */
export async function readRunInfo(dir: string): Promise<RunInfo> {
  const p = runPaths(dir).info;
  try {
    return JSON.parse(await Deno.readTextFile(p)) as RunInfo;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ConventionError(`${dir} is not a run folder (no run.json).`, {
        hint: "Give a folder made by `convention train` (e.g. runs/<name>).",
      });
    }
    throw new ConventionError(`${p} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Writes `run.json` atomically. */
export async function writeRunInfo(dir: string, info: RunInfo): Promise<void> {
  await writeFileAtomic(runPaths(dir).info, JSON.stringify(info, null, 2) + "\n");
}

/** Points `<runsDir>/latest` at the run folder `dir`. */
export async function setLatestRun(runsDir: string, dir: string): Promise<void> {
  await Deno.mkdir(runsDir, { recursive: true });
  await writeFileAtomic(`${runsDir}/latest`, runPaths(dir).name + "\n");
}

/**
 * Resolves a run argument: a run folder, a run name under `runsDir`, or
 * nothing (the latest run, from `<runsDir>/latest`).
 */
export async function resolveRun(arg: string | undefined, runsDir = "runs"): Promise<string> {
  if (arg === undefined || arg === "" || arg === "latest") {
    let name: string;
    try {
      name = (await Deno.readTextFile(`${runsDir}/latest`)).trim();
    } catch {
      throw new ConventionError(`No run given and ${runsDir}/latest does not exist.`, {
        hint: "Train first (`deno task train`) or name a run folder.",
      });
    }
    return `${runsDir}/${name}`;
  }
  for (const cand of [arg, `${runsDir}/${arg}`]) {
    try {
      const st = await Deno.stat(`${cand}/run.json`);
      if (st.isFile) return cand.replace(/\/+$/, "");
    } catch { /* try the next */ }
  }
  throw new ConventionError(`Run "${arg}" not found (no ${arg}/run.json nor ${runsDir}/${arg}).`, {
    hint: "Name a folder made by `convention train`.",
  });
}

/** A default run name: `<model>-<preset>-YYYYMMDD-HHMMSS`. */
export function defaultRunName(model: string, preset: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${
    p(now.getHours())
  }${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${model}-${preset}-${stamp}`;
}
