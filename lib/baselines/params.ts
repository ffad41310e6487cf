/**
 * Named parameters of a baseline model: TF.js variables keyed by their PyTorch `state_dict`
 * name, initialised from a seeded {@link Rng} (the same numbers on every backend), plus the
 * small layers every baseline uses (linear, layer norm, dropout) in PyTorch layouts.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { hashSeed, Rng } from "../util/rng.ts";

/** The variables of one model. */
export class Params {
  #vars = new Map<string, tf.Variable>();
  #trainable = new Set<string>();
  #rng: Rng;

  /**
   * Creates an empty set whose random initialisations draw from `seed`.
   *
   * @param seed Seed of the initialisation.
   */
  constructor(seed: number) {
    this.#rng = new Rng(seed);
  }

  #add(name: string, shape: number[], data: Float32Array, trainable: boolean): tf.Variable {
    if (this.#vars.has(name)) throw new RangeError(`Parameter ${name} is defined twice`);
    const v = tf.variable(tf.tensor(data, shape, "float32"), trainable);
    this.#vars.set(name, v);
    if (trainable) this.#trainable.add(name);
    return v;
  }

  /** A trainable variable drawn uniformly in [-bound, bound] (PyTorch's default inits). */
  uniform(name: string, shape: number[], bound: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = this.#rng.uniform(-bound, bound);
    return this.#add(name, shape, data, true);
  }

  /** A variable filled with `value` (trainable unless told otherwise). */
  constant(name: string, shape: number[], value: number, trainable = true): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.#add(name, shape, new Float32Array(n).fill(value), trainable);
  }

  /** The variable with this name. */
  get(name: string): tf.Variable {
    const v = this.#vars.get(name);
    if (!v) throw new RangeError(`No parameter named ${name}`);
    return v;
  }

  /** Trainable variables, in definition order. */
  trainable(): tf.Variable[] {
    return [...this.#vars.entries()].filter(([k]) => this.#trainable.has(k)).map(([, v]) => v);
  }

  /** Every variable by name (persistent state included). */
  all(): Map<string, tf.Variable> {
    return new Map(this.#vars);
  }

  /** Number of trainable scalars. */
  count(): number {
    let n = 0;
    for (const v of this.trainable()) n += v.size;
    return n;
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
    this.#trainable.clear();
  }

  /**
   * Defines a PyTorch `nn.Linear(inF, outF)`: `weight [out, in]`, `bias [out]`, both uniform in
   * +-1/sqrt(in).
   */
  linear(name: string, inF: number, outF: number): void {
    const b = 1 / Math.sqrt(inF);
    this.uniform(`${name}.weight`, [outF, inF], b);
    this.uniform(`${name}.bias`, [outF], b);
  }

  /** Defines a PyTorch `nn.LayerNorm(d)`: `weight` ones, `bias` zeros. */
  layerNorm(name: string, d: number): void {
    this.constant(`${name}.weight`, [d], 1);
    this.constant(`${name}.bias`, [d], 0);
  }

  /**
   * Defines a PyTorch `nn.Conv2d(inC, outC, k)`: `weight [out, in, kh, kw]`, `bias [out]`,
   * uniform in +-1/sqrt(in*kh*kw).
   */
  conv2d(name: string, inC: number, outC: number, kh: number, kw = kh): void {
    const b = 1 / Math.sqrt(inC * kh * kw);
    this.uniform(`${name}.weight`, [outC, inC, kh, kw], b);
    this.uniform(`${name}.bias`, [outC], b);
  }
}

/**
 * The weight-store half of a baseline {@link Classifier}-like model: its variables live in one
 * {@link Params}, and these four methods only delegate to it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { Params, ParamsModel } from "./params.ts";
 * await tf.setBackend("cpu");
 * class Tiny extends ParamsModel {
 *   constructor() {
 *     super(new Params(1));
 *     this.params.linear("fc", 3, 2);
 *   }
 * }
 * const m = new Tiny();
 * if (m.paramCount() !== 3 * 2 + 2 || m.weights().size !== 2) throw new Error("fc weight + bias");
 * m.dispose();
 * ```
 */
export abstract class ParamsModel {
  /** The model's variables by PyTorch `state_dict` name. */
  protected readonly params: Params;

  /**
   * @param params The (usually still empty) parameter store the subclass fills.
   */
  constructor(params: Params) {
    this.params = params;
  }

  /** The variables gradients flow to. */
  trainableVariables(): tf.Variable[] {
    return this.params.trainable();
  }

  /** Every variable, by PyTorch `state_dict` name. */
  weights(): Map<string, tf.Variable> {
    return this.params.all();
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
 * Applies a linear layer defined by {@link Params.linear} to the last axis of `x`.
 *
 * @param p The parameters.
 * @param name Layer name.
 * @param x `[..., in]`.
 * @returns `[..., out]`.
 */
export function linear(p: Params, name: string, x: tf.Tensor): tf.Tensor {
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
export function layerNorm(p: Params, name: string, x: tf.Tensor): tf.Tensor {
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
