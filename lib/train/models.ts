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
import type { Tensor2D, Variable } from "../model/tensor_types.ts";

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
}

const REGISTRY = new Map<string, ModelEntry<unknown>>();

/** Adds (or replaces) a model in the registry. */
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

/** Names of the registered models. */
export function modelNames(): string[] {
  return [...REGISTRY.keys()];
}
