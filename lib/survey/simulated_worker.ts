/**
 * Worker of {@link simulatedSource}: reads and parses object files, posting
 * each {@link SourceItem} back with its pixel buffers transferred (no copy).
 *
 * Protocol: main -> worker `{type: "read", dir, jobs: [{seq, i, row}]}`;
 * worker -> main `{type: "item", seq, item}` per job, or `{type: "error",
 * message}`.
 *
 * @module
 */
import { readSimulatedObject } from "./simulated_object.ts";

/** One object to read. */
export interface SimulatedJob {
  /** Position in the source's output order. */
  seq: number;
  /** Catalog row index (0-based). */
  i: number;
  /** The catalog row. */
  row: Record<string, string>;
}

/** The worker global scope, typed without a triple-slash `deno.worker` lib reference. */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = (e: MessageEvent) => {
  const msg = e.data as { type: string; dir: string; jobs: SimulatedJob[] };
  if (msg.type !== "read") return;
  try {
    for (const job of msg.jobs) {
      let bytes: Uint8Array | Error;
      try {
        bytes = Deno.readFileSync(`${msg.dir}/${job.row["file"] ?? ""}`);
      } catch (err) {
        bytes = err instanceof Error ? err : new Error(String(err));
      }
      const item = readSimulatedObject(msg.dir, job.row, job.i, bytes);
      const buffers = new Set<ArrayBuffer>();
      for (const f of item.series?.frames ?? []) buffers.add(f.pixels.buffer as ArrayBuffer);
      scope.postMessage({ type: "item", seq: job.seq, item }, [...buffers]);
    }
  } catch (err) {
    scope.postMessage({ type: "error", message: (err as Error)?.message ?? String(err) });
  }
};
