/**
 * Data-parallel steps: a step over 2 replicas (one worker) gives exactly the
 * weights of the same arithmetic done shard by shard in one thread, fails
 * cleanly on a non-finite loss, and a worker that cannot build the model
 * says so.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type Batch, emptyBatch } from "../../lib/data/batch.ts";
import { ConventionError } from "../../lib/errors.ts";
import { NonFiniteLossError } from "../../lib/model/errors.ts";
import { setWeight } from "../../lib/model/infra/assign.ts";
import { Adam } from "../../lib/model/infra/optimizer.ts";
import { shardGradients, trainableWeights } from "../../lib/model/infra/train_step.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import "../../lib/train/builtin_models.ts";
import {
  combineShards,
  DataParallel,
  piecewiseGradients,
  shardSeed,
  splitBatch,
} from "../../lib/train/data_parallel.ts";
import { getModel, type ModelSpec, type TrainableModel } from "../../lib/train/models.ts";
import { Rng } from "../../lib/util/rng.ts";
import { assert, assertEquals, assertRejects } from "../util/assert.ts";

const SPEC: ModelSpec = {
  preset: "tiny",
  options: {},
  numClasses: 4,
  bands: ["u", "g", "r", "i", "z"],
  seed: 3,
};

function makeBatch(n: number, l: number, s: number, seed: number, fill?: number): Batch {
  const b = emptyBatch(n, l, s, s);
  const rng = new Rng(seed);
  for (let i = 0; i < b.frames.length; i++) b.frames[i] = fill ?? rng.normal();
  for (let i = 0; i < b.bands.length; i++) b.bands[i] = 1 + (i % 5);
  for (let i = 0; i < n; i++) b.labels[i] = i % 4;
  b.mask.fill(1);
  return b;
}

function snapshot(m: TrainableModel<unknown>): Map<string, number[]> {
  return new Map([...m.weights()].map(([n, v]) => [n, Array.from(v.dataSync())]));
}

Deno.test("data parallel: splitBatch cuts objects into contiguous, nearly equal shards", () => {
  const b = makeBatch(7, 3, 2, 1);
  const shards = splitBatch(b, 3);
  assertEquals(shards.map((s) => s.batchSize), [3, 2, 2]);
  assertEquals(Array.from(shards[1]!.labels), [3, 0]);
  assertEquals(Array.from(shards[2]!.frames), Array.from(b.frames.slice(5 * 12, 7 * 12)));
  assertEquals(Array.from(shards[2]!.bands), Array.from(b.bands.slice(5 * 3, 7 * 3)));
  assertEquals(shardSeed(9, 0), 9);
  assert(shardSeed(9, 1) !== 9 && shardSeed(undefined, 1) === undefined);
});

/**
 * Runs 3 steps with `replicas` replicas and pieces of `micro` objects, and the
 * same arithmetic shard by shard in this thread; the weights must be equal.
 */
async function checkAgainstOneThread(replicas: number, micro: number | null, batch: number) {
  await selectBackend("wasm", { quiet: true });
  const entry = getModel("convention");
  const a = entry.create(SPEC), b = entry.create(SPEC);
  const { length, size } = entry.inputShape(a);
  const optA = new Adam(trainableWeights(a), { lr: 1e-3 });
  const optB = new Adam(trainableWeights(b), { lr: 1e-3 });
  const dp = await DataParallel.start({
    replicas,
    micro,
    model: "convention",
    spec: SPEC,
    weightNames: [...a.weights().keys()],
  });
  const tensors0 = tf.memory().numTensors;
  try {
    for (let step = 0; step < 3; step++) {
      const x = makeBatch(batch, length, size, 100 + step);
      const opts = { seed: 40 + step };
      const got = await dp.step(a, optA, entry, x, opts);

      // The same in one thread: each shard from the running statistics before the step.
      const names = optB.names();
      const trainable = new Set(b.trainableVariables());
      const stats = [...b.weights().values()].filter((v) => !trainable.has(v));
      const saved = stats.map((v) => tf.clone(v));
      const shards = splitBatch(x, replicas);
      const results = [];
      for (let k = 0; k < replicas; k++) {
        stats.forEach((v, i) => v.assign(saved[i]!));
        results.push(
          await piecewiseGradients(b, names, entry, shards[k]!, {
            seed: shardSeed(opts.seed, k),
          }, micro),
        );
      }
      tf.dispose(saved);
      const sum = combineShards(results, shards.map((s) => s.labels));
      stats.forEach((v, i) => setWeight(v, sum.stats[i]!));
      const grads = new Map(names.map((n, i) => {
        const v = b.weights().get(n)!;
        return [n, tf.tensor(sum.grads[i]!, v.shape)] as const;
      }));
      optB.apply(grads);
      tf.dispose([...grads.values()]);
      assertEquals(got.loss, sum.loss);
      assertEquals(got.correct, sum.correct);
    }
    assertEquals(tf.memory().numTensors, tensors0);
    const [wa, wb] = [snapshot(a), snapshot(b)];
    for (const [n, v] of wa) assertEquals(v, wb.get(n), n);
  } finally {
    dp.close();
    optA.dispose();
    optB.dispose();
    a.dispose();
    b.dispose();
  }
}

Deno.test("data parallel: 2 replicas give exactly the weights of the same shards summed in one thread", () =>
  checkAgainstOneThread(2, null, 5));

Deno.test("data parallel: 3 replicas with pieces of 2 objects, the same", () =>
  checkAgainstOneThread(3, 2, 7));

Deno.test("data parallel: pieces are shards from the same running statistics, summed by their share", async () => {
  await selectBackend("wasm", { quiet: true });
  const entry = getModel("convention");
  const m = entry.create(SPEC);
  const { length, size } = entry.inputShape(m);
  const names = [...trainableWeights(m).keys()];
  const x = makeBatch(5, length, size, 9);
  const trainable = new Set(m.trainableVariables());
  const stats = [...m.weights().values()].filter((v) => !trainable.has(v));
  const saved = stats.map((v) => tf.clone(v));
  try {
    const got = await piecewiseGradients(m, names, entry, x, { seed: 5 }, 2);
    const pieces = splitBatch(x, 3);
    assertEquals(pieces.map((p) => p.batchSize), [2, 2, 1]);
    const parts = [];
    for (let j = 0; j < 3; j++) {
      stats.forEach((v, i) => v.assign(saved[i]!));
      const input = entry.adapter(pieces[j]!);
      const labels = tf.tensor1d(pieces[j]!.labels, "int32");
      parts.push(await shardGradients(m, names, input, labels, { seed: shardSeed(5, j) }));
      entry.disposeInput(input);
      labels.dispose();
    }
    const want = combineShards(parts, pieces.map((p) => p.labels));
    assertEquals(got.loss, want.loss);
    got.grads.forEach((g, i) => assertEquals(Array.from(g), Array.from(want.grads[i]!), names[i]));
    got.stats.forEach((g, i) => assertEquals(Array.from(g), Array.from(want.stats[i]!)));
    // One piece when micro covers the shard: plain shardGradients.
    stats.forEach((v, i) => v.assign(saved[i]!));
    const whole = await piecewiseGradients(m, names, entry, x, { seed: 5 }, 8);
    stats.forEach((v, i) => v.assign(saved[i]!));
    const input = entry.adapter(x);
    const labels = tf.tensor1d(x.labels, "int32");
    const plain = await shardGradients(m, names, input, labels, { seed: 5 });
    entry.disposeInput(input);
    labels.dispose();
    assertEquals(whole.loss, plain.loss);
    assertEquals(Array.from(whole.grads[0]!), Array.from(plain.grads[0]!));
  } finally {
    tf.dispose(saved);
    m.dispose();
  }
});

Deno.test("data parallel: a NaN loss throws NonFiniteLossError and changes no weight", async () => {
  await selectBackend("wasm", { quiet: true });
  const entry = getModel("convention");
  const m = entry.create(SPEC);
  const { length, size } = entry.inputShape(m);
  const opt = new Adam(trainableWeights(m), { lr: 1e-3 });
  const dp = await DataParallel.start({
    replicas: 2,
    model: "convention",
    spec: SPEC,
    weightNames: [...m.weights().keys()],
  });
  try {
    const before = snapshot(m);
    await assertRejects(
      () => dp.step(m, opt, entry, makeBatch(4, length, size, 1, NaN), { seed: 1 }),
      NonFiniteLossError,
    );
    const after = snapshot(m);
    for (const [n, v] of before) assertEquals(after.get(n), v, n);
    assertEquals(opt.step, 0);
    // The replicas still work after a failed step.
    const r = await dp.step(m, opt, entry, makeBatch(4, length, size, 2), { seed: 2 });
    assert(Number.isFinite(r.loss));
  } finally {
    dp.close();
    opt.dispose();
    m.dispose();
  }
});

Deno.test("data parallel: a replica that cannot build the model says why", async () => {
  await selectBackend("wasm", { quiet: true });
  const e = await assertRejects(
    () =>
      DataParallel.start({
        replicas: 2,
        model: "convention",
        spec: { ...SPEC, preset: "no-such-preset" },
        weightNames: [],
      }),
    ConventionError,
  );
  assert(/Replica worker 1 could not start: .*no-such-preset/.test(e.message), e.message);
});
