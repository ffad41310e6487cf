/**
 * Training checkpoints, written after every epoch so that `--resume`
 * continues a killed run and ends with the same weights, bit for bit, as an
 * uninterrupted run:
 *
 * - `checkpoints/state-s<stage>-e<epoch>.safetensors`: every model weight
 *   (`model/<name>`, BatchNorm running statistics included) and the
 *   optimiser's moments (`optim/m/<name>`, `optim/v/<name>`), float32 as held
 *   in memory;
 * - `checkpoints/latest.json`: the manifest (stage, epoch, optimiser step,
 *   RNG state, best metric, patience counter, train time, file name and its
 *   SHA-256), written last and atomically (temporary file + rename).
 *
 * A crash while writing leaves the previous manifest pointing at the
 * previous, complete state file; older state files are removed only after
 * the new manifest is in place.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { ConventionError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import type { TrainableModel } from "./models.ts";
import type { Adam, AdamState } from "../model/infra/optimizer.ts";
import { decodeTensors, encodeTensors, type NamedArray } from "./tensor_file.ts";

/** Best epoch of a stage so far. */
export interface BestSoFar {
  /** Epoch (1-based, within the stage). */
  epoch: number;
  /** Validation metric value. */
  value: number;
}

/** The manifest `checkpoints/latest.json`. */
export interface CheckpointManifest {
  /** Format version. */
  version: 1;
  /** Stage the state belongs to. */
  stage: number;
  /** Epochs of that stage completed. */
  epoch: number;
  /** The stage is finished (all epochs or early stop); the weights are its best. */
  stageDone: boolean;
  /** Stages finished so far. */
  stagesDone: number[];
  /** State of the run's step-seed generator (`Rng.state()`). */
  rng: number[];
  /** Optimiser steps taken in this stage. */
  optimizerStep: number;
  /** Best validation metric of the stage so far (null: none yet / no validation). */
  best: BestSoFar | null;
  /** Epochs since the best one (early stopping). */
  sinceBest: number;
  /** Rows of metrics.jsonl covered by this state. */
  logRows: number;
  /** Seconds of training so far (all invocations). */
  trainTimeS: number;
  /** State file name (in `checkpoints/`). */
  file: string;
  /** SHA-256 of the state file (hex). */
  sha256: string;
  /** ISO time written. */
  written: string;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Model weights as named arrays (read back to the CPU). */
export async function weightArrays<I>(
  model: TrainableModel<I>,
): Promise<Map<string, NamedArray>> {
  const out = new Map<string, NamedArray>();
  for (const [name, v] of model.weights()) {
    const data = await v.data();
    out.set(name, {
      data: data instanceof Int32Array ? data : new Float32Array(data as Float32Array),
      shape: [...v.shape],
    });
  }
  return out;
}

/** Assigns named arrays to the model's weights; every weight must be present with its shape. */
export function assignWeights<I>(
  model: TrainableModel<I>,
  arrays: Map<string, NamedArray>,
  where: string,
): void {
  for (const [name, v] of model.weights()) {
    const a = arrays.get(name);
    if (!a) throw new ConventionError(`${where} has no weight "${name}".`);
    if (a.shape.join(",") !== v.shape.join(",")) {
      throw new ConventionError(
        `${where}: weight "${name}" has shape [${a.shape}], the model expects [${v.shape}].`,
        { hint: "The checkpoint was made with another model configuration." },
      );
    }
    tf.tidy(() => v.assign(tf.tensor(a.data, v.shape, v.dtype)));
  }
}

/** Writes model weights alone (the per-stage best weights). */
export async function saveWeightsFile<I>(
  model: TrainableModel<I>,
  path: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, encodeTensors(await weightArrays(model), metadata));
}

/** Loads weights written by {@link saveWeightsFile} into the model. */
export async function loadWeightsFile<I>(model: TrainableModel<I>, path: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new ConventionError(`Cannot read weights ${path}: ${(e as Error).message}`);
  }
  assignWeights(model, decodeTensors(bytes, path).arrays, path);
}

/**
 * Writes a checkpoint: the state file, then the manifest (atomically), then
 * removes older state files.
 */
export async function saveCheckpoint<I>(
  dir: string,
  model: TrainableModel<I>,
  optimizer: Adam | null,
  manifest: Omit<CheckpointManifest, "version" | "file" | "sha256" | "written" | "optimizerStep">,
): Promise<CheckpointManifest> {
  await Deno.mkdir(dir, { recursive: true });
  const arrays = new Map<string, NamedArray>();
  for (const [name, a] of await weightArrays(model)) arrays.set(`model/${name}`, a);
  let step = 0;
  if (optimizer) {
    const st = await optimizer.getState();
    step = st.step;
    const shapes = model.weights();
    for (const [name, m] of st.m) {
      const shape = [...shapes.get(name)!.shape];
      arrays.set(`optim/m/${name}`, { data: m, shape });
      arrays.set(`optim/v/${name}`, { data: st.v.get(name)!, shape });
    }
  }
  const file = `state-s${manifest.stage}-e${manifest.epoch}${manifest.stageDone ? "-done" : ""}` +
    ".safetensors";
  const bytes = encodeTensors(arrays, { format: "convention-checkpoint" });
  await writeFileAtomic(`${dir}/${file}`, bytes);
  const full: CheckpointManifest = {
    version: 1,
    ...manifest,
    optimizerStep: step,
    file,
    sha256: await sha256(bytes),
    written: new Date().toISOString(),
  };
  await writeFileAtomic(`${dir}/latest.json`, JSON.stringify(full, null, 2) + "\n");
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.startsWith("state-") && e.name !== file) {
      await Deno.remove(`${dir}/${e.name}`).catch(() => {});
    }
  }
  return full;
}

/** Reads the manifest of a checkpoint folder, or null when there is none. */
export async function readManifest(dir: string): Promise<CheckpointManifest | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/latest.json`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    return JSON.parse(text) as CheckpointManifest;
  } catch {
    throw new ConventionError(`${dir}/latest.json is not valid JSON.`, {
      hint: "The checkpoint manifest is damaged; train again without --resume.",
    });
  }
}

/**
 * Loads a checkpoint's state file (checked against the manifest's SHA-256)
 * into the model and, when given, the optimiser.
 */
export async function loadCheckpoint<I>(
  dir: string,
  manifest: CheckpointManifest,
  model: TrainableModel<I>,
  optimizer: Adam | null,
): Promise<void> {
  const path = `${dir}/${manifest.file}`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new ConventionError(`Cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  if (await sha256(bytes) !== manifest.sha256) {
    throw new ConventionError(`Checkpoint ${path} does not match its manifest (SHA-256 differs).`, {
      hint: "The file was changed or damaged after it was written.",
    });
  }
  const { arrays } = decodeTensors(bytes, path);
  const weights = new Map<string, NamedArray>();
  for (const [k, a] of arrays) if (k.startsWith("model/")) weights.set(k.slice(6), a);
  assignWeights(model, weights, path);
  if (optimizer) {
    const st: AdamState = { step: manifest.optimizerStep, m: new Map(), v: new Map() };
    for (const [k, a] of arrays) {
      if (k.startsWith("optim/m/")) st.m.set(k.slice(8), a.data as Float32Array);
      else if (k.startsWith("optim/v/")) st.v.set(k.slice(8), a.data as Float32Array);
    }
    optimizer.setState(st);
  }
}
