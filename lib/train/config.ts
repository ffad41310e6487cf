/**
 * Training configuration: a plain typed object, built from a named preset
 * (`paper`, `paper-g`, `cpu`, `tiny`), a YAML file and command-line
 * overrides (`--set key.path=value`), in that order. The resolved
 * configuration is written to the run folder as `config.yaml`.
 *
 * The `paper` preset reproduces the paper's training: Adam, learning rate
 * 1e-3, cross-entropy, the model's dropout, batch 128, 50 epochs per stage,
 * two stages (unconfirmed, then confirmed objects). The `cpu` preset (used by
 * `deno task train`, also in `configs/cpu.yaml`) is sized to finish on two
 * CPU cores in minutes: batch 8 (more optimiser steps per second of CPU),
 * 6 + 6 epochs of 800 and 320 balanced objects, and the asinh pixel stretch
 * (`data.stretch`, see lib/train/stretch.ts) without which BatchNorm's
 * inference mode collapsed on the simulated survey. The best model of each stage is chosen by validation
 * macro F1 by default (`select: accuracy` to use accuracy).
 *
 * @module
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { UsageError } from "../errors.ts";
import { parseScalar } from "../util/scalar.ts";
import type { BackendChoice } from "./backend.ts";
import type { LossName } from "../model/ops/loss.ts";
import type { TruncateConfig } from "../data/truncate.ts";

export type { LossName };
/** Optimisers. */
export type OptimizerName = "adam" | "adamw";
/** Metric used to keep the best model of a stage. */
export type SelectMetric = "macro-f1" | "accuracy";
/** Objects per class in a balanced epoch: a number or a statistic of the class counts. */
export type PerClass = number | "median" | "mean" | "max" | "min";

/** One training stage. */
export interface StageConfig {
  /** Run this stage. */
  enabled: boolean;
  /** Maximum number of epochs. */
  epochs: number;
  /** Learning rate. */
  lr: number;
  /** Early stopping: stop after this many epochs without improvement (0 = never). */
  patience: number;
  /** Train only the classifier head (stage 2 fine-tuning option). */
  freezeBackbone: boolean;
  /** Objects per class in a balanced epoch. */
  perClass: PerClass;
}

/** Where the data come from and how batches are made. */
export interface DataConfig {
  /**
   * `default` (the simulated default survey, created on first use), a packed
   * store folder (with `index.json`), or a survey in the simulator layout
   * (`catalog.csv` + FITS files), ingested once into `store`.
   */
  source: string;
  /** Store folder for an ingested source (null: a cache folder derived from the source). */
  store: string | null;
  /**
   * Which stamps a simulated survey's objects give when it is ingested here:
   * `science` (default, the paper), `difference` (science minus the PSF-matched
   * template) or `host-masked` (science with the host replaced by sky noise,
   * lib/survey/host_mask.ts). An ablation input; a packed store keeps the stamps it holds.
   */
  stamps: "science" | "difference" | "host-masked";
  /** Bands used, in id order (null: every band of the store). */
  bands: string[] | null;
  /** Fraction of the confirmed objects kept for the test set. */
  testFraction: number;
  /**
   * Seed of the data split alone (null: the run's `seed`). Set it to train
   * several initialisation seeds on the same split (`--seeds N`).
   */
  splitSeed: number | null;
  /**
   * Stratified k-fold cross-validation: test on fold `index` of `k` of the
   * confirmed objects instead of `testFraction` (null: the paper's protocol).
   */
  fold: { k: number; index: number } | null;
  /** Fraction of each stage's pool kept for its validation set. */
  valFraction: number;
  /** Balance classes in training epochs (over/undersampling). */
  balance: boolean;
  /** Augment the oversampled duplicates. */
  augment: boolean;
  /** Loader worker threads (0 = build batches in the training thread). */
  workers: number;
  /**
   * asinh stretch of the normalised pixels, `asinh(x / stretch)`, or null for
   * none (the paper); see lib/train/stretch.ts.
   */
  stretch: number | null;
  /**
   * Random truncation of the training series, for early classification: with probability
   * `prob` a series is cut at a log-uniform number of days (from `minDays`) after its first
   * frame (lib/data/truncate.ts). null (default): whole series, as in the paper.
   */
  truncate: TruncateConfig | null;
}

/** Optimiser settings. */
export interface OptimConfig {
  /** `adam` (paper) or `adamw` (the authors' code). */
  name: OptimizerName;
  /** Decoupled weight decay for `adamw`. */
  weightDecay: number;
  /** Adam beta1. */
  beta1: number;
  /** Adam beta2. */
  beta2: number;
  /** Adam epsilon. */
  epsilon: number;
}

/** Loss settings. */
export interface LossConfig {
  /** `cross-entropy` (paper) or `focal` (the authors' code). */
  name: LossName;
  /** Focal loss gamma. */
  gamma: number;
}

/** Model choice: a registry name, its preset and option overrides. */
export interface ModelChoice {
  /** Name in the model registry (`convention`, or a baseline). */
  name: string;
  /** The model's preset. */
  preset: string;
  /** Fields overriding the preset's model configuration (e.g. `dropout`). */
  options: Record<string, unknown>;
}

/** Evaluation settings. */
export interface EvalConfig {
  /** Write `report.html` after training. */
  report: boolean;
  /** Misclassified objects shown in the report gallery. */
  gallery: number;
}

/** The whole training configuration. */
export interface TrainConfig {
  /** Training preset this configuration started from. */
  preset: string;
  /** Run name (folder under `runsDir`); null: `<model>-<preset>-<date>`. */
  name: string | null;
  /** Folder of the run folders. */
  runsDir: string;
  /** Seed of everything random (split, epochs, augmentation, initialisation, dropout). */
  seed: number;
  /** TF.js backend. */
  backend: BackendChoice;
  /**
   * Data-parallel replicas on the wasm and cpu backends: each batch is cut
   * into this many shards whose gradients are computed at once, one in the
   * training thread and the others in worker threads, then summed into one
   * update (lib/train/data_parallel.ts). 1 = the training thread alone; on
   * webgpu always 1.
   */
  parallel: number;
  /**
   * Largest number of objects per forward pass on wasm and cpu: larger
   * shards are computed in pieces whose gradients are summed (gradient
   * accumulation; BatchNorm statistics per piece). null: whole shards.
   */
  microBatch: number | null;
  /** Model. */
  model: ModelChoice;
  /** Data. */
  data: DataConfig;
  /** Training batch size. */
  batchSize: number;
  /** Evaluation batch size. */
  evalBatchSize: number;
  /** Optimiser. */
  optim: OptimConfig;
  /** Loss. */
  loss: LossConfig;
  /** Metric that picks the best epoch of a stage on its validation set. */
  select: SelectMetric;
  /** Stage 1: unconfirmed objects (plus half of the confirmed AGN/variables). */
  stage1: StageConfig;
  /** Stage 2: fine-tuning on the remaining confirmed objects. */
  stage2: StageConfig;
  /** Evaluation after training. */
  eval: EvalConfig;
}

const PAPER: TrainConfig = {
  preset: "paper",
  name: null,
  runsDir: "runs",
  seed: 1,
  backend: "auto",
  parallel: 1,
  microBatch: null,
  model: { name: "convention", preset: "paper", options: {} },
  data: {
    source: "default",
    store: null,
    stamps: "science",
    bands: null,
    testFraction: 0.1,
    splitSeed: null,
    fold: null,
    valFraction: 0.1,
    balance: true,
    augment: true,
    workers: 1,
    stretch: null,
    truncate: null,
  },
  batchSize: 128,
  evalBatchSize: 128,
  optim: { name: "adam", weightDecay: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  loss: { name: "cross-entropy", gamma: 2 },
  select: "macro-f1",
  stage1: {
    enabled: true,
    epochs: 50,
    lr: 1e-3,
    patience: 0,
    freezeBackbone: false,
    perClass: "median",
  },
  stage2: {
    enabled: true,
    epochs: 50,
    lr: 1e-3,
    patience: 0,
    freezeBackbone: false,
    perClass: "median",
  },
  eval: { report: true, gallery: 24 },
};

/**
 * The training presets. `paper` and `paper-g` follow the paper; `cpu` is the
 * default of `deno task train` (sized for two CPU cores); `tiny` is for tests.
 */
export const TRAIN_PRESETS: Readonly<Record<string, TrainConfig>> = Object.freeze({
  paper: PAPER,
  "paper-g": merge(PAPER, {
    preset: "paper-g",
    model: { preset: "paper-g" },
    data: { bands: ["g"] },
  }),
  cpu: merge(PAPER, {
    preset: "cpu",
    model: { preset: "cpu" },
    data: { stretch: 0.1 },
    batchSize: 8,
    evalBatchSize: 64,
    stage1: { epochs: 6, lr: 2e-3, patience: 0, perClass: 200 },
    stage2: { epochs: 6, lr: 5e-4, patience: 0, perClass: 80 },
  }),
  tiny: merge(PAPER, {
    preset: "tiny",
    model: { preset: "tiny" },
    batchSize: 8,
    evalBatchSize: 16,
    data: { workers: 0, stretch: 0.1 },
    stage1: { epochs: 2, lr: 3e-3, perClass: 8 },
    stage2: { epochs: 2, lr: 1e-3, perClass: 4 },
    eval: { gallery: 4 },
  }),
});

/** A deep partial of T (plain objects only; arrays are replaced whole). */
export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends unknown[] ? T[K]
    : T[K] extends Record<string, unknown> ? DeepPartial<T[K]>
    : T[K];
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep-merges `over` onto a copy of `base` (arrays and scalars replace). */
export function merge<T>(base: T, over: DeepPartial<T> | Record<string, unknown>): T {
  const out = structuredClone(base) as Record<string, unknown>;
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    if (v === undefined) continue;
    const cur = out[k];
    out[k] = isPlainObject(cur) && isPlainObject(v) ? merge(cur, v) : structuredClone(v);
  }
  return out as T;
}

/**
 * The preset named `name`, or a {@link UsageError} listing the presets.
 *
 * @example A copy to edit (the presets themselves are never modified)
 * ```ts
 * import { trainPreset } from "./config.ts";
 * const config = trainPreset("cpu");
 * config.data.bands = ["g", "r", "i"];
 * config.stage1.epochs = 10;
 * if (!(trainPreset("cpu").stage1.epochs === 6)) throw new Error("example check failed");
 * console.log(config.model, config.batchSize, config.optim);
 * ```
 */
export function trainPreset(name: string): TrainConfig {
  const p = TRAIN_PRESETS[name];
  if (!p) {
    throw new UsageError(
      `Unknown training preset "${name}"; presets: ${Object.keys(TRAIN_PRESETS).join(", ")}.`,
    );
  }
  return structuredClone(p);
}

/**
 * Applies `key.path=value` overrides (the value is read as YAML, so `3`,
 * `1e-3`, `true`, `[g, r]` and `null` have their types).
 */
export function applyOverrides(config: TrainConfig, sets: readonly string[]): TrainConfig {
  let out = config;
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`Override "${s}" is not key.path=value (e.g. stage1.epochs=10).`);
    }
    const path = s.slice(0, eq).trim().split(".");
    const raw = s.slice(eq + 1);
    const value = parseScalar(raw); // no YAML here: it needs environment access
    let node: unknown = out;
    for (let i = 0; i < path.length - 1; i++) {
      node = isPlainObject(node) ? node[path[i]!] : undefined;
    }
    const last = path[path.length - 1]!;
    // model.options is free-form; elsewhere the key must exist.
    const freeForm = path.length >= 3 && path[0] === "model" && path[1] === "options";
    if (!isPlainObject(node) || (!(last in node) && !freeForm)) {
      throw new UsageError(`Unknown configuration key "${path.join(".")}" in override "${s}".`, {
        hint: "Run `convention train --print-config` to see every key.",
      });
    }
    const patch: Record<string, unknown> = {};
    let cur = patch;
    for (let i = 0; i < path.length - 1; i++) {
      const next: Record<string, unknown> = {};
      cur[path[i]!] = next;
      cur = next;
    }
    cur[last] = value;
    out = merge(out, patch);
  }
  return out;
}

/**
 * Loads a YAML configuration file over its preset (`preset:` key in the file,
 * else `fallbackPreset`). Unknown keys are errors.
 */
export async function loadConfigFile(path: string, fallbackPreset = "cpu"): Promise<TrainConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new UsageError(`Cannot read configuration file ${path}: ${(e as Error).message}`);
  }
  return configFromYaml(text, path, fallbackPreset);
}

/**
 * Parses YAML configuration text over its preset; `where` names it in errors.
 *
 * @example Only the keys that differ from the preset
 * ```ts
 * import { UsageError } from "../errors.ts";
 * import { configFromYaml } from "./config.ts";
 * const config = configFromYaml(
 *   `preset: cpu
 * name: gri-run
 * data: { bands: [g, r, i] }
 * stage1: { epochs: 10, lr: 1.0e-3 }
 * `,
 *   "my.yaml",
 * );
 * if (!(config.stage1.epochs === 10 && config.stage2.epochs === 6)) throw new Error("example check failed"); // rest from `cpu`
 * try {
 *   configFromYaml("stage1: { epoch: 10 }", "typo.yaml");
 * } catch (e) {
 *   if (!(e instanceof UsageError)) throw e;
 *   console.log(e.message); // typo.yaml: unknown configuration key "stage1.epoch".
 * }
 * ```
 */
export function configFromYaml(text: string, where: string, fallbackPreset = "cpu"): TrainConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (e) {
    throw new UsageError(`${where} is not valid YAML: ${(e as Error).message}`);
  }
  if (!isPlainObject(doc)) throw new UsageError(`${where} must hold a YAML mapping.`);
  const preset = typeof doc.preset === "string" ? doc.preset : fallbackPreset;
  const base = trainPreset(preset);
  checkKeys(doc, base as unknown as Record<string, unknown>, where, "");
  return validateConfig(merge(base, doc));
}

function checkKeys(
  doc: Record<string, unknown>,
  ref: Record<string, unknown>,
  where: string,
  prefix: string,
): void {
  for (const [k, v] of Object.entries(doc)) {
    const key = prefix + k;
    if (!(k in ref)) {
      throw new UsageError(`${where}: unknown configuration key "${key}".`, {
        hint: "Run `convention train --print-config` to see every key.",
      });
    }
    if (key === "model.options") continue;
    if (isPlainObject(v) && isPlainObject(ref[k])) {
      checkKeys(v, ref[k] as Record<string, unknown>, where, key + ".");
    }
  }
}

/** The configuration as YAML text (what `--print-config` shows and `config.yaml` holds). */
export function configToYaml(config: TrainConfig): string {
  return "# ConvEntion training configuration (resolved)\n" + stringifyYaml(config);
}

function fail(key: string, value: unknown, want: string): never {
  throw new UsageError(`Configuration ${key} = ${JSON.stringify(value)} is not valid: ${want}.`);
}

/** Checks `data.truncate` (configurations written before it existed have none: null). */
function checkTruncate(d: DataConfig): void {
  d.truncate ??= null;
  const t = d.truncate;
  if (t === null) return;
  const ok = isPlainObject(t) && typeof t.prob === "number" && t.prob >= 0 && t.prob <= 1 &&
    typeof t.minDays === "number" && t.minDays > 0;
  if (!ok) fail("data.truncate", t, "null or { prob in [0, 1], minDays > 0 }");
}

/** Checks every field's type and range; returns the config or throws {@link UsageError}. */
export function validateConfig(c: TrainConfig): TrainConfig {
  const posInt = (k: string, v: unknown) => {
    if (!(typeof v === "number" && Number.isInteger(v) && v >= 1)) fail(k, v, "a positive integer");
  };
  const nonNegInt = (k: string, v: unknown) => {
    if (!(typeof v === "number" && Number.isInteger(v) && v >= 0)) {
      fail(k, v, "a non-negative integer");
    }
  };
  const frac = (k: string, v: unknown) => {
    if (!(typeof v === "number" && v >= 0 && v < 1)) fail(k, v, "a number in [0, 1)");
  };
  const oneOf = (k: string, v: unknown, xs: readonly string[]) => {
    if (!xs.includes(v as string)) fail(k, v, `one of ${xs.join(", ")}`);
  };
  if (!(typeof c.seed === "number" && Number.isInteger(c.seed))) fail("seed", c.seed, "an integer");
  oneOf("backend", c.backend, ["auto", "webgpu", "wasm", "cpu"]);
  posInt("parallel", c.parallel);
  if (c.microBatch !== null) posInt("microBatch", c.microBatch);
  if (c.name !== null && !/^[A-Za-z0-9._-]+$/.test(String(c.name))) {
    fail("name", c.name, "letters, digits, '.', '_' or '-'");
  }
  if (typeof c.runsDir !== "string" || !c.runsDir) fail("runsDir", c.runsDir, "a folder");
  if (typeof c.model.name !== "string") fail("model.name", c.model.name, "a model name");
  if (typeof c.model.preset !== "string") fail("model.preset", c.model.preset, "a preset name");
  if (!isPlainObject(c.model.options)) fail("model.options", c.model.options, "a mapping");
  if (typeof c.data.source !== "string" || !c.data.source) {
    fail("data.source", c.data.source, "`default`, a store folder or a survey folder");
  }
  // Configurations written before data.stamps existed have science stamps.
  c.data.stamps ??= "science";
  oneOf("data.stamps", c.data.stamps, ["science", "difference", "host-masked"]);
  if (c.data.bands !== null && !(Array.isArray(c.data.bands) && c.data.bands.length > 0)) {
    fail("data.bands", c.data.bands, "null or a non-empty list of band names");
  }
  frac("data.testFraction", c.data.testFraction);
  // Configurations written before splitSeed existed have none: the run's seed.
  c.data.splitSeed ??= null;
  c.data.fold ??= null;
  const fo = c.data.fold;
  if (
    fo !== null && !(Number.isInteger(fo?.k) && fo.k >= 2 && Number.isInteger(fo.index) &&
      fo.index >= 0 && fo.index < fo.k)
  ) {
    fail("data.fold", fo, "null or { k >= 2, index in 0..k-1 }");
  }
  if (c.data.splitSeed !== null && !Number.isInteger(c.data.splitSeed)) {
    fail("data.splitSeed", c.data.splitSeed, "null or an integer");
  }
  frac("data.valFraction", c.data.valFraction);
  nonNegInt("data.workers", c.data.workers);
  if (c.data.stretch !== null && !(typeof c.data.stretch === "number" && c.data.stretch > 0)) {
    fail("data.stretch", c.data.stretch, "null or a positive number");
  }
  checkTruncate(c.data);
  posInt("batchSize", c.batchSize);
  posInt("evalBatchSize", c.evalBatchSize);
  oneOf("optim.name", c.optim.name, ["adam", "adamw"]);
  oneOf("loss.name", c.loss.name, ["cross-entropy", "focal"]);
  oneOf("select", c.select, ["macro-f1", "accuracy"]);
  for (const s of ["stage1", "stage2"] as const) {
    const st = c[s];
    posInt(`${s}.epochs`, st.epochs);
    if (!(typeof st.lr === "number" && st.lr > 0)) fail(`${s}.lr`, st.lr, "a positive number");
    nonNegInt(`${s}.patience`, st.patience);
    const pc = st.perClass;
    if (
      !(typeof pc === "number" && Number.isInteger(pc) && pc >= 1) &&
      !["median", "mean", "max", "min"].includes(pc as string)
    ) fail(`${s}.perClass`, pc, "a positive integer or median/mean/max/min");
  }
  if (!c.stage1.enabled && !c.stage2.enabled) {
    throw new UsageError("Both stages are disabled: nothing to train.", {
      hint: "Enable one with --stage 1, --stage 2 or --stage both.",
    });
  }
  nonNegInt("eval.gallery", c.eval.gallery);
  return c;
}
