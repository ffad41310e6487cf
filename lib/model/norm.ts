/**
 * BatchNorm and LayerNorm with PyTorch semantics on channels-last tensors,
 * with closed-form gradients whose reductions are blocked sums (reduce.ts),
 * so that the wasm backend's float32 accumulation stays accurate on the
 * paper's large reductions.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { customGrad } from "./conv_exact.ts";
import type { ParamStore } from "./params.ts";
import { sumLast, sumRows } from "./reduce.ts";

/** PyTorch's BatchNorm / LayerNorm epsilon. */
export const NORM_EPS = 1e-5;
/** PyTorch's BatchNorm momentum (running = (1 - m) running + m batch). */
export const BN_MOMENTUM = 0.1;

/**
 * Training-mode batch normalisation of `[n, c]` given its batch mean and
 * (biased) variance, with the closed-form gradient
 * `dx = gamma rstd / n (n dy - sum dy - xhat sum(dy xhat))`,
 * `dgamma = sum(dy xhat)`, `dbeta = sum dy` (mean and variance get no
 * gradient of their own: the formula already accounts for them).
 */
function bnCore(
  x: tf.Tensor2D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
): tf.Tensor2D {
  const n = x.shape[0];
  const f = customGrad(([xi, g, b, m, v], save) => {
    const rstd = tf.rsqrt(tf.add(v!, NORM_EPS));
    const xhat = tf.mul(tf.sub(xi!, m!), rstd);
    save([xhat, rstd, g!]);
    return {
      value: tf.add(tf.mul(xhat, g!), b!),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sr, sg] = saved as [tf.Tensor2D, tf.Tensor, tf.Tensor];
        const dbeta = sumRows(dy as tf.Tensor2D);
        const dgamma = sumRows(tf.mul(dy, sx) as tf.Tensor2D);
        const dx = tf.mul(
          tf.div(tf.mul(sg, sr), n),
          tf.sub(tf.sub(tf.mul(dy, n), dbeta), tf.mul(sx, dgamma)),
        );
        return [dx, dgamma, dbeta, tf.zerosLike(m!), tf.zerosLike(v!)];
      },
    };
  });
  return f(x, gamma, beta, mean, variance) as tf.Tensor2D;
}

/**
 * BatchNorm over the last (channel) axis, PyTorch semantics.
 *
 * Training: normalises with the batch mean and biased variance over every
 * other axis, and updates `running_mean`, `running_var` (unbiased variance)
 * with momentum 0.1 and `num_batches_tracked`. Inference: running statistics.
 *
 * @param x `[..., C]`.
 * @param p The parameter store.
 * @param prefix Module name (`cnn.0.bn`).
 * @param training Training mode.
 * @param update Update the running statistics in training mode (default true).
 */
export function batchNorm(
  x: tf.Tensor,
  p: ParamStore,
  prefix: string,
  training: boolean,
  update = true,
): tf.Tensor {
  const c = x.shape[x.shape.length - 1]!;
  const gamma = p.get(`${prefix}.weight`), beta = p.get(`${prefix}.bias`);
  const rm = p.get(`${prefix}.running_mean`), rv = p.get(`${prefix}.running_var`);
  if (!training) {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(rv, NORM_EPS)));
    const shift = tf.sub(beta, tf.mul(rm, scale));
    return tf.add(tf.mul(x, scale), shift);
  }
  const x2 = tf.reshape(x, [-1, c]) as tf.Tensor2D;
  const n = x2.shape[0];
  const mean = tf.div(sumRows(x2), n);
  const variance = tf.div(sumRows(tf.square(tf.sub(x2, mean)) as tf.Tensor2D), n);
  const y = bnCore(x2, gamma, beta, mean, variance);
  if (update) {
    const nbt = p.get(`${prefix}.num_batches_tracked`);
    tf.tidy(() => {
      const m = BN_MOMENTUM;
      const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
      rm.assign(tf.add(tf.mul(rm, 1 - m), tf.mul(mean, m)));
      rv.assign(tf.add(tf.mul(rv, 1 - m), tf.mul(unbiased, m)));
      nbt.assign(tf.add(nbt, tf.scalar(1, "int32")));
    });
  }
  return tf.reshape(y, x.shape);
}

/**
 * LayerNorm over every axis but the first (the whole per-object tensor), with
 * elementwise affine `weight`/`bias` given in the layout of `x`'s trailing
 * axes, and a closed-form gradient with blocked sums.
 *
 * @param x `[batch, ...shape]`.
 * @param weight `shape`.
 * @param bias `shape`.
 */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const b = x.shape[0]!, d = x.size / b;
  const x2 = tf.reshape(x, [b, d]) as tf.Tensor2D;
  const mean = tf.reshape(tf.div(sumLast(x2), d), [b, 1]);
  const variance = tf.reshape(
    tf.div(sumLast(tf.square(tf.sub(x2, mean)) as tf.Tensor2D), d),
    [b, 1],
  );
  const f = customGrad(([xi, w, bi, m, v], save) => {
    const rstd = tf.rsqrt(tf.add(v!, NORM_EPS)); // [b, 1]
    const xhat = tf.mul(tf.sub(xi!, m!), rstd); // [b, d]
    save([xhat, rstd, w!]);
    return {
      value: tf.add(tf.mul(xhat, w!), bi!),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sr, sw] = saved as [tf.Tensor2D, tf.Tensor, tf.Tensor];
        const g = tf.mul(dy, sw) as tf.Tensor2D; // [b, d]
        const mg = tf.reshape(tf.div(sumLast(g), d), [b, 1]);
        const mgx = tf.reshape(tf.div(sumLast(tf.mul(g, sx) as tf.Tensor2D), d), [b, 1]);
        const dx = tf.mul(sr, tf.sub(tf.sub(g, mg), tf.mul(sx, mgx)));
        const dw = tf.sum(tf.mul(dy, sx), 0); // over the batch (small)
        const db = tf.sum(dy, 0);
        return [dx, dw, db, tf.zerosLike(m!), tf.zerosLike(v!)];
      },
    };
  });
  const y = f(x2, tf.reshape(weight, [d]), tf.reshape(bias, [d]), mean, variance);
  return tf.reshape(y, x.shape);
}
