/**
 * The architecture and weight layout match PyTorch: fixtures written by
 * fixtures/model/make_fixtures.py (the reference module tasks/pytorch/convention_ref.py,
 * float64) are loaded into our model.
 */
import * as tf from "@tensorflow/tfjs-core";
import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import {
  decodeSafetensors,
  loadWeights,
  toFloat32,
  toInt32,
} from "../../lib/model/infra/safetensors.ts";
import { lossOf } from "../../lib/model/ops/loss.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert, assertEquals } from "../util/assert.ts";
import { absMaxDiff, relMaxDiff } from "./reference.ts";

const WEIGHTS = "fixtures/model/tiny_weights.safetensors";
const io = decodeSafetensors(await Deno.readFile("fixtures/model/tiny_io.safetensors")).tensors;
const get = (k: string) => {
  const t = io.get(k);
  if (!t) throw new Error(`fixture has no ${k}`);
  return t;
};

function batch() {
  const f = get("frames"), b = get("bands");
  return {
    frames: tf.tensor4d(toFloat32(f), f.shape as [number, number, number, number]),
    bands: tf.tensor2d(toInt32(b), b.shape as [number, number], "int32"),
  };
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`pytorch cross-check (${backend}): inference logits match within 1e-4`, async () => {
    await selectBackend(backend, { quiet: true });
    const { metadata } = decodeSafetensors(await Deno.readFile(WEIGHTS));
    assertEquals(JSON.parse(metadata.config!), JSON.parse(JSON.stringify(PRESETS.tiny)));
    const model = createConvEntion("tiny", 99);
    await loadWeights(model, WEIGHTS);
    const input = batch();
    const logits = model.apply(input, { training: false });
    const d = absMaxDiff(await logits.data(), toFloat32(get("logits_eval")));
    tf.dispose([logits, input.frames, input.bands]);
    model.dispose();
    assert(d <= 1e-4, `max |logits - torch| = ${d}`);
  });

  Deno.test(`pytorch cross-check (${backend}): training-mode loss, every gradient and BatchNorm statistics`, async () => {
    await selectBackend(backend, { quiet: true });
    const model = createConvEntion({ ...PRESETS.tiny, dropout: 0 }, 99);
    await loadWeights(model, WEIGHTS);
    const input = batch();
    const l = get("labels");
    const labels = tf.tensor1d(toInt32(l), "int32");
    let logitsT: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const z = model.apply(input, { training: true, seed: 1 });
      logitsT = tf.keep(z);
      return lossOf(z, labels);
    }, model.trainableVariables());
    const loss = (await value.data())[0]!;
    // Training-mode BatchNorm over a batch of 3 objects amplifies float32
    // rounding: compare relative to the largest logit.
    const dz = relMaxDiff(await logitsT!.data(), toFloat32(get("logits_train")));
    assert(dz <= 1e-4, `training logits differ by ${dz} (relative)`);
    assert(Math.abs(loss - toFloat32(get("loss_train"))[0]!) <= 1e-4, `loss ${loss}`);
    const worst: string[] = [];
    for (const [name, v] of model.weights()) {
      if (!v.trainable) continue;
      const g = grads[v.name];
      assert(g, `no gradient for ${name}`);
      const ours = await g.data(), ref = toFloat32(get(`grad.${name}`));
      // The biases of convolutions followed by training-mode BatchNorm, and
      // M's bias (softmax over j ignores a constant), have an exactly zero
      // gradient; there only float32 noise is compared, absolutely.
      const zero = Math.max(...ref.map(Math.abs)) < 1e-9;
      const e = zero ? absMaxDiff(ours, ref) : relMaxDiff(ours, ref);
      if (!(e <= (zero ? 1e-5 : 1e-4))) worst.push(`${name}: ${e}`);
      if (Deno.env.get("SHOW")) console.log(name, e, zero);
    }
    assert(worst.length === 0, `gradients differ from PyTorch: ${worst.join("; ")}`);
    for (const [name, v] of model.weights()) {
      if (!/running_(mean|var)$/.test(name)) continue;
      const e = relMaxDiff(await v.data(), toFloat32(get(`after.${name}`)));
      assert(e <= 1e-5, `${name} after the training forward differs by ${e}`);
    }
    tf.dispose([value, logitsT!, labels, input.frames, input.bands, ...Object.values(grads)]);
    model.dispose();
  });
}
