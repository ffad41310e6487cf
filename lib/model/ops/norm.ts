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
import { sumLast, sumRows } from "./reduce.ts";

/** PyTorch's BatchNorm / LayerNorm epsilon. */
export const NORM_EPS = 1e-5;
/** PyTorch's BatchNorm momentum (running = (1 - m) running + m batch). */
export const BN_MOMENTUM = 0.1;

/**
 * The named parameters a norm reads (and, for BatchNorm's running statistics,
 * assigns); `ParamStore` (lib/model/infra/params.ts) is one.
 */
export interface NamedVariables {
  /** The variable of a PyTorch `state_dict` name. */
  get(name: string): tf.Variable;
}

/** Where the ReLU sits around a BatchNorm. */
export type BnOrder = "bn-relu" | "relu-bn";

function runningUpdate(
  p: NamedVariables,
  prefix: string,
  mean: tf.Tensor,
  variance: tf.Tensor,
  n: number,
): void {
  const rm = p.get(`${prefix}.running_mean`), rv = p.get(`${prefix}.running_var`);
  const nbt = p.get(`${prefix}.num_batches_tracked`);
  tf.tidy(() => {
    const m = BN_MOMENTUM;
    const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
    rm.assign(tf.add(tf.mul(rm, 1 - m), tf.mul(mean, m)));
    rv.assign(tf.add(tf.mul(rv, 1 - m), tf.mul(unbiased, m)));
    nbt.assign(tf.add(nbt, tf.scalar(1, "int32")));
  });
}

/**
 * Bias, BatchNorm and ReLU of a convolution's output in one operation, PyTorch
 * semantics: `bn-relu` is `relu(BN(z + b))` (the 3D-CNN), `relu-bn` is
 * `BN(relu(z + b))` (the feed-forward).
 *
 * Training mode: BatchNorm with the batch mean and biased variance over every
 * axis but the channels (blocked sums), running statistics updated (unbiased
 * variance, momentum 0.1); one custom gradient that keeps only `z` and the
 * per-channel statistics and recomputes the normalised values in the
 * backward pass (closed form: `dx = gamma rstd / n (n dy - sum dy - xhat
 * sum(dy xhat))`), instead of the half-dozen full-size intermediates that
 * automatic differentiation would keep. Inference: running statistics.
 *
 * @param z `[..., C]` convolution output without bias.
 * @param p Parameters.
 * @param conv Convolution module name (for `.bias`), e.g. `cnn.0.conv`.
 * @param bn BatchNorm module name, e.g. `cnn.0.bn`.
 * @param order Where the ReLU is.
 * @param training Training mode.
 * @param update Update the running statistics (training mode).
 */
export function biasNormRelu(
  z: tf.Tensor,
  p: NamedVariables,
  conv: string,
  bn: string,
  order: BnOrder,
  training: boolean,
  update = training,
): tf.Tensor {
  const c = z.shape[z.shape.length - 1]!;
  const bias = p.get(`${conv}.bias`);
  const gamma = p.get(`${bn}.weight`), beta = p.get(`${bn}.bias`);
  const z2 = tf.reshape(z, [-1, c]) as tf.Tensor2D;
  const n = z2.shape[0];
  if (!training) {
    const rm = p.get(`${bn}.running_mean`), rv = p.get(`${bn}.running_var`);
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(rv, NORM_EPS)));
    const shift = tf.sub(beta, tf.mul(rm, scale));
    const a = tf.add(z2, bias);
    const y = order === "relu-bn"
      ? tf.add(tf.mul(tf.relu(a), scale), shift)
      : tf.relu(tf.add(tf.mul(a, scale), shift));
    return tf.reshape(y, z.shape);
  }
  const f = customGrad(([zi, bi, g, be], save) => {
    const a = tf.add(zi!, bi!);
    const x = order === "relu-bn" ? tf.relu(a) : a;
    const mean = tf.div(sumRows(x as tf.Tensor2D), n);
    const variance = tf.div(sumRows(tf.square(tf.sub(x, mean)) as tf.Tensor2D), n);
    const rstd = tf.rsqrt(tf.add(variance, NORM_EPS));
    const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), rstd), g!), be!);
    if (update) runningUpdate(p, bn, mean, variance, n);
    save([zi!, bi!, mean, rstd, g!, be!]);
    return {
      value: order === "bn-relu" ? tf.relu(y) : y,
      gradFunc: (dout: tf.Tensor, saved: tf.Tensor[]) => {
        const [sz, sb, sm, sr, sg, sbe] = saved as tf.Tensor[];
        const a2 = tf.add(sz!, sb!);
        const x2 = order === "relu-bn" ? tf.relu(a2) : a2;
        const xhat = tf.mul(tf.sub(x2, sm!), sr!);
        const dy = order === "bn-relu"
          ? tf.mul(dout, tf.step(tf.add(tf.mul(xhat, sg!), sbe!)))
          : dout;
        const dbeta = sumRows(dy as tf.Tensor2D);
        const dgamma = sumRows(tf.mul(dy, xhat) as tf.Tensor2D);
        const dx = tf.mul(
          tf.div(tf.mul(sg!, sr!), n),
          tf.sub(tf.sub(tf.mul(dy, n), dbeta), tf.mul(xhat, dgamma)),
        );
        const da = order === "relu-bn" ? tf.mul(dx, tf.step(a2)) : dx;
        return [da, sumRows(da as tf.Tensor2D), dgamma, dbeta];
      },
    };
  });
  return tf.reshape(f(z2, bias, gamma, beta), z.shape);
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
