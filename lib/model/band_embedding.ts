/**
 * Band identity (paper §3.1): a learned embedding of the band id (row 0 =
 * padding) into h * w values, reshaped to an h x w image that becomes the
 * second channel of every frame. PyTorch: `nn.Embedding(rows, h * w,
 * padding_idx=0)`, state_dict name `embedding.weight`, shape `[rows, h * w]`
 * (row-major h x w images).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { stopGradient } from "./ops/conv_exact.ts";
import type { ParamStore } from "./infra/params.ts";

/** PyTorch name of the embedding table. */
export const EMBEDDING = "embedding.weight";

/** Adds `embedding.weight` `[rows, h * w]`, N(0, 1) with row 0 = 0 (PyTorch padding_idx). */
export function addBandEmbedding(p: ParamStore, rows: number, h: number, w: number): void {
  const v = p.normal(rows * h * w);
  v.fill(0, 0, h * w);
  p.add(EMBEDDING, [rows, h * w], v);
}

/**
 * The embedding table as images `[rows, h, w, 1]`. Row 0 gets no gradient
 * (as with PyTorch's padding_idx); its stored value (zero unless loaded
 * otherwise) is used as is.
 */
export function bandImages(p: ParamStore, h: number, w: number): tf.Tensor4D {
  return tf.tidy(() => {
    const e = p.get(EMBEDDING);
    const rows = e.shape[0]!;
    const pad = tf.slice(e, [0, 0], [1, h * w]);
    const rest = tf.slice(e, [1, 0], [rows - 1, h * w]);
    return tf.reshape(tf.concat([stopGradient(pad), rest], 0), [rows, h, w, 1]) as tf.Tensor4D;
  });
}

/**
 * One-hot band ids per group and time, `[g, G, rows]` (float32), for the
 * embedding part of the first convolution.
 *
 * @param bands `[batch, l]` int32 band ids.
 * @param group Frames per group g.
 * @param rows Embedding rows; ids outside 0..rows-1 give an all-zero row.
 */
export function bandOneHot(bands: tf.Tensor2D, group: number, rows: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, l] = bands.shape;
    const g2 = tf.transpose(tf.reshape(bands, [b * l / group, group]), [1, 0]) as tf.Tensor2D;
    return tf.oneHot(tf.cast(g2, "int32") as tf.Tensor2D, rows) as tf.Tensor3D;
  });
}
