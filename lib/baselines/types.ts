/**
 * The model interface the baselines implement. TEMPORARY copy of lib/model/types.ts (issue 10)
 * until it lands; structurally identical, to be replaced by a re-export.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";

/** Input of every classifier. */
export interface ModelInput {
  /** `[batch, l, h, w]` float32. */
  frames: tf.Tensor4D;
  /** `[batch, l]` int32 band ids 1..B, 0 = padding. */
  bands: tf.Tensor2D;
}

/** Options of {@link Classifier.apply}. */
export interface ApplyOptions {
  /** Training mode (dropout active, batch statistics). */
  training: boolean;
  /** Dropout seed. */
  seed?: number;
}

/** A trainable classifier. */
export interface Classifier {
  /** Model name. */
  readonly name: string;
  /** Number of classes. */
  readonly numClasses: number;
  /** JSON config, enough to rebuild it. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Logits `[batch, C]`. */
  apply(input: ModelInput, opts: ApplyOptions): tf.Tensor2D;
  /** Trainable variables. */
  trainableVariables(): tf.Variable[];
  /** All persistent state by PyTorch state_dict name. */
  weights(): Map<string, tf.Variable>;
  /** Trainable parameters. */
  paramCount(): number;
  /** Frees the variables. */
  dispose(): void;
}
