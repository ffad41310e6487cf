/**
 * The project's one worker pool: module Workers started, read and stopped in one place
 * ({@link spawnWorkers}: a crash names the worker), used three ways:
 *
 * - results in job order, {@link orderedFromWorkers}: the ingest readers (lib/survey/simulated.ts)
 *   and the batch loader (lib/data/loader.ts);
 * - results in completion order with the worker that produced each, {@link completedFromWorkers},
 *   so a job queue hands the next job to the worker that just became free: the survey simulator
 *   (lib/simulate/survey.ts);
 * - numbered requests to long-lived workers, {@link WorkerGroup} (and {@link forEachOnWorkers}
 *   over it): the data-parallel replicas (lib/train/data_parallel.ts), which keep a model between
 *   steps, and the light-curve and heatmap cache builders (lib/baselines/cache_jobs.ts).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

/** What a worker's message means to the pool. */
export type PoolMessage<T> = { seq: number; value: T } | { error: string } | null;

/** How to run a pool: the workers, the results expected and the flow control. */
export interface OrderedPoolOptions<T> {
  /** The worker module's URL. */
  url: string;
  /** Number of workers (at least 1). */
  workers: number;
  /** Results expected, numbered 0 ... count - 1. */
  count: number;
  /** Names the workers in errors ("Loader worker"). */
  label: string;
  /** Reads a worker's message: a numbered result, an error, or null to ignore it. */
  read(message: unknown): PoolMessage<T>;
  /** Called once with every worker started: send the first jobs. */
  start(pool: Worker[]): void;
  /** Called when result `seq` is taken, before it is yielded: send more work. */
  taken(seq: number, pool: Worker[]): void;
}

/**
 * Starts `n` module Workers of `url` with their handlers: every message goes to `onMessage` with
 * the worker's index, and a crash to `onCrash` as a {@link ConventionError} naming the worker
 * (`<label> <k> crashed: ...`, k from 1). The one place the project creates Workers.
 *
 * @param url The worker module's URL.
 * @param n Number of workers.
 * @param label Names the workers in errors ("Loader worker").
 * @param onMessage Called with each message's data and the worker's index.
 * @param onCrash Called when a worker crashes.
 */
export function spawnWorkers(
  url: string,
  n: number,
  label: string,
  onMessage: (data: unknown, worker: number) => void,
  onCrash: (e: Error, worker: number) => void,
): Worker[] {
  const pool: Worker[] = [];
  for (let w = 0; w < n; w++) {
    const worker = new Worker(url, { type: "module" });
    worker.onmessage = (ev: MessageEvent) => onMessage(ev.data, w);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      onCrash(new ConventionError(`${label} ${w + 1} crashed: ${e.message}`), w);
    };
    pool.push(worker);
  }
  return pool;
}

/** The workers of a streaming pool, with the pool's message reader. */
function startWorkers<T>(
  o: Pick<OrderedPoolOptions<T>, "url" | "workers" | "count" | "label" | "read">,
  onValue: (seq: number, value: T, worker: number) => void,
  onFailure: (e: Error) => void,
): Worker[] {
  const n = Math.max(1, Math.min(o.workers, o.count));
  return spawnWorkers(o.url, n, o.label, (data, w) => {
    const m = o.read(data);
    if (m === null) return;
    if ("error" in m) onFailure(new ConventionError(`${o.label} failed: ${m.error}`));
    else onValue(m.seq, m.value, w);
  }, onFailure);
}

/** A wake-up signal for an async generator waiting on worker messages. */
function signal(): { wait(): Promise<void>; notify(): void } {
  let wake: (() => void) | null = null;
  return {
    wait: () => new Promise<void>((r) => wake = r),
    notify: () => {
      const w = wake;
      wake = null;
      w?.();
    },
  };
}

/**
 * Starts the workers and yields their results in `seq` order, whatever order
 * they arrive in. A worker's error message or crash ends the iteration with a
 * {@link ConventionError} naming `label`; the workers are terminated when the
 * iteration ends, early or not.
 *
 * @param o Pool options.
 * @returns The results in order.
 *
 * @example
 * ```ts ignore
 * const pool = orderedFromWorkers<string>({
 *   url: new URL("./my_worker.ts", import.meta.url).href,
 *   workers: 2,
 *   count: 10,
 *   label: "My worker",
 *   read: (m) => m as { seq: number; value: string },
 *   start: (pool) => pool.forEach((w, i) => w.postMessage({ first: i })),
 *   taken: (seq, pool) => pool[seq % pool.length]!.postMessage({ next: seq + pool.length }),
 * });
 * for await (const s of pool) console.log(s);
 * ```
 */
export async function* orderedFromWorkers<T>(o: OrderedPoolOptions<T>): AsyncGenerator<T> {
  if (o.count <= 0) return;
  const ready = new Map<number, T>();
  let failure: Error | null = null;
  const sig = signal();
  let pool: Worker[] = [];
  try {
    pool = startWorkers(o, (seq, value) => {
      ready.set(seq, value);
      sig.notify();
    }, (e) => {
      failure ??= e;
      sig.notify();
    });
    o.start(pool);
    for (let i = 0; i < o.count; i++) {
      while (!ready.has(i)) {
        if (failure) throw failure;
        await sig.wait();
      }
      const value = ready.get(i)!;
      ready.delete(i);
      o.taken(i, pool);
      yield value;
    }
  } finally {
    for (const w of pool) w.terminate();
  }
}

/** How to run a pool whose results are consumed in completion order. */
export interface CompletionPoolOptions<T> {
  /** The worker module's URL. */
  url: string;
  /** Number of workers (at least 1). */
  workers: number;
  /** Results expected, numbered 0 ... count - 1 (each exactly once, in any order). */
  count: number;
  /** Names the workers in errors ("Simulation worker"). */
  label: string;
  /** Reads a worker's message: a numbered result, an error, or null to ignore it. */
  read(message: unknown): PoolMessage<T>;
  /** Called once with every worker started: send the first jobs. */
  start(pool: Worker[]): void;
  /** Called when result `seq` from worker `worker` is taken, before it is yielded. */
  taken(seq: number, worker: number, pool: Worker[]): void;
}

/** One result of {@link completedFromWorkers}. */
export interface CompletedResult<T> {
  /** The result's number. */
  seq: number;
  /** The result. */
  value: T;
  /** Index of the worker that produced it, in the `pool` given to `start`. */
  worker: number;
}

/**
 * Starts the workers and yields their results as they arrive, each with its
 * number and worker (to send that worker its next job in `taken`). Ends after
 * `count` results; errors and crashes end it with a {@link ConventionError}
 * naming `label`; the workers are terminated when the iteration ends.
 *
 * @param o Pool options.
 * @returns The results in completion order.
 *
 * @example
 * ```ts ignore
 * let next = 0;
 * const jobs = 10;
 * const send = (w: Worker) => next < jobs && w.postMessage({ job: next++ });
 * for await (const r of completedFromWorkers<string>({
 *   url: new URL("./my_worker.ts", import.meta.url).href,
 *   workers: 2,
 *   count: jobs,
 *   label: "My worker",
 *   read: (m) => m as { seq: number; value: string },
 *   start: (pool) => pool.forEach(send),
 *   taken: (_seq, w, pool) => send(pool[w]!),
 * })) console.log(r.seq, r.value);
 * ```
 */
export async function* completedFromWorkers<T>(
  o: CompletionPoolOptions<T>,
): AsyncGenerator<CompletedResult<T>> {
  if (o.count <= 0) return;
  const queue: CompletedResult<T>[] = [];
  const seen = new Set<number>();
  let failure: Error | null = null;
  const sig = signal();
  let pool: Worker[] = [];
  try {
    pool = startWorkers(o, (seq, value, worker) => {
      if (seen.has(seq) || !(seq >= 0 && seq < o.count)) {
        failure ??= new ConventionError(`${o.label} sent result ${seq} twice or out of range`);
      } else {
        seen.add(seq);
        queue.push({ seq, value, worker });
      }
      sig.notify();
    }, (e) => {
      failure ??= e;
      sig.notify();
    });
    o.start(pool);
    for (let i = 0; i < o.count; i++) {
      while (queue.length === 0) {
        if (failure) throw failure;
        await sig.wait();
      }
      if (failure) throw failure;
      const r = queue.shift()!;
      o.taken(r.seq, r.worker, pool);
      yield r;
    }
  } finally {
    for (const w of pool) w.terminate();
  }
}

/** What a worker's message means to the group. */
export type GroupReply<R> = { id: number; value: R } | { id: number; error: string } | null;

/** How to start a {@link WorkerGroup}. */
export interface WorkerGroupOptions<R> {
  /** The worker module's URL. */
  url: string;
  /** Number of workers (at least 1). */
  workers: number;
  /** Names the workers in errors ("Replica worker"). */
  label: string;
  /** Reads a worker's message: the reply to request `id` (a value or an error), or null. */
  read(message: unknown): GroupReply<R>;
}

/** A worker's error reply to one request: the worker (1-based) and what it said. */
export class WorkerReplyError extends ConventionError {
  /**
   * @param label The group's label.
   * @param worker The worker, 1-based.
   * @param reason The worker's message.
   */
  constructor(label: string, readonly worker: number, readonly reason: string) {
    super(`${label} ${worker}: ${reason}`);
    this.name = "WorkerReplyError";
  }
}

interface Pending<R> {
  worker: number;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

/**
 * A fixed set of Workers and the requests in flight to them. A request's
 * promise settles with the worker's reply to its id; an error reply rejects
 * that request only ({@link WorkerReplyError}); a crash rejects every
 * pending request and every later one (the group is broken), with a
 * {@link ConventionError} naming the worker (numbered from 1).
 *
 * @example
 * ```ts ignore
 * const group = WorkerGroup.start<number>({
 *   url: new URL("./square_worker.ts", import.meta.url).href,
 *   workers: 2,
 *   label: "Square worker",
 *   read: (m) => m as { id: number; value: number },
 * });
 * try {
 *   const [a, b] = await Promise.all([group.request(0, 1, { id: 1, x: 3 }), group.request(1, 2, { id: 2, x: 4 })]);
 * } finally {
 *   group.close();
 * }
 * ```
 */
export class WorkerGroup<R> {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending<R>>();
  readonly #label: string;
  #failure: Error | null = null;

  private constructor(label: string) {
    this.#label = label;
  }

  /**
   * Starts the workers.
   *
   * @param o URL, number of workers, label and the reply reader.
   */
  static start<R>(o: WorkerGroupOptions<R>): WorkerGroup<R> {
    if (!(Number.isInteger(o.workers) && o.workers >= 1)) {
      throw new RangeError(`${o.label}: workers must be a positive integer, not ${o.workers}`);
    }
    const g = new WorkerGroup<R>(o.label);
    g.#workers.push(
      ...spawnWorkers(
        o.url,
        o.workers,
        o.label,
        (data) => g.#reply(o.read(data)),
        (e) => g.#fail(e),
      ),
    );
    return g;
  }

  /** Number of workers. */
  get size(): number {
    return this.#workers.length;
  }

  /**
   * Sends a request to one worker.
   *
   * @param worker Index of the worker (0 ... size - 1; messages number them from 1).
   * @param id The request's number, unique among the requests in flight; the reply carries it.
   * @param message The message (it includes `id` in whatever form the worker reads).
   * @param transfer Buffers to transfer with it.
   * @returns The worker's reply.
   */
  request(worker: number, id: number, message: unknown, transfer: Transferable[] = []): Promise<R> {
    if (this.#failure) return Promise.reject(this.#failure);
    const w = this.#workers[worker];
    if (!w) return Promise.reject(new RangeError(`${this.#label}: no worker ${worker}`));
    if (this.#pending.has(id)) {
      return Promise.reject(new RangeError(`${this.#label}: request ${id} is already in flight`));
    }
    return new Promise<R>((resolve, reject) => {
      this.#pending.set(id, { worker, resolve, reject });
      w.postMessage(message, transfer);
    });
  }

  #reply(m: GroupReply<R>): void {
    if (m === null) return;
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if ("error" in m) p.reject(new WorkerReplyError(this.#label, p.worker + 1, m.error));
    else p.resolve(m.value);
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }

  /** Stops the workers; pending and later requests fail. */
  close(): void {
    this.#fail(new ConventionError(`${this.#label}s were closed`));
    for (const w of this.#workers) w.terminate();
  }
}

/**
 * Runs every job of a stream on a group, one job in flight per worker, and
 * hands each reply to `onResult` in completion order. Stops taking jobs at
 * the first failure (a rejected request or an `onResult` that throws), waits
 * for the jobs in flight, then throws it.
 *
 * @param group The workers.
 * @param jobs The jobs (read lazily: a large source is never held at once).
 * @param send Posts a job to a worker: `group.request(worker, ...)`.
 * @param onResult Called once per job, in completion order.
 */
export async function forEachOnWorkers<J, R>(
  group: WorkerGroup<R>,
  jobs: AsyncIterable<J> | Iterable<J>,
  send: (job: J, worker: number) => Promise<R>,
  onResult: (r: R) => void,
): Promise<void> {
  const idle = Array.from({ length: group.size }, (_, w) => group.size - 1 - w);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  let ready: (() => void) | null = null;
  for await (const job of jobs) {
    while (idle.length === 0) await new Promise<void>((r) => ready = r);
    if (failure) break;
    const worker = idle.pop()!;
    const done: Promise<void> = send(job, worker).then(onResult).catch((e) => {
      failure ??= e;
    }).finally(() => {
      inFlight.delete(done);
      idle.push(worker);
      const r = ready;
      ready = null;
      r?.();
    });
    inFlight.add(done);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
}
