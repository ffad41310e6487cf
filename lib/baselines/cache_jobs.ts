/**
 * Runs {@link CacheJob}s (forced photometry, GP heatmaps) from an (async)
 * stream of jobs on cache workers (lib/util/worker_pool.ts, one job in
 * flight per worker), results handed back in completion order. With 0
 * workers the jobs run in the calling thread (same results: every job is
 * deterministic).
 *
 * @module
 */
import { forEachOnWorkers, WorkerGroup } from "../util/worker_pool.ts";
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
  const group = WorkerGroup.start<CacheResult>({
    url: new URL("./cache_worker.ts", import.meta.url).href,
    workers,
    label: "Cache worker",
    read: (m) => ({ id: (m as CacheResult).key, value: m as CacheResult }),
  });
  try {
    await forEachOnWorkers(group, jobs, (job, w) => group.request(w, job.key, job), onResult);
  } finally {
    group.close();
  }
}
