/**
 * The contract between models and the training loop: what a model takes
 * ({@link ModelInput}), how it is run ({@link ApplyOptions}) and what every
 * trainable classifier offers ({@link Classifier}).
 *
 * @module
 */
import type { Tensor2D, Tensor4D, Variable } from "./ops/tensor_types.ts";

/** One batch of objects, already reformatted and normalised by the data pipeline. */
export interface ModelInput {
  /** `[batch, l, h, w]` float32, normalised pixels; zeros for padding frames. */
  frames: Tensor4D;
  /** `[batch, l]` int32 band ids 1..B (u,g,r,i,z = 1..5); 0 marks a padding frame. */
  bands: Tensor2D;
}

/** How one forward pass runs. */
export interface ApplyOptions {
  /**
   * Training mode: BatchNorm uses batch statistics and updates its running
   * statistics (momentum 0.1, PyTorch convention); dropout is active.
   * Inference mode: running statistics, no dropout.
   */
  training: boolean;
  /** Seed of the dropout masks (training mode); the same seed gives the same masks. */
  seed?: number;
}

/** Every trainable model (ConvEntion and the baselines) implements this. */
export interface Classifier {
  /** Short model name: `"convention"`, `"cnn-gru"`, ... */
  readonly name: string;
  /** Number of output classes C. */
  readonly numClasses: number;
  /** JSON-serialisable configuration, enough to rebuild the model. */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * Runs the model on a batch and returns the logits `[batch, C]` (before softmax).
   *
   * @param input The batch.
   * @param opts Training or inference mode, dropout seed.
   */
  apply(input: ModelInput, opts: ApplyOptions): Tensor2D;
  /** The trainable parameters (what the optimiser updates). */
  trainableVariables(): Variable[];
  /**
   * All persistent state (parameters, BatchNorm running_mean / running_var /
   * num_batches_tracked), keyed by the PyTorch `state_dict` name, in PyTorch layout.
   */
  weights(): Map<string, Variable>;
  /** Number of trainable scalar parameters. */
  paramCount(): number;
  /** Releases every tensor the model holds. */
  dispose(): void;
}
