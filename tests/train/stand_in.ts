/**
 * A throwaway stand-in classifier for the training tests while lib/model is
 * not there: mean stamp over the valid frames -> dense 16 -> ReLU -> dropout
 * -> dense C, plus one non-trainable "running statistic".
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../../lib/data/batch.ts";
import { type ModelEntry, registerModel, type TrainableModel } from "../../lib/train/models.ts";

interface Input {
  frames: tf.Tensor4D;
  bands: tf.Tensor2D;
}

class StandIn implements TrainableModel<Input> {
  readonly name = "stand-in";
  readonly numClasses: number;
  #w: Map<string, tf.Variable>;
  constructor(numClasses: number, size: number, seed: number, public nanAfter = -1) {
    this.numClasses = numClasses;
    const d = size * size;
    this.#w = new Map([
      [
        "fc.weight",
        tf.tidy(() => tf.variable(tf.randomNormal([d, numClasses], 0, 0.05, "float32", seed))),
      ],
      ["fc.bias", tf.tidy(() => tf.variable(tf.zeros([numClasses])))],
      ["stat.mean", tf.tidy(() => tf.variable(tf.zeros([1]), false))],
    ]);
  }
  calls = 0;
  apply(
    input: Input,
    opts: { training: boolean; seed?: number; mcDropout?: boolean },
  ): tf.Tensor2D {
    const [b, l, h, w] = input.frames.shape;
    // Features need no gradient: masked mean stamp [B, h*w], dropout in training / MC mode.
    const feats = tf.tidy(() => {
      const mask = tf.cast(tf.greater(input.bands, 0), "float32"); // [B, l]
      const summed = tf.sum(tf.mul(input.frames, tf.reshape(mask, [b, l, 1, 1])), 1); // [B, h, w]
      const count = tf.maximum(tf.sum(mask, 1), 1); // [B]
      let f = tf.div(tf.reshape(summed, [b, h * w]), tf.reshape(count, [b, 1])) as tf.Tensor2D;
      if (opts.training) {
        const stat = this.#w.get("stat.mean")!;
        stat.assign(tf.reshape(tf.add(tf.mul(stat, 0.9), tf.mul(tf.mean(f), 0.1)), [1]));
      }
      if (opts.training || opts.mcDropout) {
        f = tf.dropout(f, 0.3, undefined, opts.seed) as tf.Tensor2D;
      }
      return f;
    });
    const poison = opts.training && this.nanAfter >= 0 && ++this.calls > this.nanAfter;
    // Linear layer with a written-out gradient (no registered TF.js gradient needed).
    const linear = tf.customGrad((W, bias, save) => {
      // Saved tensors survive the forward tidy until the backward pass.
      (save as (t: tf.Tensor[]) => void)([feats]);
      let value = tf.add(tf.matMul(feats, W as tf.Tensor2D), bias as tf.Tensor1D) as tf.Tensor2D;
      if (poison) value = tf.mul(value, NaN) as tf.Tensor2D;
      return {
        value,
        gradFunc: (
          dy: tf.Tensor,
        ) => [tf.matMul(feats, dy as tf.Tensor2D, true, false), tf.sum(dy, 0)],
      };
    });
    // Callers run apply inside tf.tidy / variableGrads, which dispose `feats`.
    return linear(this.#w.get("fc.weight")!, this.#w.get("fc.bias")!) as tf.Tensor2D;
  }
  trainableVariables(): tf.Variable[] {
    return [...this.#w.values()].filter((v) => v.trainable);
  }
  weights(): Map<string, tf.Variable> {
    return this.#w;
  }
  paramCount(): number {
    return this.trainableVariables().reduce((s, v) => s + v.size, 0);
  }
  dispose(): void {
    for (const v of this.#w.values()) v.dispose();
  }
}

/** Registers "stand-in" (and "stand-in-nan", which returns NaN logits after `nanAfter` steps). */
export function registerStandIn(nanAfter = 3): void {
  const base: Omit<ModelEntry<Input>, "name" | "create"> = {
    label: "StandIn",
    input: "images",
    presets: ["tiny"],
    inputShape: () => ({ length: 12, size: 16 }),
    adapter: (b: Batch) => ({
      frames: tf.tensor4d(b.frames, [b.batchSize, b.length, b.height, b.width]),
      bands: tf.tensor2d(b.bands, [b.batchSize, b.length], "int32"),
    }),
    disposeInput: (i: Input) => {
      i.frames.dispose();
      i.bands.dispose();
    },
    headWeights: () => ["fc.bias"],
  };
  registerModel<Input>({
    ...base,
    name: "stand-in",
    create: (s) => new StandIn(s.numClasses, 16, s.seed),
  });
  registerModel<Input>({
    ...base,
    name: "stand-in-nan",
    create: (s) => new StandIn(s.numClasses, 16, s.seed, nanAfter),
  });
}
