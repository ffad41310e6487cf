/**
 * Data-parallel training steps on the CPU backends: each batch is cut into
 * K shards, the training thread computes the gradients of the first while
 * K - 1 worker threads (each with its own TF.js wasm or cpu backend and a
 * replica of the model) compute the others, and the gradients, weighted by
 * each shard's share of the batch, are summed into one Adam update. This is
 * how the wasm backend, which runs one thread per process in Deno
 * (lib/train/backend.ts), uses more than one core.
 *
 * The sum is the gradient of the whole batch's mean loss, as PyTorch's
 * DistributedDataParallel computes it; BatchNorm normalises each shard with
 * its own statistics, also as there (no SyncBatchNorm), and the running
 * statistics become the shard-weighted mean of the replicas' updates. So
 * K > 1 is not bit-identical to one thread, but for a given K every step is
 * deterministic: the same shards, dropout seeds and summation order.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Batch } from "../data/batch.ts";
import { ConventionError, UsageError } from "../errors.ts";
import { NonFiniteLossError } from "../model/errors.ts";
import type { Adam } from "../model/infra/optimizer.ts";
import {
  type ShardGradients,
  shardGradients,
  type StepOptions,
  type StepResult,
} from "../model/infra/train_step.ts";
import { setWeight } from "../model/infra/assign.ts";
import { getModel, type ModelSpec, type TrainableModel } from "./models.ts";
import { WorkerGroup, WorkerReplyError } from "../util/worker_pool.ts";
import type { ReplicaReply, ReplicaRequest } from "./replica_messages.ts";

/** How a model turns a loader batch into its input tensors. */
export interface InputAdapter<I> {
  /** Makes the input tensors of a batch. */
  adapter(batch: Batch): I;
  /** Disposes them. */
  disposeInput(input: I): void;
}

/**
 * Cuts a batch into `k` contiguous shards of objects, sizes as equal as
 * possible (the first `batchSize % k` shards have one more object).
 *
 * @param batch The batch.
 * @param k Number of shards (1 ... batchSize).
 * @returns The shards, in order (copies).
 * @example
 * ```ts
 * import { emptyBatch } from "../data/batch.ts";
 * import { splitBatch } from "./data_parallel.ts";
 * const shards = splitBatch(emptyBatch(5, 2, 4, 4), 2);
 * if (!(shards.map((s) => s.batchSize).join() === "3,2")) throw new Error("example check failed");
 * ```
 */
export function splitBatch(batch: Batch, k: number): Batch[] {
  const { batchSize: b, length: l, height: h, width: w } = batch;
  if (!(Number.isInteger(k) && k >= 1 && k <= b)) {
    throw new RangeError(`Cannot cut a batch of ${b} objects into ${k} shards`);
  }
  const out: Batch[] = [];
  let start = 0;
  for (let s = 0; s < k; s++) {
    const n = Math.floor(b / k) + (s < b % k ? 1 : 0);
    const end = start + n;
    out.push({
      frames: batch.frames.slice(start * l * h * w, end * l * h * w),
      bands: batch.bands.slice(start * l, end * l),
      mjd: batch.mjd.slice(start * l, end * l),
      mask: batch.mask.slice(start * l, end * l),
      t0: batch.t0.slice(start, end),
      labels: batch.labels.slice(start, end),
      ids: batch.ids.slice(start, end),
      batchSize: n,
      length: l,
      height: h,
      width: w,
    });
    start = end;
  }
  return out;
}

/** Dropout seed of shard `k` of a step whose seed is `seed` (shard 0 keeps it). */
export function shardSeed(seed: number | undefined, k: number): number | undefined {
  return seed === undefined || k === 0 ? seed : (seed + Math.imul(k, 0x9e3779b9)) >>> 0;
}

/**
 * Sums shard results into the whole batch's: each shard weighted by its share
 * of the batch (its sum of class weights, or its number of objects), in shard
 * order.
 *
 * @param shards Each shard's result.
 * @param labels Each shard's labels.
 * @param classWeights Per-class loss weights (null: all 1).
 * @returns Loss, correct count, gradients and running statistics of the batch.
 */
export function combineShards(
  shards: readonly ShardGradients[],
  labels: readonly Int32Array[],
  classWeights?: readonly number[] | null,
): ShardGradients {
  const weightOf = (y: Int32Array) =>
    classWeights ? y.reduce((s, c) => s + (classWeights[c] ?? 0), 0) : y.length;
  const shares = labels.map(weightOf);
  const total = shares.reduce((a, b) => a + b, 0);
  const first = shards[0]!;
  const grads = first.grads.map((g) => new Float32Array(g.length));
  const stats = first.stats.map((g) => new Float32Array(g.length));
  let loss = 0, correct = 0;
  shards.forEach((s, k) => {
    const f = shares[k]! / total;
    loss += f * s.loss;
    correct += s.correct;
    const acc = (into: Float32Array[], from: Float32Array[]) =>
      into.forEach((a, j) => {
        const g = from[j]!;
        for (let i = 0; i < a.length; i++) a[i] = a[i]! + f * g[i]!;
      });
    acc(grads, s.grads);
    acc(stats, s.stats);
  });
  return { loss, correct, grads, stats };
}

/**
 * The gradients of a shard computed in pieces of at most `micro` objects
 * (gradient accumulation, for batches whose forward pass does not fit in
 * memory at once, such as the paper preset in the 4 GB wasm heap): each
 * piece from the same running statistics, dropout seed
 * `shardSeed(opts.seed, piece)`, then {@link combineShards}. One piece (the
 * whole shard) when `micro` is null or at least the shard's size.
 *
 * @param model The model.
 * @param names Variables to differentiate.
 * @param entry Turns a piece into input tensors.
 * @param shard The shard.
 * @param opts Loss, class weights, dropout seed.
 * @param micro Largest piece, or null.
 * @returns The shard's loss, correct count, gradients and running statistics.
 */
export async function piecewiseGradients<I>(
  model: TrainableModel<I>,
  names: readonly string[],
  entry: InputAdapter<I>,
  shard: Batch,
  opts: StepOptions,
  micro: number | null,
): Promise<ShardGradients> {
  const n = micro === null ? 1 : Math.ceil(shard.batchSize / micro);
  const pieces = n <= 1 ? [shard] : splitBatch(shard, n);
  const trainable = new Set(model.trainableVariables());
  const stats = [...model.weights().values()].filter((v) => !trainable.has(v));
  const saved = pieces.length > 1 ? stats.map((v) => tf.clone(v)) : [];
  try {
    const out: ShardGradients[] = [];
    for (let j = 0; j < pieces.length; j++) {
      if (j > 0) stats.forEach((v, i) => v.assign(saved[i]!));
      const input = entry.adapter(pieces[j]!);
      const labels = tf.tensor1d(pieces[j]!.labels, "int32");
      try {
        out.push(
          await shardGradients(model, names, input, labels, {
            ...opts,
            seed: shardSeed(opts.seed, j),
          }),
        );
      } finally {
        entry.disposeInput(input);
        labels.dispose();
      }
    }
    return out.length === 1
      ? out[0]!
      : combineShards(out, pieces.map((p) => p.labels), opts.classWeights);
  } finally {
    tf.dispose(saved);
  }
}

/** Options of {@link DataParallel.start}. */
export interface DataParallelOptions {
  /** Replicas K, the training thread included (1: no worker, only micro-batching). */
  replicas: number;
  /** Largest number of objects per forward pass (null: whole shards); see {@link piecewiseGradients}. */
  micro?: number | null;
  /** The model's registry name (the workers import its entry's `module`, then build it). */
  model: string;
  /** The model's spec, as given to its factory (same architecture and weight names). */
  spec: ModelSpec;
  /** The training thread's weight names, in `weights()` order (checked by each replica). */
  weightNames: string[];
}

/**
 * K - 1 worker replicas of a model and the data-parallel step over them.
 *
 * @example
 * ```ts ignore
 * const dp = await DataParallel.start({ replicas: 2, model: "convention", spec });
 * try {
 *   const { loss } = await dp.step(model, optimizer, entry, batch, { seed: 7 });
 * } finally {
 *   dp.close();
 * }
 * ```
 */
export class DataParallel {
  /** Replicas, the training thread included. */
  readonly replicas: number;
  /** Largest number of objects per forward pass, or null. */
  readonly micro: number | null;
  /** The K - 1 workers (none when K = 1). */
  readonly #group: WorkerGroup<ShardGradients | null> | null;
  #next = 0;

  private constructor(
    group: WorkerGroup<ShardGradients | null> | null,
    replicas: number,
    micro: number | null,
  ) {
    this.#group = group;
    this.replicas = replicas;
    this.micro = micro;
  }

  /**
   * Starts K - 1 workers, each with the training thread's backend (wasm or
   * cpu) and a replica of the model.
   *
   * @param o Replicas, model name and spec.
   * @returns The started replicas.
   * @throws UsageError on the webgpu backend (one device: nothing to split).
   * @throws ConventionError when a worker cannot start (the message says why).
   */
  static async start(o: DataParallelOptions): Promise<DataParallel> {
    const backend = tf.getBackend();
    if (backend !== "wasm" && backend !== "cpu") {
      throw new UsageError(
        `Data-parallel replicas run on the wasm and cpu backends, not ${backend}.`,
        { hint: "set parallel: 1 (one replica) on webgpu" },
      );
    }
    if (!(Number.isInteger(o.replicas) && o.replicas >= 1)) {
      throw new RangeError(`replicas must be a positive integer, not ${o.replicas}`);
    }
    const micro = o.micro ?? null;
    if (micro !== null && !(Number.isInteger(micro) && micro >= 1)) {
      throw new RangeError(`micro must be null or a positive integer, not ${micro}`);
    }
    if (o.replicas === 1) return new DataParallel(null, 1, micro);
    const group = WorkerGroup.start<ShardGradients | null>({
      url: new URL("./replica_worker.ts", import.meta.url).href,
      workers: o.replicas - 1,
      label: "Replica worker",
      read: (m) => {
        const r = m as ReplicaReply;
        return "error" in r ? { id: r.id, error: r.error } : { id: r.id, value: r.result };
      },
    });
    const dp = new DataParallel(group, o.replicas, micro);
    const module = getModel(o.model).module;
    try {
      await Promise.all(Array.from({ length: group.size }, (_, w) => {
        const id = dp.#next++;
        const init: ReplicaRequest = {
          type: "init",
          id,
          backend,
          model: o.model,
          module,
          spec: o.spec,
          weightNames: o.weightNames,
        };
        return group.request(w, id, init).catch((e: Error) => {
          const why = e instanceof WorkerReplyError ? e.reason : e.message;
          throw new ConventionError(`Replica worker ${w + 1} could not start: ${why}`, {
            hint: "replicas build ConvEntion and the models whose registry entry names its " +
              "module; train other models with parallel 1",
          });
        });
      }));
    } catch (e) {
      dp.close();
      throw e;
    }
    return dp;
  }

  /**
   * One data-parallel optimisation step: the same contract as
   * {@link trainStep} (loss and correct count before the update; on a NaN or
   * infinite loss or gradient, {@link NonFiniteLossError} and nothing
   * changes), with the batch cut into {@link replicas} shards
   * ({@link splitBatch}; fewer when the batch is smaller).
   *
   * @param model The training thread's model.
   * @param optimizer Its optimiser (over a subset of `model.weights()`).
   * @param entry Turns a shard into input tensors.
   * @param batch The batch.
   * @param opts Loss, class weights, dropout seed.
   * @returns The batch's mean loss and correct count.
   */
  async step<I>(
    model: TrainableModel<I>,
    optimizer: Adam,
    entry: InputAdapter<I>,
    batch: Batch,
    opts: StepOptions = {},
  ): Promise<StepResult> {
    const k = Math.min(this.replicas, batch.batchSize);
    const shards = splitBatch(batch, k);
    const weights = [...model.weights()];
    const names = optimizer.names();
    // The weights before the step: sent to the replicas, and restored here if the step fails.
    const before = weights.map(([, v]) => v.dataSync() as Float32Array);
    const flat = shards.length > 1 ? concat(before) : new Float32Array(0);
    const remote = shards.slice(1).map((shard, i) => {
      const id = this.#next++;
      const request: ReplicaRequest = {
        type: "step",
        id,
        weights: flat,
        names,
        batch: shard,
        opts: { ...opts, seed: shardSeed(opts.seed, i + 1) },
        micro: this.micro,
      };
      return this.#group!.request(i, id, request) as Promise<ShardGradients>;
    });
    // Every remote promise gets a handler now, so a failure is never unhandled.
    const settled = Promise.allSettled(remote);
    let local: ShardGradients;
    try {
      local = await piecewiseGradients(
        model,
        names,
        entry,
        shards[0]!,
        { ...opts, seed: shardSeed(opts.seed, 0) },
        this.micro,
      );
    } catch (e) {
      this.#restore(model as TrainableModel<unknown>, weights, before);
      await settled; // the replicas finish this step before the next one starts
      throw e;
    }
    const results = [local];
    for (const r of await settled) {
      if (r.status === "rejected") {
        this.#restore(model as TrainableModel<unknown>, weights, before);
        throw r.reason;
      }
      results.push(r.value);
    }
    const sum = combineShards(results, shards.map((s) => s.labels), opts.classWeights);
    const bad = sum.grads.findIndex((g) => g.some((x) => !Number.isFinite(x)));
    if (!Number.isFinite(sum.loss) || bad >= 0) {
      this.#restore(model as TrainableModel<unknown>, weights, before);
      throw new NonFiniteLossError(
        sum.loss,
        bad >= 0 && Number.isFinite(sum.loss)
          ? { cause: new RangeError(`the gradient of ${names[bad]} is NaN or infinite`) }
          : {},
      );
    }
    const trainable = new Set(model.trainableVariables());
    let j = 0;
    for (const [, v] of weights) {
      if (!trainable.has(v)) setWeight(v, sum.stats[j++]!);
    }
    const grads = new Map(names.map((n, i) => [n, tf.tensor(sum.grads[i]!, shapeOf(model, n))]));
    try {
      optimizer.apply(grads);
    } finally {
      tf.dispose([...grads.values()]);
    }
    return { loss: sum.loss, correct: sum.correct };
  }

  /** Puts back the running statistics that the training thread's forward pass changed. */
  #restore(
    model: TrainableModel<unknown>,
    weights: [string, tf.Variable][],
    before: Float32Array[],
  ): void {
    const trainable = new Set(model.trainableVariables());
    weights.forEach(([, v], i) => {
      if (!trainable.has(v)) setWeight(v, before[i]!);
    });
  }

  /** Stops the workers (pending steps fail). */
  close(): void {
    this.#group?.close();
  }
}

function shapeOf<I>(model: TrainableModel<I>, name: string): number[] {
  return model.weights().get(name)!.shape;
}

function concat(arrays: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
  arrays.reduce((off, a) => (out.set(a, off), off + a.length), 0);
  return out;
}
