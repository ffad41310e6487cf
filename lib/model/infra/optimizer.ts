/**
 * Adam and AdamW (decoupled weight decay) with PyTorch's update rule, over a
 * map of named variables, with a state that can be saved and restored
 * exactly, so that a resumed run continues bit for bit.
 *
 * Update, for step t (`torch.optim.AdamW`; weightDecay 0 = `torch.optim.Adam`):
 *
 *     p = p * (1 - lr * weightDecay)
 *     m = beta1 m + (1 - beta1) g ;  v = beta2 v + (1 - beta2) g^2
 *     p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * TF.js has no AdamW, and its Adam keeps the bias-correction powers as
 * float32 variables multiplied once per step (its `setWeights` recomputes
 * them as `beta^(t+1)`, so a restored run differs in the last bits) and keys
 * the moments by gradient order. Here the state is the step count `t` and
 * the two moments of each variable, keyed by the variable's stable name (the
 * model's PyTorch `state_dict` name when built from `model.weights()`); the
 * bias corrections are computed from `t` in float64 each step.
 *
 * The class does not extend `tf.Optimizer`: that interface keys gradients by
 * the TF.js engine's global variable names and saves its state by gradient
 * order, while this one optimises a given map of named variables (a frozen
 * backbone is simply a smaller map) and saves its state by those names.
 *
 * State: {@link Adam.getState} / {@link Adam.setState} (exact, in memory), or
 * {@link saveOptimizerState} / {@link loadOptimizerState} as a safetensors
 * file with PyTorch's optimizer `state_dict` names (`step`,
 * `exp_avg.<name>`, `exp_avg_sq.<name>`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { setWeight } from "./assign.ts";
import { fusedAdamStep } from "../ops/webgpu/adam_update.ts";
import { writeFileAtomic } from "../../util/atomic.ts";
import { WeightsError } from "../errors.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafeTensor,
  toFloat32,
  toInt32,
} from "./safetensors.ts";
import type { Tensor, Variable } from "../ops/tensor_types.ts";

/** Hyper-parameters of {@link Adam}. */
export interface AdamOptions {
  /** Learning rate. */
  lr: number;
  /** First-moment decay (default 0.9). */
  beta1?: number;
  /** Second-moment decay (default 0.999). */
  beta2?: number;
  /** Denominator epsilon (default 1e-8, PyTorch's). */
  epsilon?: number;
  /** Decoupled weight decay (AdamW); 0 = Adam (default 0). */
  weightDecay?: number;
  /**
   * Where the update runs: `auto` (default: a JavaScript loop over the
   * arrays on the wasm and cpu backends, a few copies instead of about ten
   * kernel launches per variable; on webgpu the fused kernels of
   * `ops/webgpu/adam_fused.ts` over flat buffers, two dispatches plus the
   * concatenations and slices instead of about a dozen per variable, when
   * every variable has a gradient; TF.js ops otherwise), `js`, `device`
   * (TF.js ops) or `fused` (webgpu only).
   */
  update?: "auto" | "js" | "device" | "fused";
}

/** Optimiser state: the step count and the moments, as flat float32 arrays, by variable name. */
export interface AdamState {
  /** Steps taken. */
  step: number;
  /** First moments. */
  m: Map<string, Float32Array>;
  /** Second moments. */
  v: Map<string, Float32Array>;
}

/**
 * Adam / AdamW over a fixed map of named variables.
 *
 * @example Three AdamW steps on one variable, then its state
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../../train/backend.ts";
 * import { Adam } from "./optimizer.ts";
 * await selectBackend("cpu", { quiet: true });
 * const p = tf.variable(tf.tensor1d([0.5, -1, 2]));
 * const opt = new Adam(new Map([["p", p]]), { lr: 0.01, weightDecay: 0.1 });
 * for (const g of [[0.1, -0.2, 0.3], [0, 0.5, -0.1], [1, 1, 1]]) {
 *   const grad = tf.tensor1d(g);
 *   opt.apply(new Map([["p", grad]]));
 *   grad.dispose();
 * }
 * const state = await opt.getState(); // step 3 and the moments of "p"
 * if (!(state.step === 3 && state.m.get("p")!.length === 3)) throw new Error("example check failed");
 * console.log(await p.data()); // torch.optim.AdamW's numbers
 * opt.dispose();
 * p.dispose();
 * ```
 */
export class Adam {
  /** Hyper-parameters (`lr` may be changed between steps). */
  readonly options: Required<AdamOptions>;
  readonly #vars: Map<string, tf.Variable>;
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();
  /** Fused webgpu update: the moments as one flat `[m ; v]` while set (then #m, #v are stale). */
  #flat: tf.Tensor1D | null = null;
  #step = 0;

  /**
   * Creates the optimiser with zero moments.
   *
   * @param variables The variables to optimise, by a stable name.
   * @param options Hyper-parameters.
   */
  constructor(variables: Map<string, Variable>, options: AdamOptions) {
    this.options = {
      lr: options.lr,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      epsilon: options.epsilon ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      update: options.update ?? "auto",
    };
    this.#vars = new Map(variables);
    for (const [name, v] of this.#vars) {
      this.#m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(v), false, undefined, "float32")));
      this.#v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(v), false, undefined, "float32")));
    }
  }

  /** Steps taken so far. */
  get step(): number {
    return this.#step;
  }

  /** Names of the optimised variables. */
  names(): string[] {
    return [...this.#vars.keys()];
  }

  /** The optimised variables by name (the map itself is a copy). */
  variables(): Map<string, Variable> {
    return new Map(this.#vars);
  }

  /**
   * Applies one update from gradients keyed by variable name (missing
   * gradients leave their variable unchanged that step). Gradients are not
   * disposed.
   */
  apply(grads: Map<string, Tensor> | Record<string, Tensor>): void {
    const g = grads instanceof Map ? grads : new Map(Object.entries(grads));
    this.#step++;
    const { lr, beta1, beta2, epsilon, weightDecay, update } = this.options;
    const t = this.#step;
    const stepSize = lr / (1 - Math.pow(beta1, t));
    const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
    const backend = tf.getBackend();
    const inJs = update === "js" ||
      (update === "auto" && (backend === "wasm" || backend === "cpu"));
    const decay = 1 - lr * weightDecay;
    const fused = backend === "webgpu" && (update === "fused" || update === "auto") &&
      [...this.#vars.keys()].every((n) => g.has(n));
    if (fused) {
      if (!this.#flat) this.#flat = this.#flatten();
      const next = fusedAdamStep(
        [...this.#vars.values()],
        [...this.#vars.keys()].map((n) => g.get(n)!),
        this.#flat,
        { beta1, beta2, decay, stepSize, sqrtBc2, epsilon },
      );
      this.#flat.dispose();
      this.#flat = next;
      return;
    }
    this.#unflatten();
    for (const [name, p] of this.#vars) {
      const grad = g.get(name);
      if (!grad) continue;
      const m = this.#m.get(name)!, v = this.#v.get(name)!;
      if (inJs) {
        const pv = p.dataSync() as Float32Array, gv = grad.dataSync() as Float32Array;
        const mv = m.dataSync() as Float32Array, vv = v.dataSync() as Float32Array;
        const np = new Float32Array(pv.length), nm = new Float32Array(pv.length);
        const nv = new Float32Array(pv.length);
        for (let i = 0; i < pv.length; i++) {
          const gi = gv[i]!;
          const mi = beta1 * mv[i]! + (1 - beta1) * gi;
          const vi = beta2 * vv[i]! + (1 - beta2) * gi * gi;
          nm[i] = mi;
          nv[i] = vi;
          np[i] = pv[i]! * decay - stepSize * mi / (Math.sqrt(vi) / sqrtBc2 + epsilon);
        }
        setWeight(p, np);
        setWeight(m, nm);
        setWeight(v, nv);
        continue;
      }
      tf.tidy(() => {
        if (weightDecay > 0) p.assign(tf.mul(p, decay));
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), epsilon);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
      });
    }
  }

  /** The moments as one flat `[m of every variable ; v of every variable]`. */
  #flatten(): tf.Tensor1D {
    return tf.tidy(() =>
      tf.concat([...this.#m.values(), ...this.#v.values()].map((t) => tf.reshape(t, [-1])))
    ) as tf.Tensor1D;
  }

  /** Writes the flat moments back into the per-variable moments (after fused steps). */
  #unflatten(): void {
    const flat = this.#flat;
    if (!flat) return;
    tf.tidy(() => {
      let off = 0;
      for (const t of [...this.#m.values(), ...this.#v.values()]) {
        t.assign(tf.reshape(tf.slice(flat, [off], [t.size]), t.shape));
        off += t.size;
      }
    });
    flat.dispose();
    this.#flat = null;
  }

  /** A copy of the state (moments read back to the CPU). */
  async getState(): Promise<AdamState> {
    this.#unflatten();
    const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
    for (const [name, t] of this.#m) m.set(name, new Float32Array(await t.data() as Float32Array));
    for (const [name, t] of this.#v) v.set(name, new Float32Array(await t.data() as Float32Array));
    return { step: this.#step, m, v };
  }

  /** Restores a state saved by {@link Adam.getState}; every variable must be present. */
  setState(state: AdamState): void {
    this.#unflatten();
    for (const [name, mv] of this.#m) {
      const a = state.m.get(name), b = state.v.get(name);
      const vv = this.#v.get(name)!;
      if (!a || !b || a.length !== mv.size || b.length !== vv.size) {
        throw new RangeError(`Optimiser state has no (or a wrongly sized) moment for ${name}`);
      }
      tf.tidy(() => {
        mv.assign(tf.tensor(a, mv.shape, "float32"));
        vv.assign(tf.tensor(b, vv.shape, "float32"));
      });
    }
    this.#step = state.step;
  }

  /** Frees the moment variables (not the optimised variables). */
  dispose(): void {
    this.#flat?.dispose();
    this.#flat = null;
    for (const t of this.#m.values()) t.dispose();
    for (const t of this.#v.values()) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}

/**
 * Saves the optimiser state as safetensors, atomically, with PyTorch's
 * optimizer `state_dict` names: `step` (I64), `exp_avg.<name>` and
 * `exp_avg_sq.<name>` (F32, the variable's shape).
 *
 * @param opt The optimiser.
 * @param path Output file.
 */
export async function saveOptimizerState(opt: Adam, path: string): Promise<void> {
  const st = await opt.getState();
  const vars = opt.variables();
  const out = new Map<string, SafeTensor>();
  out.set("step", { dtype: "I64", shape: [], data: BigInt64Array.from([BigInt(st.step)]) });
  for (const [key, moments] of [["exp_avg", st.m], ["exp_avg_sq", st.v]] as const) {
    for (const [name, data] of moments) {
      out.set(`${key}.${name}`, { dtype: "F32", shape: [...vars.get(name)!.shape], data });
    }
  }
  const { update: _u, ...config } = opt.options;
  await writeFileAtomic(
    path,
    encodeSafetensors(out, {
      optimizer: opt.options.weightDecay > 0 ? "AdamW" : "Adam",
      config: JSON.stringify(config),
    }),
  );
}

/**
 * Loads an optimiser state saved by {@link saveOptimizerState} into `opt`
 * (every optimised variable must have both moments, with its shape).
 *
 * @param opt The optimiser (built over the same variable names).
 * @param path The safetensors file.
 * @throws WeightsError when the file is unreadable, or an entry is missing,
 * unknown or wrongly shaped.
 */
export async function loadOptimizerState(opt: Adam, path: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new WeightsError(`Cannot read optimizer state ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const tensors = decodeSafetensors(bytes, path).tensors;
  const vars = opt.variables();
  const step = tensors.get("step");
  if (!step) throw new WeightsError(`${path}: no "step" entry`);
  const st: AdamState = { step: toInt32(step, path, "step")[0]!, m: new Map(), v: new Map() };
  for (const [key, t] of tensors) {
    if (key === "step") continue;
    const m = /^(exp_avg|exp_avg_sq)\.(.+)$/.exec(key);
    const v = m ? vars.get(m[2]!) : undefined;
    if (!m || !v) throw new WeightsError(`${path}: entry ${key} matches no optimised variable`);
    if (t.shape.join() !== v.shape.join()) {
      throw new WeightsError(`${path}: ${key} has shape [${t.shape}], expected [${v.shape}]`);
    }
    (m[1] === "exp_avg" ? st.m : st.v).set(m[2]!, toFloat32(t));
  }
  for (const name of vars.keys()) {
    if (!st.m.has(name) || !st.v.has(name)) {
      throw new WeightsError(`${path}: no exp_avg / exp_avg_sq entry for ${name}`);
    }
  }
  opt.setState(st);
}
