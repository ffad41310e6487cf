/**
 * Positional encoding (paper §3.3, eq. 1-2): a fixed sinusoid of the token
 * index i in 0..n-1 and the channel k in 0..d-1, angle = i / 10000^(2 floor(k/2) / d),
 * sin on even k, cos on odd k, broadcast over the h' x w' pixels and added
 * once to the 3D-CNN's tokens. No parameters.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** The encoding as a `[n, d]` array (row i = token i). */
export function positionalTable(n: number, d: number): Float32Array {
  const pe = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const angle = i / Math.pow(10000, (2 * Math.floor(k / 2)) / d);
      pe[i * d + k] = k % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return pe;
}

/**
 * Adds the encoding to tokens `[batch, n, h', w', d]`.
 *
 * @param x Tokens, channels last.
 */
export function addPositionalEncoding(x: tf.Tensor): tf.Tensor {
  const [, n, , , d] = x.shape as [number, number, number, number, number];
  return tf.add(x, tf.tensor(positionalTable(n, d), [1, n, 1, 1, d]));
}
