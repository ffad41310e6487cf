/**
 * Convolutional BERT block (paper §3.4), pre-norm, on tokens `[batch, n, h', w', d]`:
 *
 *     y = LayerNorm1(x)            over the whole [n, d, h', w'], elementwise affine
 *     x = x + Attention(y)          conv_attention.ts
 *     y = LayerNorm2(x)
 *     x = x + BN2(ReLU(conv2(BN1(ReLU(conv1(y))))))   k x k convs d -> ffHidden -> d
 *
 * PyTorch names under `bert.{i}`: `norm1`, `attn.{qkv,m,out}`, `norm2`,
 * `ff.conv1`, `ff.bn1`, `ff.conv2`, `ff.bn2`. LayerNorm weights are
 * `[n, d, h', w']` in PyTorch; here they are transposed to `[n, h', w', d]`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  addConvAttention,
  type AttentionSpec,
  convAttention,
  convAttentionNaive,
  convSameNoBias,
} from "./conv_attention.ts";
import { biasNormRelu, layerNorm } from "./ops/norm.ts";
import type { ParamStore } from "./infra/params.ts";

/** Block hyper-parameters. */
export interface BertSpec extends AttentionSpec {
  /** Tokens n. */
  tokens: number;
  /** Token spatial size. */
  tokenHW: [number, number];
  /** Feed-forward kernel. */
  ffKernel: number;
  /** Feed-forward hidden channels. */
  ffHidden: number;
}

/** Adds the parameters of block `bert.{i}`. */
export function addBertBlock(p: ParamStore, i: number, s: BertSpec): void {
  const pre = `bert.${i}`;
  const ln = [s.tokens, s.d, s.tokenHW[0], s.tokenHW[1]];
  p.addLayerNorm(`${pre}.norm1`, ln);
  addConvAttention(p, `${pre}.attn`, s);
  p.addLayerNorm(`${pre}.norm2`, ln);
  p.addAffine(`${pre}.ff.conv1`, [s.ffHidden, s.d, s.ffKernel, s.ffKernel]);
  p.addBatchNorm(`${pre}.ff.bn1`, s.ffHidden);
  p.addAffine(`${pre}.ff.conv2`, [s.d, s.ffHidden, s.ffKernel, s.ffKernel]);
  p.addBatchNorm(`${pre}.ff.bn2`, s.d);
}

function norm(x: tf.Tensor, p: ParamStore, name: string): tf.Tensor {
  // PyTorch [n, d, h, w] -> [n, h, w, d]
  const w = tf.transpose(p.get(`${name}.weight`), [0, 2, 3, 1]);
  const b = tf.transpose(p.get(`${name}.bias`), [0, 2, 3, 1]);
  return layerNorm(x, w, b);
}

/**
 * Runs block `bert.{i}`.
 *
 * @param x Tokens `[batch, n, h', w', d]`.
 * @param training BatchNorm mode.
 * @param updateStats Update BatchNorm running statistics (training mode).
 * @param naive Use the n^2 attention (tests).
 */
export function bertBlock(
  x: tf.Tensor,
  p: ParamStore,
  i: number,
  s: BertSpec,
  training: boolean,
  updateStats = training,
  naive = false,
): tf.Tensor {
  const pre = `bert.${i}`;
  const [b, n, h, w, d] = x.shape as [number, number, number, number, number];
  const attention = naive ? convAttentionNaive : convAttention;
  const x1 = tf.add(x, attention(norm(x, p, `${pre}.norm1`), p, `${pre}.attn`, s));
  const y = tf.reshape(norm(x1, p, `${pre}.norm2`), [b * n, h, w, d]) as tf.Tensor4D;
  // conv -> ReLU -> BatchNorm, twice (bias, ReLU and BatchNorm fused)
  const f1 = biasNormRelu(
    convSameNoBias(y, p.get(`${pre}.ff.conv1.weight`)),
    p,
    `${pre}.ff.conv1`,
    `${pre}.ff.bn1`,
    "relu-bn",
    training,
    updateStats,
  ) as tf.Tensor4D;
  const f2 = biasNormRelu(
    convSameNoBias(f1, p.get(`${pre}.ff.conv2.weight`)),
    p,
    `${pre}.ff.conv2`,
    `${pre}.ff.bn2`,
    "relu-bn",
    training,
    updateStats,
  );
  return tf.add(x1, tf.reshape(f2, [b, n, h, w, d]));
}
