/**
 * The cache builders' job runner: on worker threads (lib/util/worker_pool.ts)
 * it gives every job the result it gets in the calling thread.
 */
import { runJobs } from "../../lib/baselines/cache_jobs.ts";
import type { CacheJob, CacheResult } from "../../lib/baselines/cache_worker.ts";
import type { LightCurvePoint } from "../../lib/baselines/photometry.ts";
import { assertEquals } from "../util/assert.ts";

function jobs(): CacheJob[] {
  return Array.from({ length: 5 }, (_, key) => {
    const points: LightCurvePoint[] = [];
    for (let k = 0; k < 8; k++) {
      for (const band of ["g", "r"]) {
        const t = 53610 + 6 * k;
        points.push({ mjd: t, band, flux: 50 + 10 * key + 30 * Math.sin(t / 9), fluxErr: 2 });
      }
    }
    return { kind: "heatmap", key, points, options: { wavelengthBins: 6, dayBins: 20 } };
  });
}

async function run(workers: number): Promise<Map<number, CacheResult>> {
  const out = new Map<number, CacheResult>();
  await runJobs(jobs(), workers, (r) => out.set(r.key, r));
  return out;
}

Deno.test("cache jobs: 2 workers give each job the same heatmap as the calling thread", async () => {
  const here = await run(0), there = await run(2);
  assertEquals([...there.keys()].sort(), [0, 1, 2, 3, 4]);
  for (const [key, r] of here) {
    const w = there.get(key)!;
    assertEquals(r.kind, "heatmap");
    assertEquals(
      w.kind === "heatmap" && r.kind === "heatmap" && [
            Array.from(w.mean).join(),
            Array.from(w.std).join(),
          ].join("|") === [Array.from(r.mean).join(), Array.from(r.std).join()].join("|"),
      true,
      `${key}`,
    );
  }
});
