import * as tf from "@tensorflow/tfjs-core";
import { createConvEntion } from "../../lib/model/convention.ts";
import { NonFiniteLossError } from "../../lib/model/errors.ts";
import { AdamW, loadOptimizerState, saveOptimizerState } from "../../lib/model/optimizer.ts";
import { loadWeights, saveWeights } from "../../lib/model/safetensors.ts";
import { lossFn, trainStep } from "../../lib/model/train_step.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../util/assert.ts";

await selectBackend("wasm", { quiet: true });

function batch(seed: number) {
  return {
    frames: tf.randomNormal([4, 12, 12, 12], 0, 1, "float32", seed) as tf.Tensor4D,
    bands: tf.tensor2d(
      [...Array(48)].map((_, i) => (i % 12 > 9 ? 0 : 1 + (i % 5))),
      [4, 12],
      "int32",
    ),
  };
}

async function snapshot(
  m: ReturnType<typeof createConvEntion>,
): Promise<Map<string, Float32Array | Int32Array>> {
  const out = new Map<string, Float32Array | Int32Array>();
  for (const [k, v] of m.weights()) out.set(k, (await v.data()) as Float32Array | Int32Array);
  return out;
}

Deno.test("train step: several steps leave no tensor behind and the loss goes down", () => {
  const m = createConvEntion("tiny", 1);
  const opt = new AdamW({ learningRate: 3e-3, weightDecay: 0.01 });
  const input = batch(1);
  const labels = tf.tensor1d([0, 1, 2, 3], "int32");
  const first = trainStep(m, opt, input, labels, { seed: 0 }); // creates the optimiser's moments
  const n0 = tf.memory().numTensors;
  let last = first;
  for (let i = 1; i < 8; i++) {
    last = trainStep(m, opt, input, labels, { seed: i, loss: i % 2 ? "focal" : "cross-entropy" });
    assertEquals(tf.memory().numTensors, n0, `tensors after step ${i}`);
  }
  const ce = trainStep(m, opt, input, labels, { seed: 99 });
  assert(ce.loss < first.loss, `loss ${first.loss} -> ${ce.loss}`);
  assert(last.correct >= 0 && last.correct <= 4);
  tf.dispose([input.frames, input.bands, labels]);
  opt.dispose();
  m.dispose();
});

Deno.test("train step: a NaN loss throws before anything changes", async () => {
  const m = createConvEntion("tiny", 2);
  const opt = new AdamW({ learningRate: 1e-3 });
  const good = batch(2);
  const labels = tf.tensor1d([0, 1, 2, 3], "int32");
  trainStep(m, opt, good, labels, { seed: 0 });
  const before = await snapshot(m);
  const bad = { frames: tf.fill([4, 12, 12, 12], NaN) as tf.Tensor4D, bands: good.bands };
  assertThrows(
    () => trainStep(m, opt, bad, labels, { seed: 1 }),
    NonFiniteLossError,
    /not applied/,
  );
  const after = await snapshot(m);
  for (const [k, v] of before) assertEquals(after.get(k), v, k);
  assertEquals(opt.step, 1);
  tf.dispose([good.frames, good.bands, bad.frames, labels]);
  opt.dispose();
  m.dispose();
});

Deno.test("train step: losses match float64 formulas (cross-entropy, class weights, focal)", async () => {
  const z = [[2, -1, 0.5, 0], [0.1, 0.2, -0.3, 3], [-1, -2, 4, 0]];
  const y = [0, 3, 1];
  const w = [1, 2, 0.5, 3];
  const logp = z.map((r, i) => {
    const m = Math.max(...r);
    const lse = m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
    return r[y[i]!]! - lse;
  });
  const ce = -logp.reduce((a, b) => a + b) / 3;
  const wce = -logp.reduce((a, b, i) => a + w[y[i]!]! * b, 0) / y.reduce((a, c) => a + w[c]!, 0);
  const focal = logp.reduce((a, lp) => a - Math.pow(1 - Math.exp(lp), 2) * lp, 0) / 3;
  const logits = tf.tensor2d(z), labels = tf.tensor1d(y, "int32");
  const got = [
    lossFn(logits, labels),
    lossFn(logits, labels, { classWeights: w }),
    lossFn(logits, labels, { loss: "focal", focalGamma: 2 }),
  ];
  const vals = await Promise.all(got.map(async (t) => (await t.data())[0]!));
  assertAlmostEquals(vals[0]!, ce, 1e-6);
  assertAlmostEquals(vals[1]!, wce, 1e-6);
  assertAlmostEquals(vals[2]!, focal, 1e-6);
  tf.dispose([logits, labels, ...got]);
});

for (const update of ["js", "device"] as const) {
  Deno.test(`AdamW: PyTorch's update rule, step by step, in float64 (${update} update)`, async () => {
    const v = tf.variable(tf.tensor1d([0.5, -1.5, 2]), true, `adamw_test_var_${update}`);
    const opt = new AdamW({
      learningRate: 0.1,
      weightDecay: 0.05,
      beta1: 0.8,
      beta2: 0.9,
      epsilon: 1e-8,
      update,
    });
    const grads = [[0.3, -0.2, 0.1], [-0.5, 0.4, 0], [1, 1, -1]];
    let p = [0.5, -1.5, 2], m = [0, 0, 0], s = [0, 0, 0];
    for (let t = 1; t <= 3; t++) {
      const g = grads[t - 1]!;
      const gt = tf.tensor1d(g);
      opt.applyGradients({ [v.name]: gt });
      gt.dispose();
      p = p.map((x) => x * (1 - 0.1 * 0.05));
      m = m.map((x, i) => 0.8 * x + 0.2 * g[i]!);
      s = s.map((x, i) => 0.9 * x + 0.1 * g[i]! * g[i]!);
      p = p.map((x, i) =>
        x - (0.1 / (1 - 0.8 ** t)) * m[i]! / (Math.sqrt(s[i]!) / Math.sqrt(1 - 0.9 ** t) + 1e-8)
      );
      const got = await v.data();
      p.forEach((x, i) => assertAlmostEquals(got[i]!, x, 1e-6, `step ${t} element ${i}`));
    }
    opt.dispose();
    v.dispose();
  });
}

Deno.test("AdamW: saved optimiser state + weights resume bit-identically", async () => {
  const dir = await Deno.makeTempDir();
  const input = batch(5);
  const labels = tf.tensor1d([3, 2, 1, 0], "int32");
  const a = createConvEntion("tiny", 3);
  const optA = new AdamW({ learningRate: 2e-3, weightDecay: 0.01 });
  for (let i = 0; i < 2; i++) trainStep(a, optA, input, labels, { seed: i });
  await saveWeights(a, `${dir}/w.safetensors`);
  await saveOptimizerState(optA, a, `${dir}/opt.safetensors`);
  for (let i = 2; i < 4; i++) trainStep(a, optA, input, labels, { seed: i });
  const b = createConvEntion("tiny", 77);
  await loadWeights(b, `${dir}/w.safetensors`);
  const optB = new AdamW({ learningRate: 2e-3, weightDecay: 0.01 });
  await loadOptimizerState(optB, b, `${dir}/opt.safetensors`);
  assertEquals(optB.step, 2);
  for (let i = 2; i < 4; i++) trainStep(b, optB, input, labels, { seed: i });
  const wa = await snapshot(a), wb = await snapshot(b);
  for (const [k, v] of wa) assertEquals(wb.get(k), v, k);
  tf.dispose([input.frames, input.bands, labels]);
  [optA, optB].forEach((o) => o.dispose());
  [a, b].forEach((m) => m.dispose());
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train step: the cpu preset trains (single-frame unstack and kt = 1 layers)", () => {
  // Regression: TF.js's Unpack gradient fails on an axis of size 1 (cnn3d.ts unstack0).
  const m = createConvEntion("cpu", 4);
  const c = m.config;
  const opt = new AdamW({ learningRate: 1e-3 });
  const frames = tf.randomNormal(
    [2, c.length, c.stamp, c.stamp],
    0,
    1,
    "float32",
    1,
  ) as tf.Tensor4D;
  const bands = tf.tensor2d(
    [...Array(2 * c.length)].map((_, i) => 1 + (i % 5)),
    [2, c.length],
    "int32",
  );
  const labels = tf.tensor1d([0, 1], "int32");
  const r = trainStep(m, opt, { frames, bands }, labels, { seed: 1 });
  assert(Number.isFinite(r.loss));
  tf.dispose([frames, bands, labels]);
  opt.dispose();
  m.dispose();
});

Deno.test("train step: trainStepAsync gives the same update as trainStep", async () => {
  const { trainStepAsync } = await import("../../lib/model/train_step.ts");
  const a = createConvEntion("tiny", 6), b = createConvEntion("tiny", 6);
  const oa = new AdamW({ learningRate: 1e-3 }), ob = new AdamW({ learningRate: 1e-3 });
  const input = batch(8);
  const labels = tf.tensor1d([0, 1, 2, 3], "int32");
  const ra = trainStep(a, oa, input, labels, { seed: 3 });
  const rb = await trainStepAsync(b, ob, input, labels, { seed: 3 });
  assertEquals(rb, ra);
  const wa = await snapshot(a), wb = await snapshot(b);
  for (const [k, v] of wa) assertEquals(wb.get(k), v, k);
  tf.dispose([input.frames, input.bands, labels]);
  [oa, ob].forEach((o) => o.dispose());
  [a, b].forEach((m) => m.dispose());
});
