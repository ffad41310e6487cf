/**
 * Simulates a training set in parallel with Deno Workers (one interleaved
 * share of the indices each) and gathers it into one set of flat arrays.
 * Deterministic: each object depends only on (seed, objects, index).
 *
 * @module
 */
import type { SimJob, SimSample } from "./sim_shared.ts";

/** A simulated set in model layout. */
export interface SimSet {
  /** Number of objects asked for. */
  n: number;
  length: number;
  size: number;
  /** `[n, l, size, size]` raw pixels. */
  frames: Float32Array;
  /** `[n, l]` band ids. */
  bands: Int32Array;
  /** `[n, l]` frame mask. */
  mask: Float32Array;
  /** `[n]` catalogue label index (-1 for objects that failed). */
  labels: Int32Array;
  /** `[n]` true class index. */
  trueLabels: Int32Array;
  /** Objects whose simulation failed (skipped), with the reason. */
  failed: { index: number; message: string }[];
  /** Wall time of the simulation, seconds. */
  seconds: number;
  /** Workers used. */
  workers: number;
}

/** The worker script next to this module (`sim_worker.js` when bundled, `.ts` from source). */
export function workerUrl(base: string = import.meta.url): URL {
  return new URL(base.endsWith(".js") ? "./sim_worker.js" : "./sim_worker.ts", base);
}

/** Interleaved shares: worker w gets indices w, w + W, w + 2W, ... */
export function shareIndices(n: number, workers: number): number[][] {
  const shares: number[][] = Array.from({ length: workers }, () => []);
  for (let i = 0; i < n; i++) shares[i % workers]!.push(i);
  return shares.filter((s) => s.length > 0);
}

/**
 * Simulates objects `0 .. n-1` with `workers` Workers.
 *
 * @param onProgress Called with the number of objects done so far.
 */
export function simulateSet(
  n: number,
  workers: number,
  job: Omit<SimJob, "indices">,
  onProgress: (done: number) => void = () => {},
  url: URL = workerUrl(),
): Promise<SimSet> {
  const t0 = performance.now();
  const { length: l, size } = job;
  const fpx = l * size * size;
  const set: SimSet = {
    n,
    length: l,
    size,
    frames: new Float32Array(n * fpx),
    bands: new Int32Array(n * l),
    mask: new Float32Array(n * l),
    labels: new Int32Array(n).fill(-1),
    trueLabels: new Int32Array(n).fill(-1),
    failed: [],
    seconds: 0,
    workers: 0,
  };
  const shares = shareIndices(n, Math.max(1, workers));
  set.workers = shares.length;
  let done = 0;
  return new Promise((resolve, reject) => {
    let running = shares.length;
    for (const indices of shares) {
      const w = new Worker(url, { type: "module" });
      w.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`simulation worker failed: ${e.message}`));
      };
      w.onmessage = (e: MessageEvent) => {
        const m = e.data as
          | { type: "sample"; sample: SimSample }
          | { type: "error"; index: number; message: string }
          | { type: "done" };
        if (m.type === "sample") {
          const s = m.sample;
          set.frames.set(s.frames, s.index * fpx);
          set.bands.set(s.bands, s.index * l);
          set.mask.set(s.mask, s.index * l);
          set.labels[s.index] = s.label;
          set.trueLabels[s.index] = s.trueLabel;
          onProgress(++done);
        } else if (m.type === "error") {
          set.failed.push({ index: m.index, message: m.message });
          onProgress(++done);
        } else {
          w.terminate();
          if (--running === 0) {
            set.seconds = (performance.now() - t0) / 1000;
            resolve(set);
          }
        }
      };
      w.postMessage({ ...job, indices } satisfies SimJob);
    }
  });
}
