/**
 * Convolutional multi-head self-attention (paper §3.4), on tokens
 * `[batch, n, h', w', d]`:
 *
 * 1. Q, K, V = one 1x1 convolution d -> 3d per token, split in three
 *    (`attn.qkv`, PyTorch weight `[3d, d, 1, 1]`, channels Q | K | V).
 * 2. Attention maps H(i, j) = M(Q_i + K_j), M a k x k convolution d -> heads
 *    with bias, padding k / 2 (`attn.m`, weight `[heads, d, k, k]`); softmax
 *    over j per pixel and head; no scaling, no mask.
 * 3. V'_i = sum_j H(i, j) * V_j pixel-wise, head h weighting its own d / heads
 *    channels of V (channels h * d/heads ..).
 * 4. Output convolution d -> d, k x k, padding k / 2 (`attn.out`).
 *
 * {@link convAttention} uses the exact factorisation M(Q_i + K_j) =
 * M(Q_i) + W * K_j (M is linear; W is M's kernel without its bias): 2n
 * convolutions instead of the n^2 of {@link convAttentionNaive}, the
 * authors' form, kept for the equivalence test.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv2d, linear } from "./ops/conv_exact.ts";
import type { ParamStore } from "./infra/params.ts";
import { torchConv2dKernel } from "./ops/layout.ts";
import { addBias } from "./ops/reduce.ts";

/** Attention hyper-parameters. */
export interface AttentionSpec {
  /** Token channels d. */
  d: number;
  /** Heads. */
  heads: number;
  /** Kernel of M. */
  attnKernel: number;
  /** Kernel of the output convolution. */
  outKernel: number;
}

/** Adds `{prefix}.qkv`, `{prefix}.m`, `{prefix}.out`. */
export function addConvAttention(p: ParamStore, prefix: string, s: AttentionSpec): void {
  p.addAffine(`${prefix}.qkv`, [3 * s.d, s.d, 1, 1]);
  p.addAffine(`${prefix}.m`, [s.heads, s.d, s.attnKernel, s.attnKernel]);
  p.addAffine(`${prefix}.out`, [s.d, s.d, s.outKernel, s.outKernel]);
}

/** A same-padded conv2d without bias, PyTorch weight layout; x `[N, h, w, in]`. */
export function convSameNoBias(x: tf.Tensor4D, w: tf.Tensor): tf.Tensor4D {
  const k = w.shape[2]!, p = (k - 1) / 2;
  return conv2d(x, torchConv2dKernel(w), { pad: [[p, p], [p, p]] });
}

/** A same-padded conv2d with bias, PyTorch weight layout; x `[N, h, w, in]`. */
export function convSame(x: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor): tf.Tensor4D {
  return addBias(convSameNoBias(x, w), b) as tf.Tensor4D;
}

function qkv(y: tf.Tensor, p: ParamStore, prefix: string, d: number): tf.Tensor[] {
  const [b, n, h, w] = y.shape as [number, number, number, number, number];
  const y2 = tf.reshape(y, [b * n * h * w, d]) as tf.Tensor2D;
  const wq = tf.reshape(p.get(`${prefix}.qkv.weight`), [3 * d, d]);
  const bq = p.get(`${prefix}.qkv.bias`);
  // Q, K, V as three products with slices of the weight (no split of the
  // activations): [b n h w, d] each.
  return [0, 1, 2].map((i) =>
    addBias(
      linear(y2, tf.slice(wq, [i * d, 0], [d, d]) as tf.Tensor2D),
      tf.slice(bq, [i * d], [d]),
    )
  );
}

function outConv(v: tf.Tensor, p: ParamStore, prefix: string, shape: number[]): tf.Tensor {
  const [b, n, h, w, d] = shape as [number, number, number, number, number];
  const o = convSame(
    tf.reshape(v, [b * n, h, w, d]) as tf.Tensor4D,
    p.get(`${prefix}.out.weight`),
    p.get(`${prefix}.out.bias`),
  );
  return tf.reshape(o, [b, n, h, w, d]);
}

/**
 * Factorised attention: 2n convolutions for the maps.
 *
 * @param y Normalised tokens `[batch, n, h', w', d]`.
 * @returns The attention output after the output convolution, same shape.
 */
export function convAttention(
  y: tf.Tensor,
  p: ParamStore,
  prefix: string,
  s: AttentionSpec,
): tf.Tensor {
  const [b, n, h, w, d] = y.shape as [number, number, number, number, number];
  const heads = s.heads, dh = d / heads, px = h * w;
  const [q, k, v] = qkv(y, p, prefix, d) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const km = torchConv2dKernel(p.get(`${prefix}.m.weight`));
  const pad = (s.attnKernel - 1) / 2;
  // M(Q_i) and W * K_j in one convolution over [2 b n, h, w, d].
  const mm = conv2d(
    tf.reshape(tf.concat([q, k], 0), [2 * b * n, h, w, d]) as tf.Tensor4D,
    km,
    { pad: [[pad, pad], [pad, pad]] },
  ); // [2 b n, h, w, heads]
  const [mq, wk] = tf.split(mm, 2, 0) as [tf.Tensor, tf.Tensor];
  // [b, n, px, heads] -> [b, px, heads, n]
  const toMaps = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [b, n, px, heads]), [0, 2, 3, 1]);
  const mqT = tf.reshape(
    toMaps(addBias(tf.reshape(mq, [b * n, h, w, heads]), p.get(`${prefix}.m.bias`))),
    [b * px * heads, n, 1],
  );
  const wkT = tf.reshape(toMaps(wk), [b * px * heads, 1, n]);
  const att = tf.softmax(tf.add(mqT, wkT)) as tf.Tensor3D; // [b px heads, n_i, n_j]
  const vT = tf.reshape(
    tf.transpose(tf.reshape(v, [b, n, px, heads, dh]), [0, 2, 3, 1, 4]),
    [b * px * heads, n, dh],
  ) as tf.Tensor3D;
  const o = tf.matMul(att, vT); // [b px heads, n, dh]
  const ot = tf.transpose(tf.reshape(o, [b, px, heads, n, dh]), [0, 3, 1, 2, 4]); // [b n px heads dh]
  return outConv(ot, p, prefix, [b, n, h, w, d]);
}

/**
 * The authors' form: n^2 convolutions M(Q_i + K_j). Same result as
 * {@link convAttention}; for the equivalence test.
 */
export function convAttentionNaive(
  y: tf.Tensor,
  p: ParamStore,
  prefix: string,
  s: AttentionSpec,
): tf.Tensor {
  const [b, n, h, w, d] = y.shape as [number, number, number, number, number];
  const heads = s.heads, dh = d / heads, px = h * w;
  const [q, k, v] = qkv(y, p, prefix, d) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const pairs = tf.add(
    tf.reshape(q, [b, n, 1, px * d]),
    tf.reshape(k, [b, 1, n, px * d]),
  ); // [b, n_i, n_j, px d]
  const maps = convSame(
    tf.reshape(pairs, [b * n * n, h, w, d]) as tf.Tensor4D,
    p.get(`${prefix}.m.weight`),
    p.get(`${prefix}.m.bias`),
  ); // [b n n, h, w, heads]
  const logits = tf.transpose(tf.reshape(maps, [b, n, n, px * heads]), [0, 3, 1, 2]); // [b, px heads, n_i, n_j]
  const att = tf.softmax(logits) as tf.Tensor4D;
  const vv = tf.transpose(tf.reshape(v, [b, n, px * heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D; // [b, px heads, n_j, dh]
  const o = tf.matMul(att, vv); // [b, px heads, n_i, dh]
  const ot = tf.transpose(o, [0, 2, 1, 3]); // [b, n, px heads, dh]
  return outConv(ot, p, prefix, [b, n, h, w, d]);
}
