/**
 * The fused Adam update on webgpu (kernels in `adam_fused.ts`): gradients and
 * parameters concatenated into flat tensors, the two fused kernels, the new
 * parameters sliced back into their variables. The moments stay flat between
 * steps (`[m ; v]`, owned by the caller).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { AdamMomentsProgram, AdamParamsProgram } from "./adam_fused.ts";

/** Per-step scalars of the update. */
export interface AdamScalars {
  beta1: number;
  beta2: number;
  /** `1 - lr * weightDecay`. */
  decay: number;
  /** `lr / (1 - beta1^t)`. */
  stepSize: number;
  /** `sqrt(1 - beta2^t)`. */
  sqrtBc2: number;
  epsilon: number;
}

const f32 = (data: number[]) => ({ type: "float32", data });

/**
 * One fused step: returns the new flat moments (the caller disposes the old)
 * and assigns every variable its new value.
 *
 * @param vars Variables in flat order.
 * @param grads Their gradients, same order.
 * @param moments `[2 * total]` flat `[m ; v]`.
 */
export function fusedAdamStep(
  vars: tf.Variable[],
  grads: tf.Tensor[],
  moments: tf.Tensor1D,
  s: AdamScalars,
): tf.Tensor1D {
  const b = tf.backend() as unknown as WebGPUBackend;
  const total = moments.size / 2;
  return tf.tidy(() => {
    const g = tf.concat(grads.map((x) => tf.reshape(x, [-1])));
    const p = tf.concat(vars.map((x) => tf.reshape(x, [-1])));
    const sInfo = b.runWebGPUProgram(
      new AdamMomentsProgram(total),
      [moments, g],
      "float32",
      [f32([s.beta1]), f32([s.beta2]), f32([1 - s.beta1]), f32([1 - s.beta2])],
    );
    const sNew = tf.engine().makeTensorFromTensorInfo(sInfo) as tf.Tensor1D;
    const pInfo = b.runWebGPUProgram(
      new AdamParamsProgram(total),
      [p, sNew],
      "float32",
      [f32([s.decay]), f32([s.stepSize]), f32([s.sqrtBc2]), f32([s.epsilon])],
    );
    const pNew = tf.engine().makeTensorFromTensorInfo(pInfo);
    let off = 0;
    for (const v of vars) {
      v.assign(tf.reshape(tf.slice(pNew, [off], [v.size]), v.shape));
      off += v.size;
    }
    return tf.keep(sNew);
  });
}
