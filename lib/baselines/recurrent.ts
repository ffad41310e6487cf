/**
 * LSTM and GRU layers written with TF.js core ops (tfjs-core has no layers), with PyTorch's
 * equations, gate order and `state_dict` names, masking of padded steps, bidirectional and
 * stacked variants, and variational (time-shared) dropout for MC-dropout Bayesian RNNs.
 *
 * LSTM (gates i, f, g, o): c' = f*c + i*g, h' = o*tanh(c').
 * GRU (gates r, z, n): n = tanh(W_in x + b_in + r*(W_hn h + b_hn)), h' = (1-z)*n + z*h.
 * A padded step (mask 0) leaves the state unchanged and outputs zeros, so the final state is
 * the state at the last real step (as PyTorch's packed sequences).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ParamStore } from "../model/infra/params.ts";
import { dropout, subSeed } from "./layers.ts";

/** Recurrent cell type. */
export type CellKind = "lstm" | "gru";

/** Shape of a (stacked, possibly bidirectional) recurrent network. */
export interface RnnSpec {
  /** Cell type. */
  cell: CellKind;
  /** Features per step of the input. */
  inputSize: number;
  /** Hidden units per direction. */
  hiddenSize: number;
  /** Stacked layers. */
  layers: number;
  /** Run a second direction backwards in time (outputs concatenated). */
  bidirectional: boolean;
}

/** Dropout of a recurrent network (all shared over time: variational dropout, Gal 2016). */
export interface RnnDropout {
  /** On each layer's input. */
  input?: number;
  /** On the hidden state fed back into the recurrence. */
  recurrent?: number;
}

function gatesOf(cell: CellKind): number {
  return cell === "lstm" ? 4 : 3;
}

/** Output width of the network: hidden size times the number of directions. */
export function rnnOutputSize(spec: RnnSpec): number {
  return spec.hiddenSize * (spec.bidirectional ? 2 : 1);
}

/**
 * Defines the parameters of a PyTorch `nn.LSTM`/`nn.GRU(batch_first=True)` under `prefix`:
 * `weight_ih_l{k}[_reverse] [G*H, in]`, `weight_hh_l{k} [G*H, H]`, `bias_ih_l{k}`,
 * `bias_hh_l{k}` (G = 4 for LSTM, 3 for GRU), uniform in +-1/sqrt(H) as PyTorch.
 *
 * @param p Where to define them.
 * @param prefix Name prefix (e.g. `rnn`).
 * @param spec The network shape.
 */
export function defineRnn(p: ParamStore, prefix: string, spec: RnnSpec): void {
  const g = gatesOf(spec.cell), h = spec.hiddenSize;
  const bound = 1 / Math.sqrt(h);
  for (let k = 0; k < spec.layers; k++) {
    const inF = k === 0 ? spec.inputSize : rnnOutputSize(spec);
    for (const suffix of spec.bidirectional ? ["", "_reverse"] : [""]) {
      p.addUniform(`${prefix}.weight_ih_l${k}${suffix}`, [g * h, inF], bound);
      p.addUniform(`${prefix}.weight_hh_l${k}${suffix}`, [g * h, h], bound);
      p.addUniform(`${prefix}.bias_ih_l${k}${suffix}`, [g * h], bound);
      p.addUniform(`${prefix}.bias_hh_l${k}${suffix}`, [g * h], bound);
    }
  }
}

/** One direction of one layer over the whole sequence. */
function runDirection(
  p: ParamStore,
  name: (w: string) => string,
  cell: CellKind,
  hidden: number,
  x: tf.Tensor3D, // [B, T, F]
  mask: tf.Tensor2D, // [B, T]
  maskHost: Float32Array, // the same values, read once
  reverse: boolean,
  recurrentMask: tf.Tensor | null, // [B, H] or null
): { outputs: tf.Tensor3D; last: tf.Tensor2D } {
  const [b, t, f] = x.shape;
  const wih = p.get(name("weight_ih")), whh = p.get(name("weight_hh"));
  const bih = p.get(name("bias_ih")), bhh = p.get(name("bias_hh"));
  // Input projections of every step at once: [B, T, G*H]. For the LSTM both biases are added
  // here (they are only ever summed); the GRU keeps b_hn inside r * (W_hn h + b_hn).
  const g = gatesOf(cell);
  const bias = cell === "lstm" ? tf.add(bih, bhh) : bih;
  const xp = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [b * t, f]), wih, false, true), bias), [
    b,
    t,
    g * hidden,
  ]);
  const xs = tf.unstack(xp, 1) as tf.Tensor2D[]; // T x [B, G*H]
  const ms = tf.unstack(tf.expandDims(mask, 2), 1) as tf.Tensor2D[]; // T x [B, 1]
  // Steps where every row is real need no masking; steps where every row is padding change
  // nothing (same numbers, fewer ops).
  const kind = Array.from({ length: t }, (_, step) => {
    let on = 0;
    for (let r = 0; r < b; r++) if (maskHost[r * t + step]! > 0) on++;
    return on === b ? "all" : on === 0 ? "none" : "some";
  });
  let h: tf.Tensor2D = tf.zeros([b, hidden]);
  let c: tf.Tensor2D = tf.zeros([b, hidden]);
  const zeros: tf.Tensor2D = tf.zeros([b, hidden]);
  const outs: tf.Tensor2D[] = new Array(t);
  for (let s = 0; s < t; s++) {
    const step = reverse ? t - 1 - s : s;
    if (kind[step] === "none") {
      outs[step] = zeros;
      continue;
    }
    const xt = xs[step]!, m = ms[step]!;
    const hin = recurrentMask ? tf.mul(h, recurrentMask) : h;
    const hw = tf.matMul(hin, whh, false, true); // [B, G*H]
    let hNew: tf.Tensor2D;
    if (cell === "lstm") {
      const gates = tf.add(xt, hw);
      const [gi, gf, gg, go] = tf.split(gates, 4, 1) as tf.Tensor2D[];
      const cNew = tf.add(
        tf.mul(tf.sigmoid(gf!), c),
        tf.mul(tf.sigmoid(gi!), tf.tanh(gg!)),
      ) as tf.Tensor2D;
      hNew = tf.mul(tf.sigmoid(go!), tf.tanh(cNew));
      c = kind[step] === "all" ? cNew : tf.add(c, tf.mul(m, tf.sub(cNew, c))) as tf.Tensor2D;
    } else {
      const hh = tf.add(hw, bhh);
      const [xr, xz, xn] = tf.split(xt, 3, 1) as tf.Tensor2D[];
      const [hr, hz, hn] = tf.split(hh, 3, 1) as tf.Tensor2D[];
      const r = tf.sigmoid(tf.add(xr!, hr!));
      const z = tf.sigmoid(tf.add(xz!, hz!));
      const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
      hNew = tf.add(n, tf.mul(z, tf.sub(h, n)));
    }
    if (kind[step] === "all") {
      h = hNew;
      outs[step] = hNew;
    } else {
      h = tf.add(h, tf.mul(m, tf.sub(hNew, h)));
      outs[step] = tf.mul(m, hNew);
    }
  }
  return { outputs: tf.stack(outs, 1) as tf.Tensor3D, last: h };
}

/**
 * Runs a recurrent network defined by {@link defineRnn}.
 *
 * @param p The parameters.
 * @param prefix Name prefix used at definition.
 * @param spec The network shape.
 * @param x Inputs `[B, T, inputSize]`.
 * @param mask `[B, T]` float, 1 = real step, 0 = padding.
 * @param opts `training` and `seed` (dropout masks), dropout rates.
 * @returns `outputs [B, T, D*H]` (zeros on padded steps) and `last [B, D*H]` (the final states of
 *   the last layer: forward at the last real step, backward at the first).
 */
export function runRnn(
  p: ParamStore,
  prefix: string,
  spec: RnnSpec,
  x: tf.Tensor3D,
  mask: tf.Tensor2D,
  opts: { training: boolean; seed: number; dropout?: RnnDropout },
): { outputs: tf.Tensor3D; last: tf.Tensor2D } {
  const [b] = x.shape;
  const maskHost = mask.dataSync() as Float32Array;
  let input = x;
  let last: tf.Tensor2D = tf.zeros([b, 0]);
  let draw = 0;
  for (let k = 0; k < spec.layers; k++) {
    const inF = input.shape[2];
    const rateIn = opts.dropout?.input ?? 0;
    if (opts.training && rateIn > 0) {
      input = dropout(input, rateIn, true, subSeed(opts.seed, draw++), [b, 1, inF]) as tf.Tensor3D;
    }
    const outs: tf.Tensor3D[] = [];
    const lasts: tf.Tensor2D[] = [];
    for (const reverse of spec.bidirectional ? [false, true] : [false]) {
      const suffix = reverse ? "_reverse" : "";
      const rateRec = opts.dropout?.recurrent ?? 0;
      const recMask = opts.training && rateRec > 0
        ? dropout(tf.ones([b, spec.hiddenSize]), rateRec, true, subSeed(opts.seed, draw++))
        : null;
      const r = runDirection(
        p,
        (w) => `${prefix}.${w}_l${k}${suffix}`,
        spec.cell,
        spec.hiddenSize,
        input,
        mask,
        maskHost,
        reverse,
        recMask,
      );
      outs.push(r.outputs);
      lasts.push(r.last);
    }
    input = outs.length === 1 ? outs[0]! : tf.concat(outs, 2);
    last = lasts.length === 1 ? lasts[0]! : tf.concat(lasts, 1);
  }
  return { outputs: input, last };
}
