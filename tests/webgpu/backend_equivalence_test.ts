/**
 * Backend equivalence: on a small config, the training loss and every
 * parameter gradient computed on wasm and on webgpu match the cpu backend
 * within 1e-4 relative to each tensor's largest magnitude.
 *
 * webgpu here is the software adapter (llvmpipe over GL), whose shader loops
 * stop silently past 65,535 iterations (Mesa's loop limit): every reduction
 * of this test stays far below that (the largest, the kernel gradient of the
 * first convolution, reduces over batch x time x 6 x 6 = 432 products; the
 * largest BatchNorm over 864 values), so a mismatch here is a real kernel
 * error, not that limit. A real GPU has no such limit (tasks/gpu checks it).
 */
import * as tf from "@tensorflow/tfjs-core";
import { unstack0 } from "../../lib/model/ops/layout.ts";
import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import { lossOf } from "../../lib/model/ops/loss.ts";
import { Adam } from "../../lib/model/infra/optimizer.ts";
import { trainableWeights, trainStep } from "../../lib/model/infra/train_step.ts";
import { probeWebGpu, selectBackend } from "../../lib/train/backend.ts";
import { assert } from "../util/assert.ts";
import { relMaxDiff } from "../model/reference.ts";
import { compareTensors } from "../../tasks/bench/shared.ts";

// The tiny preset: the paper's structure with a strided, padded first conv3d.
const CONFIG = PRESETS.tiny;

type Result = { loss: number; grads: Map<string, Float32Array>; logits: Float32Array };

async function run(backend: "cpu" | "wasm" | "webgpu"): Promise<Result> {
  await selectBackend(backend, { quiet: true });
  const t0 = performance.now();
  const model = createConvEntion(CONFIG, 5);
  const c = model.config;
  const b = 2;
  const rnd = Float32Array.from(
    { length: b * c.length * c.stamp * c.stamp },
    (_, i) => Math.sin(i * 0.37) * 2,
  );
  const frames = tf.tensor4d(rnd, [b, c.length, c.stamp, c.stamp]);
  const bands = tf.tensor2d(
    [...Array(b * c.length)].map((_, i) => (i % 12 > 9 ? 0 : 1 + (i % 5))),
    [b, c.length],
    "int32",
  );
  const labels = tf.tensor1d([1, 3], "int32");
  let logitsT: tf.Tensor | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const z = model.apply({ frames, bands }, { training: true, seed: 42 });
    logitsT = tf.keep(z);
    return lossOf(z, labels);
  }, model.trainableVariables());
  const out: Result = {
    loss: (await value.data())[0]!,
    grads: new Map(),
    logits: (await logitsT!.data()) as Float32Array,
  };
  for (const [name, v] of model.weights()) {
    if (v.trainable) out.grads.set(name, (await grads[v.name]!.data()) as Float32Array);
  }
  tf.dispose([value, logitsT!, frames, bands, labels, ...Object.values(grads)]);
  model.dispose();
  if (Deno.env.get("SHOW")) console.log(backend, (performance.now() - t0).toFixed(0), "ms");
  return out;
}

/** The project's rule (`compareTensors`): loss and every gradient within 1e-4 of cpu's. */
function compare(name: string, got: Result, ref: Result): void {
  const bad: string[] = [];
  const dl = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
  if (!(dl <= 1e-4)) bad.push(`loss ${got.loss} vs ${ref.loss}`);
  for (const [k, g] of ref.grads) {
    // Biases of convolutions followed by training-mode BatchNorm and M's bias
    // (softmax over j ignores a constant) have an exactly zero gradient: both
    // backends must give float32 noise only (below 1e-6), which the rule checks.
    const c = compareTensors(got.grads.get(k) ?? [], g, 1e-4);
    if (!c.ok) bad.push(`${k}: ${c.exactZero ? "not zero" : c.relErr.toExponential(2)}`);
  }
  assert(bad.length === 0, `${name} differs from cpu: ${bad.join("; ")}`);
}

const cpu = await run("cpu");

Deno.test("backend equivalence: wasm loss and every gradient match cpu (1e-4 relative)", async () => {
  compare("wasm", await run("wasm"), cpu);
});

const gpu = await probeWebGpu();
Deno.test({
  name: "backend equivalence: webgpu loss and every gradient match cpu (1e-4 relative)",
  ignore: !gpu.any,
  fn: async () => {
    compare("webgpu", await run("webgpu"), cpu);
  },
});

Deno.test({
  name:
    "backend equivalence: slices of rank-5 tensors get right gradients on webgpu (PadV2 is wrong at rank 5)",
  ignore: !gpu.any,
  fn: async () => {
    // TF.js 4.22's webgpu PadV2 pads rank-5 tensors wrongly (values moved),
    // so the gradient of a rank-5 slice is wrong; unstack0 slices a 2D view.
    const data = Float32Array.from({ length: 3 * 2 * 3 * 4 * 2 }, (_, i) => Math.sin(i));
    const weights = Float32Array.from({ length: 2 * 3 * 4 * 2 }, (_, i) => i + 1);
    const grad = async (backend: "cpu" | "webgpu") => {
      await selectBackend(backend, { quiet: true });
      const x = tf.tensor(data, [3, 2, 3, 4, 2]);
      const w = tf.tensor(weights, [2, 3, 4, 2]);
      const g = tf.grad((t: tf.Tensor) =>
        tf.addN(unstack0(t).map((s, i) => tf.sum(tf.mul(s, tf.mul(w, i + 1)))))
      )(x);
      const out = await g.data();
      tf.dispose([x, w, g]);
      return out;
    };
    const e = relMaxDiff(await grad("webgpu"), await grad("cpu"));
    assert(e <= 1e-6, `rank-5 unstack gradient differs by ${e}`);
  },
});

Deno.test({
  name: "backend equivalence: webgpu results do not depend on when they are read",
  ignore: !gpu.any,
  fn: async () => {
    // With TF.js's default batching of 15 commands per submit, an argMax over
    // a middle axis read after later ops came back as zeros in Deno;
    // selectBackend sets WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE = 1.
    const data = Float32Array.from({ length: 2 * 4 * 64 }, (_, i) => Math.sin(i * 1.3));
    const run = async (backend: "cpu" | "webgpu") => {
      await selectBackend(backend, { quiet: true });
      const t = tf.tensor3d(data, [2, 4, 64]);
      const idx = tf.argMax(t, 1);
      const later = tf.transpose(tf.oneHot(idx as tf.Tensor2D, 4), [0, 2, 1]);
      await later.data(); // int32 transpose: wrong on webgpu, not used by the model
      const out = [await idx.data()];
      tf.dispose([t, idx, later]);
      return out;
    };
    const [g, c] = [await run("webgpu"), await run("cpu")];
    assert(relMaxDiff(g[0]!, c[0]!) === 0, `webgpu argMax ${g[0]} differs from cpu ${c[0]}`);
  },
});

Deno.test({
  name: "backend equivalence: a webgpu training step (trainStep, AdamW on the device) runs",
  ignore: !gpu.any,
  fn: async () => {
    await selectBackend("webgpu", { quiet: true });
    const model = createConvEntion(CONFIG, 5);
    const opt = new Adam(trainableWeights(model), { lr: 1e-3, weightDecay: 0.01 });
    const frames = tf.tensor4d(
      Float32Array.from({ length: 2 * 12 * 144 }, (_, i) => Math.sin(i * 0.37) * 2),
      [2, 12, 12, 12],
    );
    const bands = tf.tensor2d(
      [...Array(24)].map((_, i) => (i % 12 > 9 ? 0 : 1 + (i % 5))),
      [2, 12],
      "int32",
    );
    const labels = tf.tensor1d([1, 3], "int32");
    const before = await model.weights().get("classifier.fc2.weight")!.data();
    const r = await trainStep(model, opt, { frames, bands }, labels, { seed: 42 });
    const after = await model.weights().get("classifier.fc2.weight")!.data();
    assert(
      Math.abs(r.loss - cpu.loss) <= 1e-4 * Math.abs(cpu.loss),
      `loss ${r.loss} vs cpu ${cpu.loss}`,
    );
    assert(after.some((v, i) => v !== before[i]), "weights changed");
    tf.dispose([frames, bands, labels]);
    opt.dispose();
    model.dispose();
  },
});
