/**
 * Parameter storage: TF.js variables keyed by their PyTorch `state_dict`
 * names, held in PyTorch layout, initialised as PyTorch initialises them, from
 * a seeded {@link Rng}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../../util/rng.ts";

let storeCounter = 0;

/** One persistent tensor of a model. */
interface Entry {
  variable: tf.Variable;
  trainable: boolean;
}

/**
 * The variables of one model instance. TF.js variable names must be unique
 * in the process, so each store prefixes its names with a unique id; the
 * keys of {@link ParamStore.weights} are the bare PyTorch names.
 */
export class ParamStore {
  readonly #entries = new Map<string, Entry>();
  readonly #prefix: string;
  readonly #rng: Rng;

  /**
   * Creates an empty store.
   *
   * @param seed Initialisation seed.
   * @param tag Model tag used in the unique variable-name prefix.
   */
  constructor(seed: number, tag = "model") {
    this.#prefix = `${tag}_${++storeCounter}/`;
    this.#rng = new Rng(seed);
  }

  /** Adds a variable from a float32 array (PyTorch layout). */
  add(name: string, shape: number[], values: Float32Array | Int32Array, trainable = true): void {
    if (this.#entries.has(name)) throw new Error(`duplicate parameter ${name}`);
    const dtype = values instanceof Int32Array ? "int32" : "float32";
    const init = tf.tensor(values, shape, dtype);
    const v = tf.variable(init, trainable, this.#prefix + name, dtype);
    init.dispose(); // the variable keeps its own reference to the data
    this.#entries.set(name, { variable: v, trainable });
  }

  /** U(-bound, bound) values, PyTorch's default for conv/linear weights and biases. */
  uniform(n: number, bound: number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.#rng.uniform(-bound, bound);
    return a;
  }

  /** N(0, 1) values (PyTorch's nn.Embedding initialisation). */
  normal(n: number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.#rng.normal();
    return a;
  }

  /**
   * Adds a trainable variable drawn from U(-bound, bound) (PyTorch's RNN and
   * attention initialisations).
   */
  addUniform(name: string, shape: number[], bound: number): void {
    this.add(name, shape, this.uniform(shape.reduce((a, b) => a * b, 1), bound));
  }

  /**
   * Adds a convolution or linear layer's `weight` and `bias` with PyTorch's
   * default initialisation (kaiming_uniform with a = sqrt(5), i.e.
   * U(+-1/sqrt(fan_in)) for both).
   *
   * @param prefix Module name (`cnn.layers.0.conv`).
   * @param shape PyTorch weight shape `[out, in, ...kernel]`.
   */
  addAffine(prefix: string, shape: number[], bias = true): void {
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    const n = shape.reduce((a, b) => a * b, 1);
    this.add(`${prefix}.weight`, shape, this.uniform(n, bound));
    if (bias) this.add(`${prefix}.bias`, [shape[0]!], this.uniform(shape[0]!, bound));
  }

  /** Adds a BatchNorm's weight (1), bias (0), running_mean (0), running_var (1), num_batches_tracked (0). */
  addBatchNorm(prefix: string, c: number): void {
    this.add(`${prefix}.weight`, [c], new Float32Array(c).fill(1));
    this.add(`${prefix}.bias`, [c], new Float32Array(c));
    this.add(`${prefix}.running_mean`, [c], new Float32Array(c), false);
    this.add(`${prefix}.running_var`, [c], new Float32Array(c).fill(1), false);
    this.add(`${prefix}.num_batches_tracked`, [], new Int32Array(1), false);
  }

  /** Adds a LayerNorm with elementwise affine over `shape` (weight 1, bias 0). */
  addLayerNorm(prefix: string, shape: number[]): void {
    const n = shape.reduce((a, b) => a * b, 1);
    this.add(`${prefix}.weight`, shape, new Float32Array(n).fill(1));
    this.add(`${prefix}.bias`, shape, new Float32Array(n));
  }

  /** The variable `name`; throws if absent (a bug, not a user error). */
  get(name: string): tf.Variable {
    const e = this.#entries.get(name);
    if (!e) throw new Error(`no parameter ${name}`);
    return e.variable;
  }

  /** All variables by PyTorch name, in creation order. */
  weights(): Map<string, tf.Variable> {
    return new Map([...this.#entries].map(([k, e]) => [k, e.variable]));
  }

  /** The trainable variables, in creation order. */
  trainable(): tf.Variable[] {
    return [...this.#entries.values()].filter((e) => e.trainable).map((e) => e.variable);
  }

  /** Number of trainable scalars. */
  count(): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.trainable) n += e.variable.size;
    return n;
  }

  /** Disposes every variable. */
  dispose(): void {
    for (const e of this.#entries.values()) e.variable.dispose();
    this.#entries.clear();
  }
}
