/**
 * What a training run is made of once its data and model are set up: the
 * store, split, normalisation, model and (optional) data-parallel replicas,
 * the per-stage optimiser and the validation pass.
 *
 * @module
 */
import { ConventionError, UsageError } from "../errors.ts";
import { openStore, type Store } from "../data/store.ts";
import { loadSplit, makeSplit, saveSplit, type Split, trainingIds } from "../data/split.ts";
import {
  computeNormalization,
  loadNormalization,
  type Normalization,
  saveNormalization,
} from "../data/normalization.ts";
import { evalBatches } from "../data/loader.ts";
import type { StageConfig, TrainConfig } from "./config.ts";
import { getModel, type ModelEntry, type ModelSpec, type TrainableModel } from "./models.ts";
import { DataParallel } from "./data_parallel.ts";
import "./builtin_models.ts";
import { Adam } from "../model/infra/optimizer.ts";
import { trainableWeights } from "../model/infra/train_step.ts";
import { batchLogits, rowArgmax, rowCrossEntropy } from "./infer.ts";
import { stretchBatch } from "./stretch.ts";
import { type ValidationScores, validationScores } from "./validation.ts";
import { readRunInfo, runPaths } from "./run_dir.ts";
import { type PrepareOptions, prepareStore } from "./data_source.ts";
import { makeFoldSplit } from "./folds.ts";

/** Everything a run needs once the data and model are set up. */
export interface Setup<I> {
  config: TrainConfig;
  dir: string;
  store: Store;
  split: Split;
  normalization: Normalization;
  entry: ModelEntry<I>;
  model: TrainableModel<I>;
  /** What the model was built from (data-parallel replicas build the same). */
  spec: ModelSpec;
  length: number;
  size: number;
  /** Data-parallel replicas (`parallel` > 1 or `microBatch` set, on wasm or cpu), else null. */
  parallel: DataParallel | null;
}

/** The configuration of stage `s` (1 or 2). */
export function stageConfig(c: TrainConfig, s: number): StageConfig {
  return s === 1 ? c.stage1 : c.stage2;
}

/** The training and validation ids of stage `s`. */
export function stageIds(split: Split, s: number): { train: string[]; val: string[] } {
  return s === 1 ? split.stage1 : split.stage2;
}

/** The stage's optimiser over the trainable (or, with freezeBackbone, head) weights. */
export function makeOptimizer<I>(
  setup: Setup<I>,
  s: number,
): Adam {
  const { config, model, entry } = setup;
  const st = stageConfig(config, s);
  let names = [...trainableWeights(model).keys()];
  if (st.freezeBackbone) {
    const head = entry.headWeights?.(model);
    if (!head || head.length === 0) {
      throw new UsageError(
        `stage${s}.freezeBackbone is set but model "${entry.name}" does not say which weights ` +
          "form its classifier head.",
      );
    }
    const keep = new Set(head);
    names = names.filter((n) => keep.has(n));
  }
  const w = model.weights();
  return new Adam(new Map(names.map((n) => [n, w.get(n)!])), {
    lr: st.lr,
    beta1: config.optim.beta1,
    beta2: config.optim.beta2,
    epsilon: config.optim.epsilon,
    weightDecay: config.optim.name === "adamw" ? config.optim.weightDecay : 0,
  });
}

/**
 * Logits of `ids` (objects with a label) in inference mode, in id order, with
 * their labels: what validation and the temperature fit read.
 */
export async function validationLogits<I>(
  setup: Pick<
    Setup<I>,
    "store" | "entry" | "model" | "config" | "normalization" | "length" | "size"
  >,
  ids: readonly string[],
): Promise<{ labels: number[]; logits: number[] }> {
  const { store, entry, model, config, normalization, length, size } = setup;
  const c = model.numClasses;
  const labels: number[] = [], logits: number[] = [];
  const stream = evalBatches(store, ids, {
    batchSize: config.evalBatchSize,
    length,
    size,
    normalization,
    prefetch: config.data.workers > 0 ? 2 : 0,
    workers: Math.max(1, config.data.workers),
  });
  for await (const batch of stream) {
    stretchBatch(batch, config.data.stretch);
    const out = await batchLogits(entry, model, batch);
    for (let i = 0; i < batch.batchSize; i++) {
      const y = batch.labels[i]!;
      if (y < 0) continue;
      labels.push(y);
      for (let k = 0; k < c; k++) logits.push(out[i * c + k]!);
    }
  }
  return { labels, logits };
}

/** Runs validation on `ids`; null when there are none. */
export async function validate<I>(setup: Setup<I>, ids: readonly string[]): Promise<
  ValidationScores | null
> {
  if (ids.length === 0) return null;
  const c = setup.model.numClasses;
  const { labels, logits } = await validationLogits(setup, ids);
  let lossSum = 0;
  const preds = labels.map((y, i) => {
    lossSum += rowCrossEntropy(logits, c, i, y);
    return rowArgmax(logits, c, i);
  });
  return validationScores(labels, preds, lossSum, c);
}

/** The validation value that selects the best epoch (`select`). */
export function metricOf(config: TrainConfig, v: ValidationScores): number {
  return config.select === "accuracy" ? v.accuracy : v.macroF1;
}

export async function setUp<I>(
  config: TrainConfig,
  dir: string,
  resuming: boolean,
  prepare: PrepareOptions | undefined,
): Promise<Setup<I>> {
  const paths = runPaths(dir);
  const storePath = await prepareStore(config.data, prepare);
  const store = await openStore(storePath);
  if (config.data.bands) {
    const have = store.bands.join(",");
    if (have !== config.data.bands.join(",")) {
      store.close();
      throw new ConventionError(
        `Store ${storePath} has bands ${have}, the configuration asks for ${config.data.bands}.`,
        { hint: "Point data.store at another folder, or let the store be made for these bands." },
      );
    }
  }
  let split: Split;
  if (resuming) split = await loadSplit(paths.split, (id) => store.indexOf(id) >= 0);
  else {
    const objects = store.objects.map((o) => ({
      id: o.id,
      label: o.label,
      confirmed: o.confirmed,
    }));
    const splitOpts = {
      seed: config.data.splitSeed ?? config.seed,
      testFraction: config.data.testFraction,
      valFraction: config.data.valFraction,
      classes: store.classes,
    };
    split = config.data.fold
      ? makeFoldSplit(objects, config.data.fold, splitOpts)
      : makeSplit(objects, splitOpts);
    await saveSplit(paths.split, split);
  }
  const entry = getModel(config.model.name) as unknown as ModelEntry<I>;
  const spec: ModelSpec = {
    preset: config.model.preset,
    // A resumed run rebuilds the architecture it started with (run.json), even if
    // the preset changed since.
    options: resuming
      ? (await readRunInfo(dir)).modelConfig ?? config.model.options
      : config.model.options,
    numClasses: store.classes.length,
    bands: [...store.bands],
    seed: config.seed,
  };
  const model = entry.create(spec);
  const { length, size } = entry.inputShape(model);
  let normalization: Normalization;
  if (resuming) normalization = await loadNormalization(paths.normalization);
  else {
    normalization = computeNormalization(store, trainingIds(split), { size });
    await saveNormalization(paths.normalization, normalization);
  }
  return {
    config,
    dir,
    store,
    split,
    normalization,
    entry,
    model,
    spec,
    length,
    size,
    parallel: null,
  };
}

/**
 * Starts the data-parallel replicas when `parallel` > 1 or `microBatch` is
 * set and the backend is wasm or cpu; says why not otherwise.
 */
export async function startParallel<I>(
  setup: Setup<I>,
  backend: string,
  say: (line: string) => void,
): Promise<DataParallel | null> {
  const { config, entry, model } = setup;
  if (config.parallel <= 1 && config.microBatch === null) return null;
  if (backend === "wasm" || backend === "cpu") {
    return await DataParallel.start({
      replicas: config.parallel,
      micro: config.microBatch,
      model: entry.name,
      spec: setup.spec,
      weightNames: [...model.weights().keys()],
    });
  }
  say(
    `parallel ${config.parallel} and microBatch ${config.microBatch} are for the wasm ` +
      `and cpu backends; ${backend} trains each batch whole in one thread`,
  );
  return null;
}
