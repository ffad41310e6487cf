/**
 * A pool of module Workers: the one mechanism behind the ingest readers
 * (lib/survey/simulated.ts), the batch loader (lib/data/loader.ts) and the
 * survey simulator (lib/simulate/survey.ts). Results are consumed in job
 * order ({@link orderedFromWorkers}) or in completion order, each with the
 * worker that produced it ({@link completedFromWorkers}), so a job queue can
 * hand the next job to the worker that just became free.
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

/** The workers of a pool, started with their message and error handlers. */
function startWorkers<T>(
  o: Pick<OrderedPoolOptions<T>, "url" | "workers" | "count" | "label" | "read">,
  onValue: (seq: number, value: T, worker: number) => void,
  onFailure: (e: Error) => void,
): Worker[] {
  const n = Math.max(1, Math.min(o.workers, o.count));
  const pool: Worker[] = [];
  for (let w = 0; w < n; w++) {
    const worker = new Worker(o.url, { type: "module" });
    worker.onmessage = (ev: MessageEvent) => {
      const m = o.read(ev.data);
      if (m === null) return;
      if ("error" in m) onFailure(new ConventionError(`${o.label} failed: ${m.error}`));
      else onValue(m.seq, m.value, w);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      onFailure(new ConventionError(`${o.label} crashed: ${e.message}`));
    };
    pool.push(worker);
  }
  return pool;
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
