import * as tf from "@tensorflow/tfjs-core";
import { createConvEntion } from "../../lib/model/convention.ts";
import { NonFiniteLossError } from "../../lib/model/errors.ts";
import { Adam, loadOptimizerState, saveOptimizerState } from "../../lib/model/infra/optimizer.ts";
import { loadWeights, saveWeights } from "../../lib/model/infra/safetensors.ts";
import {
  type StepModel,
  trainableWeights,
  trainStep,
  trainStepAsync,
} from "../../lib/model/infra/train_step.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "../util/assert.ts";
import { setWeight } from "../../lib/model/infra/assign.ts";
import { lossOf } from "../../lib/model/ops/loss.ts";

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
  m: StepModel<unknown>,
): Promise<Map<string, Float32Array | Int32Array>> {
  const out = new Map<string, Float32Array | Int32Array>();
  for (const [k, v] of m.weights()) out.set(k, (await v.data()) as Float32Array | Int32Array);
  return out;
}

const adam = (m: StepModel<unknown>, lr: number, weightDecay = 0) =>
  new Adam(trainableWeights(m), { lr, weightDecay });

Deno.test("train step: several steps leave no tensor behind and the loss goes down", async () => {
  const m = createConvEntion("tiny", 1);
  const opt = adam(m, 3e-3, 0.01);
  const input = batch(1);
  const labels = tf.tensor1d([0, 1, 2, 3], "int32");
  const first = await trainStep(m, opt, input, labels, { seed: 0 });
  const n0 = tf.memory().numTensors;
  for (let i = 1; i < 8; i++) {
    await trainStep(m, opt, input, labels, {
      seed: i,
      loss: i % 2 ? "focal" : "cross-entropy",
    });
    assertEquals(tf.memory().numTensors, n0, `tensors after step ${i}`);
  }
  // The step's loss and correct count are those of its own training-mode forward pass: the
  // same pass run here first (same dropout seed), then the BatchNorm statistics it moved put back.
  const before = await snapshot(m);
  const logits = m.apply(input, { training: true, seed: 99 });
  const predicted = await tf.argMax(logits, 1).data();
  const expectedCorrect = [0, 1, 2, 3].filter((y, i) => predicted[i] === y).length;
  const expectedLoss = (await lossOf(logits, labels).data())[0]!;
  for (const [k, v] of m.weights()) setWeight(v, Float32Array.from(before.get(k)!));
  const ce = await trainStep(m, opt, input, labels, { seed: 99 });
  assertEquals(ce.correct, expectedCorrect);
  assertAlmostEquals(ce.loss, expectedLoss, 1e-6);
  assert(ce.loss < first.loss, `loss ${first.loss} -> ${ce.loss}`);
  tf.dispose([input.frames, input.bands, labels, logits]);
  opt.dispose();
  m.dispose();
});

Deno.test("train step: a NaN loss throws before anything changes", async () => {
  const m = createConvEntion("tiny", 2);
  const opt = adam(m, 1e-3);
  const good = batch(2);
  const labels = tf.tensor1d([0, 1, 2, 3], "int32");
  await trainStep(m, opt, good, labels, { seed: 0 });
  const before = await snapshot(m);
  const n0 = tf.memory().numTensors;
  const bad = { frames: tf.fill([4, 12, 12, 12], NaN) as tf.Tensor4D, bands: good.bands };
  await assertRejects(
    () => trainStep(m, opt, bad, labels, { seed: 1 }),
    NonFiniteLossError,
    /not applied/,
  );
  assertEquals(tf.memory().numTensors, n0 + 1); // + bad.frames
  const after = await snapshot(m);
  for (const [k, v] of before) assertEquals(after.get(k), v, k); // BatchNorm statistics too
  assertEquals(opt.step, 1);
  tf.dispose([good.frames, good.bands, bad.frames, labels]);
  opt.dispose();
  m.dispose();
});

/**
 * A two-class model on a generic input `[B, 2]`: logits x * sqrt(w), whose
 * gradient is infinite at w = 0 while the loss stays finite; its forward pass
 * in training mode also updates a running statistic, as BatchNorm does.
 */
function sqrtModel(w0: number): StepModel<tf.Tensor2D> & { w: tf.Variable; stat: tf.Variable } {
  const w = tf.variable(tf.scalar(w0), true);
  const stat = tf.variable(tf.scalar(0), false);
  return {
    w,
    stat,
    apply(x, { training }) {
      if (training) stat.assign(tf.add(stat, tf.mean(x)));
      return tf.mul(x, tf.sqrt(w)) as tf.Tensor2D;
    },
    trainableVariables: () => [w],
    weights: () => new Map([["w", w], ["stat", stat]]),
  };
}

Deno.test("train step: any input type; an infinite gradient of a finite loss throws, nothing changes", async () => {
  const x = tf.tensor2d([[1, 0], [0, 1]]), labels = tf.tensor1d([0, 1], "int32");
  const ok = sqrtModel(1);
  const optOk = adam(ok, 0.1);
  const r = await trainStep(ok, optOk, x, labels);
  assertEquals(r.correct, 2);
  assert((await ok.w.data())[0]! !== 1, "w updated");
  assertEquals((await ok.stat.data())[0], 0.5);

  const bad = sqrtModel(0);
  const opt = adam(bad, 0.1);
  const err = await assertRejects(() => trainStep(bad, opt, x, labels), NonFiniteLossError);
  assert(Number.isFinite(err.loss), `loss ${err.loss}`);
  assert(err.cause instanceof RangeError && /gradient/.test(err.cause.message), "cause");
  assertEquals([(await bad.w.data())[0], (await bad.stat.data())[0], opt.step], [0, 0, 0]);
  tf.dispose([x, labels, ok.w, ok.stat, bad.w, bad.stat]);
  [opt, optOk].forEach((o) => o.dispose());
});

Deno.test("train step: an optimiser over a subset (frozen backbone) changes only that subset", async () => {
  const m = createConvEntion("tiny", 9);
  const head = new Map([...trainableWeights(m)].filter(([n]) => n.startsWith("classifier.")));
  assert(head.size > 0 && head.size < trainableWeights(m).size);
  const opt = new Adam(head, { lr: 1e-2 });
  const input = batch(3);
  const labels = tf.tensor1d([0, 1, 2, 3], "int32");
  const before = await snapshot(m);
  await trainStep(m, opt, input, labels, { seed: 5 });
  const after = await snapshot(m);
  const trainable = new Set(trainableWeights(m).keys());
  for (const [k, v] of before) {
    if (head.has(k)) assert(after.get(k)!.some((x, i) => x !== v[i]), `${k} changed`);
    else if (trainable.has(k)) assertEquals(after.get(k), v, `${k} frozen`);
  }
  tf.dispose([input.frames, input.bands, labels]);
  opt.dispose();
  m.dispose();
});

Deno.test("train step: saved optimiser state + weights resume bit-identically", async () => {
  const dir = await Deno.makeTempDir();
  const input = batch(5);
  const labels = tf.tensor1d([3, 2, 1, 0], "int32");
  const a = createConvEntion("tiny", 3);
  const optA = adam(a, 2e-3, 0.01);
  for (let i = 0; i < 2; i++) await trainStep(a, optA, input, labels, { seed: i });
  await saveWeights(a, `${dir}/w.safetensors`);
  await saveOptimizerState(optA, `${dir}/opt.safetensors`);
  for (let i = 2; i < 4; i++) await trainStep(a, optA, input, labels, { seed: i });
  const b = createConvEntion("tiny", 77);
  await loadWeights(b, `${dir}/w.safetensors`);
  const optB = adam(b, 2e-3, 0.01);
  await loadOptimizerState(optB, `${dir}/opt.safetensors`);
  assertEquals(optB.step, 2);
  for (let i = 2; i < 4; i++) await trainStep(b, optB, input, labels, { seed: i });
  const wa = await snapshot(a), wb = await snapshot(b);
  for (const [k, v] of wa) assertEquals(wb.get(k), v, k);
  tf.dispose([input.frames, input.bands, labels]);
  [optA, optB].forEach((o) => o.dispose());
  [a, b].forEach((m) => m.dispose());
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train step: the cpu preset trains (single-frame unstack and kt = 1 layers)", async () => {
  // Regression: TF.js's Unpack gradient fails on an axis of size 1 (cnn3d.ts unstack0).
  const m = createConvEntion("cpu", 4);
  const c = m.config;
  const opt = adam(m, 1e-3);
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
  const r = await trainStep(m, opt, { frames, bands }, labels, { seed: 1 });
  assert(Number.isFinite(r.loss));
  tf.dispose([frames, bands, labels]);
  opt.dispose();
  m.dispose();
});

Deno.test("train step: the same seed gives the same update (trainStepAsync is trainStep)", async () => {
  assert(trainStepAsync === trainStep);
  const a = createConvEntion("tiny", 6), b = createConvEntion("tiny", 6);
  const oa = adam(a, 1e-3), ob = adam(b, 1e-3);
  const input = batch(8);
  const labels = tf.tensor1d([0, 1, 2, 3], "int32");
  const ra = await trainStep(a, oa, input, labels, { seed: 3 });
  const rb = await trainStepAsync(b, ob, input, labels, { seed: 3 });
  assertEquals(rb, ra);
  const wa = await snapshot(a), wb = await snapshot(b);
  for (const [k, v] of wa) assertEquals(wb.get(k), v, k);
  tf.dispose([input.frames, input.bands, labels]);
  [oa, ob].forEach((o) => o.dispose());
  [a, b].forEach((m) => m.dispose());
});
