/**
 * Setting a variable from host values: the one helper for the optimiser's
 * JS update, data-parallel weight transfers and restores.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Variable } from "../ops/tensor_types.ts";

/**
 * Sets a variable from host values: float32 as they are, int32 (BatchNorm's
 * batch counters) rounded to the nearest integer.
 *
 * @param v The variable.
 * @param values Its new values, in order.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../../train/backend.ts";
 * import { setWeight } from "./assign.ts";
 * await selectBackend("cpu", { quiet: true });
 * const v = tf.variable(tf.zeros([2], "int32"));
 * setWeight(v, new Float32Array([2.9999, -1]));
 * if (!((await v.data()).join() === "3,-1")) throw new Error("example check failed");
 * v.dispose();
 * ```
 */
export function setWeight(v: Variable, values: Float32Array): void {
  tf.tidy(() =>
    v.assign(
      v.dtype === "int32"
        ? tf.tensor(Int32Array.from(values, Math.round), v.shape, "int32")
        : tf.tensor(values, v.shape, "float32"),
    )
  );
}
