import * as tf from "@tensorflow/tfjs-core";
import { assert } from "../util/assert.ts";
import { useBackend } from "./tf_setup.ts";
import { ParamStore } from "../../lib/model/infra/params.ts";
import { defineRnn, type RnnSpec, runRnn } from "../../lib/baselines/recurrent.ts";

interface RefTensor {
  shape: number[];
  data: number[];
}
const ref = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/baselines/rnn_reference.json", import.meta.url)),
) as {
  input: RefTensor;
  lengths: number[];
  hidden: number;
  lstm: { weights: Record<string, RefTensor>; outputs: number[]; last: number[] };
  gru: { weights: Record<string, RefTensor>; outputs: number[]; last: number[] };
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert(a.length === b.length, `lengths ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

for (const backend of ["cpu", "wasm"] as const) {
  for (const cell of ["lstm", "gru"] as const) {
    Deno.test(`${cell} on ${backend} matches PyTorch (2 layers, bidirectional, packed lengths)`, async () => {
      await useBackend(backend);
      const [b, t, f] = ref.input.shape as [number, number, number];
      const spec: RnnSpec = {
        cell,
        inputSize: f,
        hiddenSize: ref.hidden,
        layers: 2,
        bidirectional: true,
      };
      const p = new ParamStore(1);
      defineRnn(p, "rnn", spec);
      for (const [name, v] of p.weights()) {
        const w = ref[cell].weights[name.slice(4)];
        assert(w !== undefined, `no reference weight ${name}`);
        v.assign(tf.tensor(w.data, w.shape));
      }
      const x = tf.tensor3d(ref.input.data, [b, t, f]);
      const mask = tf.tensor2d(
        ref.lengths.flatMap((n) => Array.from({ length: t }, (_, i) => (i < n ? 1 : 0))),
        [b, t],
      );
      const r = runRnn(p, "rnn", spec, x, mask, { training: false, seed: 0 });
      const dOut = maxAbsDiff(r.outputs.dataSync(), ref[cell].outputs);
      const dLast = maxAbsDiff(r.last.dataSync(), ref[cell].last);
      assert(dOut < 1e-5 && dLast < 1e-5, `outputs ${dOut}, last ${dLast}`);
      tf.dispose([x, mask, r.outputs, r.last]);
      p.dispose();
    });
  }
}

Deno.test("recurrent gradients on wasm match cpu", async () => {
  const grads: Record<string, Float32Array[]> = {};
  for (const backend of ["cpu", "wasm"] as const) {
    await useBackend(backend);
    for (const cell of ["lstm", "gru"] as const) {
      const spec: RnnSpec = { cell, inputSize: 4, hiddenSize: 5, layers: 2, bidirectional: true };
      const p = new ParamStore(11);
      defineRnn(p, "rnn", spec);
      const x = tf.randomNormal([3, 6, 4], 0, 1, "float32", 5) as tf.Tensor3D;
      const mask = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0], [3, 6]);
      const { grads: g } = tf.variableGrads(() => {
        const r = runRnn(p, "rnn", spec, x, mask, {
          training: true,
          seed: 9,
          dropout: { input: 0.2, recurrent: 0.2 },
        });
        return tf.add(tf.sum(tf.square(r.outputs)), tf.sum(r.last)) as tf.Scalar;
      }, p.trainable());
      grads[`${backend}-${cell}`] = p.trainable().map((v) => g[v.name]!.dataSync() as Float32Array);
      tf.dispose([x, mask, ...Object.values(g)]);
      p.dispose();
    }
  }
  for (const cell of ["lstm", "gru"]) {
    const a = grads[`cpu-${cell}`]!, b = grads[`wasm-${cell}`]!;
    for (let i = 0; i < a.length; i++) {
      let scale = 0;
      for (const v of a[i]!) scale = Math.max(scale, Math.abs(v));
      const d = maxAbsDiff(a[i]!, b[i]!);
      assert(d <= 1e-4 * Math.max(scale, 1e-6), `${cell} gradient ${i}: ${d} (scale ${scale})`);
    }
  }
});
