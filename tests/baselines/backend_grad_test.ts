/** Gradients of every parameter of the baseline CNNs and the transformer: wasm matches cpu. */
import * as tf from "@tensorflow/tfjs-core";
import { assert } from "../util/assert.ts";
import { useBackend } from "./tf_setup.ts";
import type { Classifier, ModelInput } from "../../lib/baselines/types.ts";
import { createCnnGru } from "../../lib/baselines/cnn_gru.ts";
import { Scone, SCONE_PRESETS } from "../../lib/baselines/scone.ts";
import { SitsBert, sitsBertConfig } from "../../lib/baselines/sits_bert.ts";
import { lossOf } from "../../lib/model/ops/loss.ts";
import { Rng } from "../../lib/util/rng.ts";

function randomInput(shape: [number, number, number, number], maskEvery: number): ModelInput {
  const rng = new Rng(8);
  const n = shape.reduce((a, b) => a * b, 1);
  const [b, l] = shape;
  return {
    frames: tf.tensor4d(Float32Array.from({ length: n }, () => rng.normal()), shape),
    bands: tf.tensor2d(
      Int32Array.from({ length: b * l }, (_, i) => (i % maskEvery === 0 ? 0 : 1 + (i % 3))),
      [b, l],
      "int32",
    ),
  };
}

const CASES: { name: string; make: () => Classifier; shape: [number, number, number, number] }[] = [
  { name: "cnn-gru", make: () => createCnnGru("tiny", 3, 4, 2), shape: [3, 5, 8, 8] },
  {
    name: "scone",
    make: () => new Scone({ ...SCONE_PRESETS.tiny, numClasses: 4 }, 2),
    shape: [3, 2, 8, 16],
  },
  {
    name: "sits-bert",
    make: () =>
      new SitsBert(
        sitsBertConfig({
          featureCount: 4,
          maxEpochs: 6,
          dModel: 8,
          heads: 2,
          layers: 1,
          ffHidden: 8,
        }),
        2,
      ),
    shape: [3, 6, 1, 5],
  },
];

for (const c of CASES) {
  Deno.test(`${c.name}: every parameter gradient on wasm matches cpu`, async () => {
    const grads: Float32Array[][] = [];
    for (const backend of ["cpu", "wasm"] as const) {
      await useBackend(backend);
      const model = c.make();
      const input = randomInput(c.shape, 4);
      const y = tf.tensor1d([0, 1, 3], "int32");
      const { grads: g } = tf.variableGrads(
        () => lossOf(model.apply(input, { training: true, seed: 4 }), y, { loss: "cross-entropy" }),
        model.trainableVariables(),
      );
      grads.push(model.trainableVariables().map((v) => g[v.name]!.dataSync() as Float32Array));
      tf.dispose([input.frames, input.bands, y, ...Object.values(g)]);
      model.dispose();
    }
    const [a, b] = grads as [Float32Array[], Float32Array[]];
    for (let i = 0; i < a.length; i++) {
      let scale = 0, diff = 0;
      for (let k = 0; k < a[i]!.length; k++) {
        scale = Math.max(scale, Math.abs(a[i]![k]!));
        diff = Math.max(diff, Math.abs(a[i]![k]! - b[i]![k]!));
      }
      assert(
        diff <= 1e-4 * Math.max(scale, 1e-6),
        `${c.name} parameter ${i}: ${diff} (max ${scale})`,
      );
    }
  });
}
