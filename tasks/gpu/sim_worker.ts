/**
 * Deno Worker of the GPU check: simulates the objects of one {@link SimJob}
 * and posts each back in model layout (buffers transferred). Bundled by
 * `pack.ts` into `.gpu/sim_worker.js`, next to `check.js`.
 *
 * Messages out: `{type: "sample", sample}`, `{type: "error", index, message}`,
 * then `{type: "done"}`.
 *
 * @module
 */
import { type SimJob, simulateSample } from "./sim_shared.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent<SimJob>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  close(): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (e: MessageEvent<SimJob>) => {
  const job = e.data;
  for (const index of job.indices) {
    try {
      const s = simulateSample(index, job);
      scope.postMessage({ type: "sample", sample: s }, [
        s.frames.buffer as ArrayBuffer,
        s.bands.buffer as ArrayBuffer,
        s.mask.buffer as ArrayBuffer,
      ]);
    } catch (err) {
      scope.postMessage({
        type: "error",
        index,
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }
  scope.postMessage({ type: "done" });
  scope.close();
};
