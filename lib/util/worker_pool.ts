/**
 * A pool of module Workers whose results are consumed in order: the one
 * mechanism behind the ingest readers (lib/survey/simulated.ts) and the
 * batch loader (lib/data/loader.ts).
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
  const n = Math.max(1, Math.min(o.workers, o.count));
  const ready = new Map<number, T>();
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const pool: Worker[] = [];
  try {
    for (let w = 0; w < n; w++) {
      const worker = new Worker(o.url, { type: "module" });
      worker.onmessage = (ev: MessageEvent) => {
        const m = o.read(ev.data);
        if (m === null) return;
        if ("error" in m) failure ??= new ConventionError(`${o.label} failed: ${m.error}`);
        else ready.set(m.seq, m.value);
        notify();
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        failure ??= new ConventionError(`${o.label} crashed: ${e.message}`);
        notify();
      };
      pool.push(worker);
    }
    o.start(pool);
    for (let i = 0; i < o.count; i++) {
      while (!ready.has(i)) {
        if (failure) throw failure;
        await new Promise<void>((r) => wake = r);
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
