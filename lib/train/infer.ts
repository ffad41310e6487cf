/**
 * Inference over loader batches: logits per object in inference mode (or
 * with dropout on, for Monte-Carlo dropout), and the softmax helpers used by
 * validation, evaluation and prediction.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../data/batch.ts";
import type { ModelEntry, TrainableModel } from "./models.ts";

/**
 * Logits `[batchSize, C]` (row-major) of one batch, inference mode, read back
 * asynchronously (works on every backend, webgpu included).
 */
export async function batchLogits<I>(
  entry: ModelEntry<I>,
  model: TrainableModel<I>,
  batch: Batch,
): Promise<Float32Array> {
  const input = entry.adapter(batch);
  try {
    const logits = tf.tidy(() => model.apply(input, { training: false })); // [B, C]
    try {
      return await logits.data() as Float32Array;
    } finally {
      logits.dispose();
    }
  } finally {
    entry.disposeInput(input);
  }
}

/** Softmax of each row of a row-major `[n, c]` array, in float64. */
export function softmaxRows(logits: ArrayLike<number>, c: number): Float64Array {
  const n = logits.length / c;
  const out = new Float64Array(logits.length);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let k = 0; k < c; k++) mx = Math.max(mx, logits[i * c + k]!);
    let s = 0;
    for (let k = 0; k < c; k++) s += out[i * c + k] = Math.exp(logits[i * c + k]! - mx);
    for (let k = 0; k < c; k++) out[i * c + k]! /= s;
  }
  return out;
}

/** Cross-entropy of row `i` of row-major logits for class `y` (log-sum-exp, float64). */
export function rowCrossEntropy(
  logits: ArrayLike<number>,
  c: number,
  i: number,
  y: number,
): number {
  let mx = -Infinity;
  for (let k = 0; k < c; k++) mx = Math.max(mx, logits[i * c + k]!);
  let s = 0;
  for (let k = 0; k < c; k++) s += Math.exp(logits[i * c + k]! - mx);
  return mx + Math.log(s) - logits[i * c + y]!;
}

/** Argmax of row `i` of a row-major `[n, c]` array (first on ties). */
export function rowArgmax(values: ArrayLike<number>, c: number, i: number): number {
  let best = 0;
  for (let k = 1; k < c; k++) if (values[i * c + k]! > values[i * c + best]!) best = k;
  return best;
}
