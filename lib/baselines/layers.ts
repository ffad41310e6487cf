/**
 * The small layers every baseline uses (linear, layer norm, dropout, masked
 * mean) in PyTorch layouts, reading their weights from the model's
 * {@link ParamStore} (lib/model/infra/params.ts, the one parameter store), and
 * {@link ParamsModel}, the weight-store half of a baseline model.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ParamStore } from "../model/infra/params.ts";
import { hashSeed } from "../util/rng.ts";

/**
 * The weight-store half of a baseline {@link Classifier}-like model: its variables live in one
 * {@link ParamStore}, and these four methods only delegate to it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { ParamStore } from "../model/infra/params.ts";
 * import { ParamsModel } from "./layers.ts";
 * await tf.setBackend("cpu");
 * class Tiny extends ParamsModel {
 *   constructor() {
 *     super(new ParamStore(1));
 *     this.params.addAffine("fc", [2, 3]);
 *   }
 * }
 * const m = new Tiny();
 * if (m.paramCount() !== 3 * 2 + 2 || m.weights().size !== 2) throw new Error("fc weight + bias");
 * m.dispose();
 * ```
 */
export abstract class ParamsModel {
  /** The model's variables by PyTorch `state_dict` name. */
  protected readonly params: ParamStore;

  /**
   * @param params The (usually still empty) parameter store the subclass fills.
   */
  constructor(params: ParamStore) {
    this.params = params;
  }

  /** The variables gradients flow to. */
  trainableVariables(): tf.Variable[] {
    return this.params.trainable();
  }

  /** Every variable, by PyTorch `state_dict` name. */
  weights(): Map<string, tf.Variable> {
    return this.params.weights();
  }

  /** Number of trainable parameters. */
  paramCount(): number {
    return this.params.count();
  }

  /** Frees every variable. */
  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Applies a PyTorch `nn.Linear` (`{name}.weight [out, in]`, `{name}.bias [out]`, as
 * `ParamStore.addAffine` defines it) to the last axis of `x`.
 *
 * @param p The parameters.
 * @param name Layer name.
 * @param x `[..., in]`.
 * @returns `[..., out]`.
 */
export function linear(p: ParamStore, name: string, x: tf.Tensor): tf.Tensor {
  const w = p.get(`${name}.weight`), b = p.get(`${name}.bias`);
  const inF = w.shape[1]!, outF = w.shape[0]!;
  const lead = x.shape.slice(0, -1);
  const x2 = tf.reshape(x, [-1, inF]);
  const y = tf.add(tf.matMul(x2, w, false, true), b);
  return tf.reshape(y, [...lead, outF]);
}

/**
 * Layer normalisation over the last axis (eps 1e-5, PyTorch default).
 *
 * @param p The parameters.
 * @param name Layer name.
 * @param x `[..., d]`.
 */
export function layerNorm(p: ParamStore, name: string, x: tf.Tensor): tf.Tensor {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axis, true);
  const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(normed, p.get(`${name}.weight`)), p.get(`${name}.bias`));
}

/**
 * Inverted dropout with a deterministic seed; identity when `rate` is 0 or not training.
 *
 * @param x Any tensor.
 * @param rate Drop probability.
 * @param training Whether dropout is active.
 * @param seed Seed of the mask.
 * @param noiseShape Shape of the mask (broadcast over `x`), e.g. to share it over time.
 */
export function dropout(
  x: tf.Tensor,
  rate: number,
  training: boolean,
  seed: number,
  noiseShape?: number[],
): tf.Tensor {
  if (!training || rate <= 0) return x;
  return tf.dropout(x, rate, noiseShape, seed);
}

/**
 * Derives the seed of the k-th random draw of a forward pass from the pass seed, so that every
 * dropout layer gets its own mask.
 */
export function subSeed(seed: number, k: number): number {
  return hashSeed(`dropout-${k}`, seed >>> 0);
}

/**
 * Mean over the time axis of `x [B, T, D]` weighted by `mask [B, T]` (1 = real step).
 *
 * @returns `[B, D]`.
 */
export function maskedMean(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  const m = tf.expandDims(mask, 2);
  const s = tf.sum(tf.mul(x, m), 1);
  const n = tf.maximum(tf.sum(m, 1), 1);
  return tf.div(s, n) as tf.Tensor2D;
}

/**
 * Whether dropout is active in a forward pass: in training mode, or in inference mode with
 * Monte-Carlo dropout asked (`mcDropout`, as `convention predict --mc` does; the baselines have
 * no BatchNorm, so that is all it changes).
 */
export function dropoutActive(opts: { training: boolean; mcDropout?: boolean }): boolean {
  return opts.training || opts.mcDropout === true;
}
