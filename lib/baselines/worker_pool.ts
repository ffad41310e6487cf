/**
 * A small pool of Deno Workers running {@link CacheJob}s from an (async) stream of jobs, a
 * bounded number in flight, results handed back in completion order. With 0 workers the jobs
 * run in the calling thread (same results: every job is deterministic).
 *
 * @module
 */
import { type CacheJob, type CacheResult, runCacheJob } from "./cache_worker.ts";

/**
 * Runs every job and calls `onResult` for each result.
 *
 * @param jobs The jobs (keys must be unique).
 * @param workers Number of workers (0 = in this thread).
 * @param onResult Called once per job, in completion order.
 */
export async function runJobs(
  jobs: AsyncIterable<CacheJob> | Iterable<CacheJob>,
  workers: number,
  onResult: (r: CacheResult) => void,
): Promise<void> {
  if (workers <= 0) {
    for await (const job of jobs) onResult(runCacheJob(job));
    return;
  }
  const pool = Array.from(
    { length: workers },
    () => new Worker(new URL("./cache_worker.ts", import.meta.url).href, { type: "module" }),
  );
  const idle: Worker[] = [...pool];
  let waiting: (() => void) | null = null;
  let failure: unknown = null;
  const wake = (): void => {
    const w = waiting;
    waiting = null;
    w?.();
  };
  for (const w of pool) {
    w.onmessage = (ev: MessageEvent<CacheResult>) => {
      try {
        onResult(ev.data);
      } catch (e) {
        failure ??= e;
      }
      idle.push(w);
      wake();
    };
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      failure ??= new Error(`cache worker failed: ${ev.message}`);
      idle.push(w);
      wake();
    };
  }
  const waitIdle = (): Promise<void> => new Promise((resolve) => (waiting = resolve));
  try {
    for await (const job of jobs) {
      while (idle.length === 0) await waitIdle();
      if (failure) throw failure;
      idle.pop()!.postMessage(job);
    }
    while (idle.length < pool.length) await waitIdle();
    if (failure) throw failure;
  } finally {
    for (const w of pool) w.terminate();
  }
}
