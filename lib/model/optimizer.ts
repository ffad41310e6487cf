/**
 * Adam and AdamW (decoupled weight decay) with PyTorch's update rule and a
 * state that can be saved and restored exactly, keyed by the model's
 * PyTorch parameter names.
 *
 * Update, for step t (PyTorch `torch.optim.AdamW`; weightDecay 0 = `Adam`):
 *
 *     p = p * (1 - lr * weightDecay)
 *     m = beta1 m + (1 - beta1) g ;  v = beta2 v + (1 - beta2) g^2
 *     p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * TF.js has no AdamW, and its Adam keys the moments by gradient order; this
 * one keys them by variable. State: `getWeights()` / `setWeights()` (TF.js
 * names, `step`, `<var>/m`, `<var>/v`), or {@link optimizerState} /
 * {@link restoreOptimizerState} keyed by PyTorch names, and
 * {@link saveOptimizerState} / {@link loadOptimizerState} to a safetensors
 * file (`step`, `exp_avg.<name>`, `exp_avg_sq.<name>`, as in PyTorch's
 * optimizer state_dict).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { writeFileAtomic } from "../util/atomic.ts";
import { WeightsError } from "./errors.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafeTensor,
  toFloat32,
  toInt32,
} from "./safetensors.ts";
import type { Classifier } from "./types.ts";

/** A tensor with a name (TF.js's NamedTensor, not exported by tfjs-core's index). */
export interface NamedTensor {
  /** Name. */
  name: string;
  /** Value. */
  tensor: tf.Tensor;
}

/** Hyper-parameters of {@link AdamW}. */
export interface AdamWOptions {
  /** Learning rate (mutable later through `learningRate`). */
  learningRate: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8 (PyTorch's). */
  epsilon?: number;
  /** Decoupled weight decay; 0 (default) = Adam. */
  weightDecay?: number;
  /**
   * Where the update runs: `auto` (default: a JS loop on the wasm and cpu
   * backends, TF.js ops elsewhere), `js` or `device` (TF.js ops).
   */
  update?: "auto" | "js" | "device";
}

function assignArray(v: tf.Variable, data: Float32Array): void {
  const t = tf.tensor(data, v.shape, "float32");
  v.assign(t);
  t.dispose();
}

/** Adam / AdamW with PyTorch's update and a by-variable state. */
export class AdamW extends tf.Optimizer {
  /** Serialisation name. */
  static get className(): string {
    return "ConvEntionAdamW";
  }
  /** Learning rate used by the next step (schedules may change it). */
  learningRate: number;
  /** beta1. */
  readonly beta1: number;
  /** beta2. */
  readonly beta2: number;
  /** epsilon. */
  readonly epsilon: number;
  /** Decoupled weight decay. */
  weightDecay: number;
  readonly #update: "auto" | "js" | "device";
  #step = 0;
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();

  /** Creates the optimiser. */
  constructor(opts: AdamWOptions) {
    super();
    this.learningRate = opts.learningRate;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.#update = opts.update ?? "auto";
  }

  /** Steps taken so far. */
  get step(): number {
    return this.#step;
  }

  /** Applies one update with gradients keyed by TF.js variable name. */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: [string, tf.Tensor][] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    this.#step++;
    const t = this.#step, lr = this.learningRate;
    const stepSize = lr / (1 - Math.pow(this.beta1, t));
    const bc2Sqrt = Math.sqrt(1 - Math.pow(this.beta2, t));
    const registered = tf.engine().registeredVariables;
    // On the CPU-side backends the update runs as a plain loop over the
    // arrays (a few copies instead of about ten kernel launches per
    // variable); elsewhere (webgpu) it stays on the device.
    const inJs = this.#update === "js" ||
      (this.#update === "auto" && (tf.getBackend() === "wasm" || tf.getBackend() === "cpu"));
    for (const [name, g] of entries) {
      if (g == null) continue;
      const p = registered[name];
      if (!p) throw new Error(`AdamW: no registered variable ${name}`);
      let m = this.#m.get(name), v = this.#v.get(name);
      if (!m || !v) {
        m = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
        v = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
        this.#m.set(name, m);
        this.#v.set(name, v);
      }
      if (inJs) {
        const pv = p.dataSync() as Float32Array, gv = g.dataSync() as Float32Array;
        const mv = m.dataSync() as Float32Array, vv = v.dataSync() as Float32Array;
        const np = new Float32Array(pv.length), nm = new Float32Array(pv.length);
        const nv = new Float32Array(pv.length);
        const b1 = this.beta1, b2 = this.beta2, eps = this.epsilon;
        const decay = 1 - lr * this.weightDecay;
        for (let i = 0; i < pv.length; i++) {
          const gi = gv[i]!;
          const mi = b1 * mv[i]! + (1 - b1) * gi;
          const vi = b2 * vv[i]! + (1 - b2) * gi * gi;
          nm[i] = mi;
          nv[i] = vi;
          np[i] = pv[i]! * decay - stepSize * mi / (Math.sqrt(vi) / bc2Sqrt + eps);
        }
        assignArray(p, np);
        assignArray(m, nm);
        assignArray(v, nv);
        continue;
      }
      tf.tidy(() => {
        const decayed = this.weightDecay > 0 ? tf.mul(p, 1 - lr * this.weightDecay) : p;
        const m1 = tf.add(tf.mul(m!, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(v!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        m!.assign(m1);
        v!.assign(v1);
        const denom = tf.add(tf.div(tf.sqrt(v1), bc2Sqrt), this.epsilon);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m1, denom), stepSize)));
      });
    }
    this.incrementIterations();
  }

  /** State as TF.js named tensors: `step`, then `<var>/m` and `<var>/v`. */
  override getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [{ name: "step", tensor: tf.scalar(this.#step, "int32") }];
    for (const [name, m] of this.#m) out.push({ name: `${name}/m`, tensor: m });
    for (const [name, v] of this.#v) out.push({ name: `${name}/v`, tensor: v });
    return Promise.resolve(out);
  }

  /** Restores a state produced by {@link AdamW.getWeights} (values are copied). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.#clear();
    for (const { name, tensor } of weightValues) {
      if (name === "step") {
        this.#step = (await tensor.data())[0]!;
        continue;
      }
      const slot = name.endsWith("/m") ? this.#m : name.endsWith("/v") ? this.#v : null;
      if (!slot) throw new WeightsError(`AdamW state: unknown entry ${name}`);
      const copy = tf.clone(tensor);
      slot.set(name.slice(0, -2), tf.variable(copy, false));
      copy.dispose(); // the variable keeps the data
    }
  }

  #clear(): void {
    for (const t of [...this.#m.values(), ...this.#v.values()]) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }

  /** Hyper-parameters. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
    };
  }

  /** Frees the moment variables. */
  override dispose(): void {
    this.#clear();
    super.dispose();
  }
}

/**
 * The optimiser state keyed by the model's PyTorch names: `step` (I64),
 * `exp_avg.<name>`, `exp_avg_sq.<name>` (F32).
 */
export async function optimizerState(
  opt: AdamW,
  model: Classifier,
): Promise<Map<string, SafeTensor>> {
  const byVar = new Map<string, string>();
  for (const [name, v] of model.weights()) byVar.set(v.name, name);
  const out = new Map<string, SafeTensor>();
  const ws = await opt.getWeights();
  for (const { name, tensor } of ws) {
    if (name === "step") {
      out.set("step", {
        dtype: "I64",
        shape: [],
        data: BigInt64Array.from([BigInt((await tensor.data())[0]!)]),
      });
      continue;
    }
    const torch = byVar.get(name.slice(0, -2));
    if (!torch) continue; // a variable of another model
    const key = `${name.endsWith("/m") ? "exp_avg" : "exp_avg_sq"}.${torch}`;
    out.set(key, {
      dtype: "F32",
      shape: [...tensor.shape],
      data: Float32Array.from(await tensor.data()),
    });
  }
  tf.dispose(ws[0]!.tensor);
  return out;
}

/** Restores a state from {@link optimizerState} into `opt` for `model`'s variables. */
export async function restoreOptimizerState(
  opt: AdamW,
  model: Classifier,
  state: Map<string, SafeTensor>,
  source = "optimizer state",
): Promise<void> {
  const vars = model.weights();
  const named: NamedTensor[] = [];
  const step = state.get("step");
  if (!step) throw new WeightsError(`${source}: no "step" entry`);
  named.push({ name: "step", tensor: tf.scalar(toInt32(step, source, "step")[0]!, "int32") });
  for (const [key, t] of state) {
    if (key === "step") continue;
    const m = /^(exp_avg|exp_avg_sq)\.(.+)$/.exec(key);
    const v = m ? vars.get(m[2]!) : undefined;
    if (!m || !v) throw new WeightsError(`${source}: entry ${key} matches no model parameter`);
    if (t.shape.join() !== v.shape.join()) {
      throw new WeightsError(`${source}: ${key} has shape [${t.shape}], expected [${v.shape}]`);
    }
    named.push({
      name: `${v.name}/${m[1] === "exp_avg" ? "m" : "v"}`,
      tensor: tf.tensor(toFloat32(t), t.shape, "float32"),
    });
  }
  try {
    await opt.setWeights(named);
  } finally {
    tf.dispose(named.map((n) => n.tensor));
  }
}

/** Saves the optimiser state (PyTorch names) as safetensors, atomically. */
export async function saveOptimizerState(
  opt: AdamW,
  model: Classifier,
  path: string,
): Promise<void> {
  const state = await optimizerState(opt, model);
  await writeFileAtomic(
    path,
    encodeSafetensors(state, { optimizer: "AdamW", config: JSON.stringify(opt.getConfig()) }),
  );
}

/** Loads an optimiser state saved by {@link saveOptimizerState}. */
export async function loadOptimizerState(
  opt: AdamW,
  model: Classifier,
  path: string,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new WeightsError(`Cannot read optimizer state ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  await restoreOptimizerState(opt, model, decodeSafetensors(bytes, path).tensors, path);
}
