/**
 * An asynchronous training step for the webgpu backend in Deno.
 *
 * TF.js's webgpu backend reads data synchronously (`dataSync`) through a 2D
 * OffscreenCanvas, which Deno does not provide (`getContext("2d")` returns
 * null: "Cannot read properties of null (reading 'clearRect')"). So
 * `lib/train/step.ts`'s `trainStep`, which calls `dataSync`, cannot run on
 * webgpu in Deno. This is the same step (same loss `lossOf`, same
 * finiteness rule, same Adam) with one asynchronous read per step: the loss,
 * the number of correct predictions and the finiteness probe of the
 * gradients are read back together with `await data()`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  lossOf,
  type LossOptions,
  NonFiniteLossError,
  type StepResult,
} from "../../lib/train/step.ts";
import type { TrainableModel } from "../../lib/train/models.ts";
import type { Adam } from "../../lib/train/optimizer.ts";

/**
 * One training step with an asynchronous read-back (see the module doc).
 *
 * @throws {NonFiniteLossError} when the loss or a gradient is NaN/inf (weights unchanged).
 */
export async function trainStepAsync<I>(
  model: TrainableModel<I>,
  optimizer: Adam,
  input: I,
  labels: tf.Tensor1D,
  opts: LossOptions & { seed: number },
): Promise<StepResult> {
  const byName = model.weights();
  const names = optimizer.names();
  const vars = names.map((n) => {
    const v = byName.get(n);
    if (!v) throw new RangeError(`The optimiser's variable ${n} is not a weight of the model`);
    return v;
  });
  let correctT: tf.Scalar | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(input, { training: true, seed: opts.seed });
    correctT = tf.keep(
      tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, "int32")), "float32")),
    );
    return lossOf(logits, labels, opts);
  }, vars);
  const probe = tf.tidy(() => {
    const parts = Object.values(grads).map((g) => tf.sum(tf.mul(g, 0)));
    const finite = parts.length ? tf.addN(parts) : tf.scalar(0);
    return tf.stack([value, correctT as unknown as tf.Scalar, finite]);
  });
  try {
    const [loss, correct, finite] = (await probe.data()) as Float32Array;
    if (!Number.isFinite(loss!)) throw new NonFiniteLossError(loss!, `loss is ${loss}`);
    if (!Number.isFinite(finite!)) {
      throw new NonFiniteLossError(loss!, `a gradient is NaN or infinite (loss ${loss})`);
    }
    const byVarName = new Map<string, tf.Tensor>();
    names.forEach((n, i) => {
      const g = grads[vars[i]!.name];
      if (g) byVarName.set(n, g);
    });
    optimizer.apply(byVarName);
    return { loss: loss!, correct: correct! };
  } finally {
    probe.dispose();
    value.dispose();
    (correctT as tf.Scalar | null)?.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}
