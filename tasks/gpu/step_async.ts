/**
 * An asynchronous training step for the webgpu backend in Deno.
 *
 * TF.js's webgpu backend reads data synchronously (`dataSync`) through a 2D
 * OffscreenCanvas, which Deno does not provide (`getContext("2d")` returns
 * null: "Cannot read properties of null (reading 'clearRect')"). So
 * `lib/train/step.ts`'s `trainStep`, which calls `dataSync`, cannot run on
 * webgpu in Deno. This is the same step (same loss `lossOf`, same
 * finiteness rule, same Adam) with asynchronous reads: the loss, the number
 * of correct predictions and the finiteness probe of the gradients are read
 * back with `await data()`, awaited together; and the finiteness probe adds
 * the per-gradient sums with `tf.add`, not `tf.addN` (broken on webgpu for 8
 * or more inputs, and it corrupts the neighbouring commands).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { lossOf, type LossOptions, type StepResult } from "../../lib/train/step.ts";
import { NonFiniteLossError } from "../../lib/model/errors.ts";
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
  // sum(g * 0) is NaN when any gradient value is NaN or infinite. Summed with a chain of
  // tf.add, not tf.addN: on webgpu, tf.addN of 8 or more tensors exceeds the device's 8
  // storage buffers per shader stage (TF.js asks for no more) and silently returns a stale
  // buffer, and the invalid dispatch makes the other commands of its batch be dropped too,
  // so the training step itself goes wrong (see docs/gpu.md).
  const finiteT = tf.tidy(() =>
    Object.values(grads)
      .map((g) => tf.sum(tf.mul(g, 0)))
      .reduce((a, b) => tf.add(a, b), tf.scalar(0))
  );
  try {
    // Three reads awaited together (one wait for the GPU).
    const [lossA, correctA, finiteA] = await Promise.all([
      value.data(),
      (correctT as unknown as tf.Scalar).data(),
      finiteT.data(),
    ]);
    const loss = lossA[0]!, correct = correctA[0]!, finite = finiteA[0]!;
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss);
    if (!Number.isFinite(finite)) {
      throw new NonFiniteLossError(finite, {
        hint: `a gradient is NaN or infinite (loss ${loss})`,
      });
    }
    const byVarName = new Map<string, tf.Tensor>();
    names.forEach((n, i) => {
      const g = grads[vars[i]!.name];
      if (g) byVarName.set(n, g);
    });
    optimizer.apply(byVarName);
    return { loss, correct };
  } finally {
    finiteT.dispose();
    value.dispose();
    (correctT as tf.Scalar | null)?.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}
