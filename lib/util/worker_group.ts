/**
 * Long-lived module Workers answering numbered requests: the request-reply
 * side of the project's worker mechanism (the streaming side, results
 * consumed as a sequence, is lib/util/worker_pool.ts). Used by the
 * data-parallel replicas (lib/train/data_parallel.ts), which keep a model
 * between steps, and by the light-curve and heatmap cache builders
 * (lib/baselines/lc_cache.ts, through {@link forEachOnWorkers}).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

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
    for (let w = 0; w < o.workers; w++) {
      const worker = new Worker(o.url, { type: "module" });
      worker.onmessage = (ev: MessageEvent) => g.#reply(o.read(ev.data));
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        g.#fail(new ConventionError(`${o.label} ${w + 1} crashed: ${e.message}`));
      };
      g.#workers.push(worker);
    }
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
