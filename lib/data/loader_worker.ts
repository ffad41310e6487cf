/**
 * Loader worker: opens the store itself and builds batches ahead of the
 * consumer, at most `depth` batches not yet acknowledged (a bounded queue),
 * posting each batch's buffers as transferables (no copy).
 *
 * Protocol (main -> worker): `{type: "start", ...WorkerStart}`, then one
 * `{type: "credit"}` per batch consumed. Worker -> main: `{type: "batch",
 * seq, batch}`, `{type: "error", message}`.
 *
 * @module
 */
import { openStoreSync, type Store } from "./store.ts";
import { buildBatch } from "./batch_builder.ts";
import { batchBuffers } from "./batch.ts";
import type { WorkerStart } from "./loader_protocol.ts";

/** The worker global scope, typed without a triple-slash `deno.worker` lib reference. */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

let store: Store | null = null;
let credits = 0;
let next = 0;
let start: WorkerStart | null = null;

function pump(): void {
  if (!start || !store) return;
  try {
    while (credits > 0 && next < start.jobs.length) {
      const batch = buildBatch(store, start.jobs[next]!, start.build);
      scope.postMessage({ type: "batch", seq: start.seqs[next], batch }, batchBuffers(batch));
      next++;
      credits--;
    }
  } catch (e) {
    scope.postMessage({ type: "error", message: (e as Error).message ?? String(e) });
    start = null;
  }
}

scope.onmessage = (ev: MessageEvent) => {
  const msg = ev.data as { type: string } & Partial<WorkerStart>;
  if (msg.type === "start") {
    start = msg as WorkerStart;
    try {
      store = openStoreSync(start.storePath, { cacheBytes: start.cacheBytes });
    } catch (e) {
      scope.postMessage({ type: "error", message: (e as Error).message ?? String(e) });
      return;
    }
    credits = start.depth;
    next = 0;
  } else if (msg.type === "credit") {
    credits++;
  }
  // Build after the message handler returns, up to the available credits.
  setTimeout(pump, 0);
};
