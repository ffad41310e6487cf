/**
 * The factorised attention M(Q_i) + W*K_j (2n convolutions) equals the
 * authors' n^2 form M(Q_i + K_j): outputs and every gradient.
 */
import * as tf from "@tensorflow/tfjs-core";
import { convAttention, convAttentionNaive } from "../../lib/model/conv_attention.ts";
import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import { ParamStore } from "../../lib/model/infra/params.ts";
import { addConvAttention } from "../../lib/model/conv_attention.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert } from "../util/assert.ts";
import { absMaxDiff } from "./reference.ts";

Deno.test("attention: factorised = naive n^2 form, outputs and gradients (max abs diff <= 1e-5)", async () => {
  await selectBackend("wasm", { quiet: true });
  const spec = { d: 8, heads: 4, attnKernel: 5, outKernel: 3 };
  const p = new ParamStore(3);
  addConvAttention(p, "attn", spec);
  // b = 2 objects, n = 7 tokens of [6, 6, 8]
  const y = tf.randomNormal([2, 7, 6, 6, 8], 0, 1, "float32", 5);
  const g = tf.randomNormal([2, 7, 6, 6, 8], 0, 1, "float32", 6);
  const vars = p.trainable();
  const run = (naive: boolean) => {
    const f = naive ? convAttentionNaive : convAttention;
    return tf.variableGrads(() => tf.sum(tf.mul(f(y, p, "attn", spec), g)), vars);
  };
  const out = [convAttention(y, p, "attn", spec), convAttentionNaive(y, p, "attn", spec)];
  const dOut = absMaxDiff(await out[0]!.data(), await out[1]!.data());
  assert(dOut <= 1e-5, `outputs differ by ${dOut}`);
  const a = run(false), b = run(true);
  for (const v of vars) {
    const d = absMaxDiff(await a.grads[v.name]!.data(), await b.grads[v.name]!.data());
    assert(d <= 1e-5, `gradient of ${v.name} differs by ${d}`);
  }
  // and with respect to the input tokens
  const gy = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(convAttention(t, p, "attn", spec), g)))([
    y,
  ])[0]!;
  const gyn = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(convAttentionNaive(t, p, "attn", spec), g)))(
    [y],
  )[0]!;
  const dy = absMaxDiff(await gy.data(), await gyn.data());
  assert(dy <= 1e-5, `input gradient differs by ${dy}`);
  tf.dispose([
    y,
    g,
    gy,
    gyn,
    ...out,
    a.value,
    b.value,
    ...Object.values(a.grads),
    ...Object.values(b.grads),
  ]);
  p.dispose();
});

Deno.test("attention: the whole tiny model gives the same logits with either form", async () => {
  await selectBackend("wasm", { quiet: true });
  const m = createConvEntion(PRESETS.tiny, 4);
  const frames = tf.randomNormal([2, 12, 12, 12], 0, 1, "float32", 1) as tf.Tensor4D;
  const bands = tf.tensor2d([...Array(24)].map((_, i) => 1 + (i % 5)), [2, 12], "int32");
  const a = m.apply({ frames, bands }, { training: false });
  const b = m.apply({ frames, bands }, { training: false, naiveAttention: true });
  const d = absMaxDiff(await a.data(), await b.data());
  tf.dispose([a, b, frames, bands]);
  m.dispose();
  assert(d <= 1e-5, `logits differ by ${d}`);
});
