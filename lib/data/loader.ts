/**
 * The batch loader the training loop uses: streams {@link Batch}es
 * `[batch, l, h, w]` (plus band ids, MJDs, masks, labels) from a packed
 * store.
 *
 * - Training ({@link epochBatches}): a seeded epoch plan (balanced by
 *   default, see `balance.ts`), random windows, augmentation of duplicates.
 *   The same (seed, stage, epoch, ids, options) give the same batches,
 *   bit for bit, with or without workers.
 * - Evaluation ({@link evalBatches}): the ids in the given order, the
 *   deterministic window around the brightest frame, no augmentation.
 *
 * Prefetching: with `prefetch > 0` (default 2) batches are built in
 * `workers` Deno Workers (default 1) that run ahead of the consumer by at
 * most `prefetch` batches each, so batch building overlaps with synchronous
 * model compute on another core. Memory is bounded independently of the
 * dataset size: per-frame tables (about 17 bytes per frame), a pixel cache
 * of `cacheBytes` per reader, and `prefetch + 1` batches per worker.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import type { Store } from "./store.ts";
import type { Batch } from "./batch.ts";
import type { Normalization } from "./normalization.ts";
import { checkNormalization } from "./normalization.ts";
import { type AugmentConfig, resolveAugment } from "./augment.ts";
import { type ClassTarget, epochPlan, type PlanEntry } from "./balance.ts";
import { buildBatch, type BuildOptions, type Visit } from "./batch_builder.ts";
import { DEFAULT_LENGTH } from "./reformat.ts";
import type { SeriesCut } from "./cut.ts";
import type { TruncateConfig } from "./truncate.ts";
import type { WorkerStart } from "./loader_protocol.ts";
import { orderedFromWorkers } from "../util/worker_pool.ts";

/** Options common to training and evaluation batches. */
export interface LoaderOptions {
  /** Rows per batch (default 128). */
  batchSize?: number;
  /** Sequence length l (default 99). */
  length?: number;
  /** Output stamp side, a centre crop of the store stamps (default: the store size). */
  size?: number;
  /** Per-band normalisation (from `computeNormalization`), or null for raw pixels. */
  normalization?: Normalization | null;
  /** Batches built ahead per worker; 0 = build in the calling thread (default 2). */
  prefetch?: number;
  /** Number of loader workers when prefetching (default 1). */
  workers?: number;
  /** Pixel cache budget per worker in bytes (default 64 MiB). */
  cacheBytes?: number;
  /** Drop a last, smaller batch (default false). */
  dropLast?: boolean;
}

/** Options of {@link evalBatches}. */
export interface EvalOptions extends LoaderOptions {
  /** Only the frames up to this cut (early classification; default all). */
  cut?: SeriesCut | null;
}

/** Options of {@link epochBatches}. */
export interface EpochOptions extends LoaderOptions {
  /** Run seed. */
  seed: number;
  /** Epoch number. */
  epoch: number;
  /** Stage (1, 2, or a name); part of the random stream. */
  stage?: number | string;
  /** Augment duplicates (default true); a partial config overrides defaults. */
  augment?: boolean | Partial<AugmentConfig>;
  /** Balance classes (default true). */
  balance?: boolean;
  /** Objects per class in a balanced epoch (default "median"). */
  perClass?: ClassTarget;
  /** Largest extra fraction of frames dropped by the training window (default 0.25). */
  maxDrop?: number;
  /** Random truncation of the training series (lib/data/truncate.ts; default none). */
  truncate?: TruncateConfig | null;
}

/** Batches of an epoch: iterate once; `length` and `plan` are known in advance. */
export interface BatchStream extends AsyncIterable<Batch> {
  /** Number of batches. */
  readonly length: number;
  /** Number of rows over all batches. */
  readonly rows: number;
  /** The visits, in order (training: the epoch plan). */
  readonly plan: readonly PlanEntry[];
}

function resolveCommon(store: Store, opts: LoaderOptions) {
  const batchSize = opts.batchSize ?? 128;
  const length = opts.length ?? DEFAULT_LENGTH;
  const size = opts.size ?? store.size;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new ConventionError(`Batch size ${batchSize} is not a positive integer.`);
  }
  if (!(Number.isInteger(length) && length >= 1)) {
    throw new ConventionError(`Sequence length ${length} is not a positive integer.`);
  }
  if (!(Number.isInteger(size) && size >= 1 && size <= store.size)) {
    throw new ConventionError(
      `Stamp size ${size} is not in 1..${store.size} (the store ${store.path} holds ${store.size}x${store.size}).`,
      { hint: "Ingest again with a larger --size, or use a smaller model stamp size." },
    );
  }
  if (opts.normalization) checkNormalization(opts.normalization, store.bands);
  return { batchSize, length, size, normalization: opts.normalization ?? null };
}

function chunk<T>(items: readonly T[], n: number, dropLast: boolean): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) {
    const c = items.slice(i, i + n);
    if (c.length < n && dropLast) break;
    out.push(c);
  }
  return out;
}

async function* inThread(
  store: Store,
  jobs: Visit[][],
  build: BuildOptions,
): AsyncGenerator<Batch> {
  for (const job of jobs) yield buildBatch(store, job, build);
}

function inWorkers(
  store: Store,
  jobs: Visit[][],
  build: BuildOptions,
  opts: { prefetch: number; workers: number; cacheBytes: number },
): AsyncGenerator<Batch> {
  return orderedFromWorkers<Batch>({
    url: new URL("./loader_worker.ts", import.meta.url).href,
    workers: opts.workers,
    count: jobs.length,
    label: "Loader worker",
    read: (data) => {
      const m = data as { type: string; seq?: number; batch?: Batch; message?: string };
      if (m.type === "batch") return { seq: m.seq!, value: m.batch! };
      return m.type === "error" ? { error: String(m.message) } : null;
    },
    start: (pool) => {
      pool.forEach((worker, w) => {
        const seqs: number[] = [];
        for (let i = w; i < jobs.length; i += pool.length) seqs.push(i);
        const start: WorkerStart = {
          storePath: store.path,
          cacheBytes: opts.cacheBytes,
          jobs: seqs.map((i) => jobs[i]!),
          seqs,
          build,
          depth: opts.prefetch,
        };
        worker.postMessage({ type: "start", ...start });
      });
    },
    taken: (i, pool) => pool[i % pool.length]!.postMessage({ type: "credit" }),
  });
}

function stream(
  store: Store,
  plan: PlanEntry[],
  build: BuildOptions,
  opts: LoaderOptions,
  batchSize: number,
): BatchStream {
  const jobs = chunk(plan, batchSize, opts.dropLast ?? false);
  const prefetch = opts.prefetch ?? 2;
  return {
    length: jobs.length,
    rows: jobs.reduce((s, j) => s + j.length, 0),
    plan,
    [Symbol.asyncIterator](): AsyncIterator<Batch> {
      const gen = prefetch > 0
        ? inWorkers(store, jobs, build, {
          prefetch,
          workers: opts.workers ?? 1,
          cacheBytes: opts.cacheBytes ?? 64 << 20,
        })
        : inThread(store, jobs, build);
      return gen[Symbol.asyncIterator]();
    },
  };
}

/**
 * The epoch plan {@link epochBatches} uses for `ids` (object indexes refer to
 * `store.objects`). Objects without a label are left out.
 */
export function planEpoch(store: Store, ids: readonly string[], opts: EpochOptions): PlanEntry[] {
  const objs = ids.map((id) => {
    const o = store.get(id);
    return { object: o.index, label: o.labelIndex };
  });
  return epochPlan(objs, {
    seed: opts.seed,
    stage: opts.stage,
    epoch: opts.epoch,
    balance: opts.balance ?? true,
    perClass: opts.perClass,
    numClasses: store.classes.length,
  });
}

/**
 * Training batches of one epoch over `ids`.
 *
 * @example
 * ```ts
 * import { computeNormalization, epochBatches, ingest, openSource, openStore } from "./mod.ts";
 * import { simulateSurvey } from "../simulate/survey.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 8, size: 16, progress: false });
 * const source = openSource("simulated", `${dir}/s82`);
 * await ingest(source, { out: `${dir}/store`, size: 16, progress: false });
 * const store = await openStore(`${dir}/store`);
 * const trainIds = store.objects.map((o) => o.id); // in practice: a split's training ids
 * const normalization = computeNormalization(store, trainIds);
 * const stream = epochBatches(store, trainIds, {
 *   seed: 1,
 *   epoch: 0,
 *   batchSize: 4,
 *   length: 99,
 *   normalization,
 *   prefetch: 0, // build batches in this thread (default: 2 ahead in a worker)
 * });
 * console.log(`${stream.length} batches, ${stream.rows} rows (balanced classes)`);
 * for await (const b of stream) {
 *   if (!(b.frames.length === b.batchSize * 99 * 16 * 16)) throw new Error("example check failed"); // [batch, l, h, w]
 *   console.log(b.ids, b.labels); // labels: class indexes into store.classes
 * }
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function epochBatches(
  store: Store,
  ids: readonly string[],
  opts: EpochOptions,
): BatchStream {
  const common = resolveCommon(store, opts);
  const build: BuildOptions = {
    mode: "train",
    ...common,
    augment: resolveAugment(opts.augment ?? true),
    maxDrop: opts.maxDrop ?? 0.25,
    truncate: opts.truncate ?? null,
  };
  return stream(store, planEpoch(store, ids, opts), build, opts, common.batchSize);
}

/**
 * Evaluation batches over `ids`, in that order, each series cut to the
 * window of `l` frames centred on its brightest frame. Deterministic; no
 * augmentation. Labels are -1 for unlabelled objects.
 *
 * @example Every object once, in order, cut to 12 frames and 8 x 8 centre crops
 * ```ts
 * import { evalBatches, ingest, openSource, openStore } from "./mod.ts";
 * import { simulateSurvey } from "../simulate/survey.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 8, size: 16, progress: false });
 * const source = openSource("simulated", `${dir}/s82`);
 * await ingest(source, { out: `${dir}/store`, size: 16, progress: false });
 * const store = await openStore(`${dir}/store`);
 * const ids = store.objects.map((o) => o.id);
 * const stream = evalBatches(store, ids, { batchSize: 4, length: 12, size: 8, prefetch: 0 });
 * const seen: string[] = [];
 * for await (const b of stream) {
 *   if (!(b.frames.length === b.batchSize * 12 * 8 * 8)) throw new Error("example check failed"); // [batch, l, h, w]
 *   seen.push(...b.ids);
 * }
 * if (!(seen.join() === ids.join())) throw new Error("example check failed");
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function evalBatches(
  store: Store,
  ids: readonly string[],
  opts: EvalOptions = {},
): BatchStream {
  const common = resolveCommon(store, opts);
  const build: BuildOptions = {
    mode: "eval",
    ...common,
    augment: null,
    maxDrop: 0,
    cut: opts.cut ?? null,
  };
  const plan = ids.map((id) => {
    const o = store.get(id);
    return { object: o.index, label: o.labelIndex, duplicate: false, seed: 0 };
  });
  return stream(store, plan, build, opts, common.batchSize);
}
