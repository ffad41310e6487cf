/**
 * Adam and AdamW with PyTorch's update rule and explicit, saveable state, so
 * that a resumed run continues bit for bit.
 *
 * TF.js's own Adam keeps its bias-correction powers (`accBeta1`,
 * `accBeta2`) as float32 variables multiplied once per step, and its
 * `setWeights` recomputes them as `beta^(t+1)`: after a restore the numbers
 * differ in the last bits from an uninterrupted run. Here the state is
 * the step count `t` and the two moments per variable; the bias corrections
 * are computed from `t` in float64 each step, as `torch.optim.Adam(W)` does:
 *
 * ```
 * p <- p * (1 - lr * weightDecay)                      (AdamW only)
 * m <- beta1 m + (1 - beta1) g
 * v <- beta2 v + (1 - beta2) g^2
 * p <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** Optimiser hyper-parameters. */
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
}

/** Saved optimiser state: moments as flat float32 arrays by variable name. */
export interface AdamState {
  /** Steps taken. */
  step: number;
  /** First moments. */
  m: Map<string, Float32Array>;
  /** Second moments. */
  v: Map<string, Float32Array>;
}

/** Adam / AdamW over a fixed list of named variables. */
export class Adam {
  /** Hyper-parameters (lr may be changed between steps). */
  readonly options: Required<AdamOptions>;
  #vars: Map<string, tf.Variable>;
  #m = new Map<string, tf.Variable>();
  #v = new Map<string, tf.Variable>();
  #step = 0;

  /**
   * Creates the optimiser with zero moments.
   *
   * @param variables The variables to optimise, by a stable name.
   * @param options Hyper-parameters.
   */
  constructor(variables: Map<string, tf.Variable>, options: AdamOptions) {
    this.options = {
      lr: options.lr,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      epsilon: options.epsilon ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
    };
    this.#vars = variables;
    for (const [name, v] of variables) {
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

  /**
   * Applies one update from gradients keyed by variable name (missing
   * gradients leave their variable unchanged that step). Gradients are not
   * disposed.
   */
  apply(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>): void {
    const g = grads instanceof Map ? grads : new Map(Object.entries(grads));
    this.#step++;
    const { lr, beta1, beta2, epsilon, weightDecay } = this.options;
    const t = this.#step;
    const stepSize = lr / (1 - Math.pow(beta1, t));
    const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
    tf.tidy(() => {
      for (const [name, p] of this.#vars) {
        const grad = g.get(name);
        if (!grad) continue;
        const m = this.#m.get(name)!, v = this.#v.get(name)!;
        if (weightDecay > 0) p.assign(tf.mul(p, 1 - lr * weightDecay));
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), epsilon);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
      }
    });
  }

  /** A copy of the state (moments read back to the CPU). */
  async getState(): Promise<AdamState> {
    const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
    for (const [name, t] of this.#m) m.set(name, await t.data() as Float32Array);
    for (const [name, t] of this.#v) v.set(name, await t.data() as Float32Array);
    return { step: this.#step, m, v };
  }

  /** Restores a state saved by {@link Adam.getState}; every variable must be present. */
  setState(state: AdamState): void {
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

  /** Frees the moment variables. */
  dispose(): void {
    for (const t of this.#m.values()) t.dispose();
    for (const t of this.#v.values()) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}
