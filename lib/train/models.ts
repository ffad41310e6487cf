/**
 * The model registry: name -> factory + input adapter. The training loop,
 * evaluation and prediction only see {@link TrainableModel} and
 * {@link ModelEntry}, so ConvEntion and the paper's baselines (CNN+LSTM/GRU
 * on images; SuperNNova-like RNN, transformer, GP-heatmap CNN on light
 * curves) share the same splits, seeds, balancing, two stages, checkpoints
 * and metrics. A baseline adds itself with {@link registerModel}.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Batch } from "../data/batch.ts";
import type { Tensor2D, Variable } from "../model/ops/tensor_types.ts";

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Training mode: dropout on, BatchNorm on batch statistics (and running stats updated). */
  training: boolean;
  /** Seed of this pass's dropout masks (deterministic when given). */
  seed?: number;
  /**
   * Monte-Carlo dropout: dropout on while BatchNorm stays in inference mode
   * (running statistics, not updated). Used with `training: false`.
   */
  mcDropout?: boolean;
}

/**
 * What the loop needs of a model: a forward pass to logits, its trainable
 * variables and every saved weight by a stable name.
 */
export interface TrainableModel<I> {
  /** Model name (for logs). */
  readonly name: string;
  /** Number of classes C. */
  readonly numClasses: number;
  /**
   * The model's full configuration (JSON), when it has one: runs store it so
   * that evaluation rebuilds the same architecture even if a preset changes.
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Logits `[batch, C]` for an input. */
  apply(input: I, opts: ForwardOptions): Tensor2D;
  /** The variables gradients flow to. */
  trainableVariables(): Variable[];
  /** Every weight to save, including BatchNorm running statistics, by stable name. */
  weights(): Map<string, Variable>;
  /** Number of trainable parameters. */
  paramCount(): number;
  /** Frees every variable. */
  dispose(): void;
}

/** What a factory receives. */
export interface ModelSpec {
  /** Model preset name. */
  preset: string;
  /** Overrides of the preset's fields (a run's full stored configuration when reloading). */
  options: Record<string, unknown>;
  /** Number of classes. */
  numClasses: number;
  /** Band names of the data, in band-id order (band ids 1..B). */
  bands: string[];
  /** Initialisation seed. */
  seed: number;
}

/** What the loader must produce for a model. */
export interface InputShape {
  /** Sequence length l. */
  length: number;
  /** Stamp side (a centre crop of the store stamps). */
  size: number;
}

/** A registered model. */
export interface ModelEntry<I = unknown> {
  /** Registry name (`convention`, `cnn-lstm`, ...). */
  name: string;
  /** Display name for tables (`ConvEntion`). */
  label: string;
  /** Input kind for the paper's Table 2: `images` or `light curves`. */
  input: "images" | "light curves";
  /** Preset names the factory knows. */
  presets: readonly string[];
  /** Builds a freshly initialised model. */
  create(spec: ModelSpec): TrainableModel<I>;
  /** Loader length and stamp size the model expects. */
  inputShape(model: TrainableModel<I>): InputShape;
  /**
   * The epochs the model sees, in words, for the tables (default for `images`: the loader's `l`
   * frames around the brightest).
   */
  window?(model: TrainableModel<I>): string;
  /**
   * Whether an early-classification cut reaches the model's input (default true); false: its
   * input is made once per object, and the early-classification rows are not computed.
   */
  cuttable?: boolean;
  /** Turns a loader batch into the model's input tensors (the caller disposes them). */
  adapter(batch: Batch): I;
  /** Disposes what {@link ModelEntry.adapter} made. */
  disposeInput(input: I): void;
  /**
   * Names of the classifier-head weights (trained alone when the backbone is
   * frozen); default: none known, so freezing is refused.
   */
  headWeights?(model: TrainableModel<I>): string[];
  /** Saves weights in the model's public format (e.g. safetensors with PyTorch layouts). */
  save?(model: TrainableModel<I>, path: string, metadata: Record<string, string>): Promise<void>;
  /** Loads weights saved by {@link ModelEntry.save}. */
  load?(model: TrainableModel<I>, path: string): Promise<void>;
  /**
   * URL of the module whose import registers this entry (`import.meta.url`): data-parallel
   * replica workers import it to build the model; without it they know the built-in models only.
   */
  module?: string;
}

const REGISTRY = new Map<string, ModelEntry<unknown>>();

/**
 * Adds (or replaces) a model in the registry.
 *
 * @example A toy baseline (mean pixel of each frame, then a linear layer), trained like ConvEntion
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { type Batch, registerModel, simulateSurvey, train, trainPreset } from "../../mod.ts";
 * registerModel<tf.Tensor2D>({
 *   name: "frame-means",
 *   label: "Frame means + linear",
 *   input: "images",
 *   presets: ["default"],
 *   create({ numClasses, seed }) {
 *     const w = tf.variable(tf.randomNormal([12, numClasses], 0, 0.1, "float32", seed));
 *     return {
 *       name: "frame-means",
 *       numClasses,
 *       apply: (x) => tf.matMul(x, w), // [batch, 12] x [12, C] -> logits [batch, C]
 *       trainableVariables: () => [w],
 *       weights: () => new Map([["w", w]]),
 *       paramCount: () => w.size,
 *       dispose: () => w.dispose(),
 *     };
 *   },
 *   inputShape: () => ({ length: 12, size: 8 }), // what the loader cuts batches to
 *   adapter: (b: Batch) =>
 *     tf.tidy(() => {
 *       const frames = tf.tensor4d(b.frames, [b.batchSize, b.length, b.height, b.width]);
 *       return tf.mean(frames, [2, 3]) as tf.Tensor2D; // [batch, 12]
 *     }),
 *   disposeInput: (x) => x.dispose(),
 * });
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 40, size: 16, progress: false });
 * const config = trainPreset("tiny");
 * config.model = { name: "frame-means", preset: "default", options: {} };
 * config.backend = "wasm";
 * config.runsDir = `${dir}/runs`;
 * config.data = { ...config.data, source: `${dir}/s82`, store: `${dir}/store` };
 * const quiet = { log: () => {}, tty: false, prepare: { progress: false } };
 * const { info, log } = await train({ config, ...quiet });
 * if (!(info.parameters === 12 * 4)) throw new Error("example check failed");
 * console.log(log.map((e) => e.trainLoss));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function registerModel<I>(entry: ModelEntry<I>): void {
  REGISTRY.set(entry.name, entry as unknown as ModelEntry<unknown>);
}

/** The registered model `name`, or a {@link UsageError} listing them. */
export function getModel(name: string): ModelEntry<unknown> {
  const e = REGISTRY.get(name);
  if (!e) {
    throw new UsageError(
      `Unknown model "${name}"; registered models: ${[...REGISTRY.keys()].join(", ") || "none"}.`,
    );
  }
  return e;
}

/**
 * Names of the registered models.
 *
 * @example
 * ```ts
 * import { modelNames } from "../../mod.ts";
 * if (!(modelNames().includes("convention"))) throw new Error("example check failed");
 * console.log(modelNames()); // ConvEntion, plus the baselines once registered
 * ```
 */
export function modelNames(): string[] {
  return [...REGISTRY.keys()];
}
