/**
 * The model as the GPU check uses it. TEMPORARY stand-in until lib/model
 * (issue 10) lands: a small conv + max-over-time classifier with the same
 * interface, so that the pack/run/rehearse path can be exercised end to end.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import type { TrainableModel } from "../../lib/train/models.ts";
import type { RawInput } from "./inputs.ts";

/** Where the model comes from (recorded in the JSON). */
export const MODEL_SOURCE = "STAND-IN (tasks/gpu/model_api.ts), not ConvEntion";

/** Model input tensors. */
export interface CheckInput {
  frames: tf.Tensor4D;
  bands: tf.Tensor2D;
}

/** A model with its input shape. */
export interface CheckModel {
  model: TrainableModel<CheckInput>;
  length: number;
  size: number;
}

/** Input shape and parameter count of a preset. */
export function presetShape(preset: string): { length: number; size: number; paramCount: number } {
  const m = createCheckModel(preset, 1);
  const r = { length: m.length, size: m.size, paramCount: m.model.paramCount() };
  m.model.dispose();
  return r;
}

/** Makes sure every op gradient is registered (done by the import above). */
export function registerGradients(): void {}

/** Creates the preset's model, seeded. */
export function createCheckModel(preset: string, seed: number): CheckModel {
  const length = preset === "paper" ? 99 : 12;
  const size = preset === "paper" ? 32 : 16;
  const ch = preset === "paper" ? 64 : 8;
  const px = size * size;
  const w = new Map<string, tf.Variable>();
  const v = (name: string, t: tf.Tensor) => w.set(name, tf.variable(t, true));
  v("emb", tf.randomNormal([6, px], 0, 0.1, "float32", seed));
  v("k1", tf.randomNormal([3, 3, 2, ch], 0, 0.3, "float32", seed + 1));
  v("b1", tf.zeros([ch]));
  v("w2", tf.randomNormal([ch, 4], 0, 0.3, "float32", seed + 2));
  v("b2", tf.zeros([4]));
  const model: TrainableModel<CheckInput> = {
    name: "stand-in",
    numClasses: 4,
    apply(input: CheckInput): tf.Tensor2D {
      return tf.tidy(() => {
        const [b, l, h, ww] = input.frames.shape;
        const e = tf.reshape(tf.gather(w.get("emb")!, tf.reshape(input.bands, [-1])), [
          b * l,
          h,
          ww,
          1,
        ]);
        const x = tf.concat([tf.reshape(input.frames, [b * l, h, ww, 1]), e], 3) as tf.Tensor4D;
        const y = tf.relu(
          tf.add(tf.conv2d(x, w.get("k1")! as tf.Tensor4D, 1, "same"), w.get("b1")!),
        );
        const pooled = tf.reshape(tf.mean(y, [1, 2]), [b, l, -1]);
        const z = tf.max(pooled, 1) as tf.Tensor2D;
        return tf.add(tf.matMul(z, w.get("w2")! as tf.Tensor2D), w.get("b2")!) as tf.Tensor2D;
      });
    },
    trainableVariables: () => [...w.values()],
    weights: () => w,
    paramCount: () => [...w.values()].reduce((s, x) => s + x.size, 0),
    dispose: () => {
      for (const x of w.values()) x.dispose();
    },
  };
  return { model, length, size };
}

/** Tensors of a raw input (the caller disposes them). */
export function inputTensors(raw: RawInput): CheckInput {
  return {
    frames: tf.tensor4d(raw.frames, [raw.batch, raw.length, raw.size, raw.size]),
    bands: tf.tensor2d(raw.bands, [raw.batch, raw.length], "int32"),
  };
}
