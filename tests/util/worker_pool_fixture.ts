/// <reference lib="deno.worker" />
/**
 * Test worker for orderedFromWorkers: answers job `seq` with `seq * 10` after
 * a delay that makes later jobs arrive first (job 0: 400 ms, the others 20-35 ms); job `failAt` answers with an
 * error message, job `crashAt` throws.
 */
self.onmessage = (ev: MessageEvent) => {
  const m = ev.data as { seq: number; failAt?: number; crashAt?: number };
  if (m.seq === m.crashAt) throw new Error(`job ${m.seq} threw`);
  setTimeout(() => {
    if (m.seq === m.failAt) self.postMessage({ error: `job ${m.seq} is bad` });
    else self.postMessage({ seq: m.seq, value: m.seq * 10 });
  }, m.seq === 0 ? 400 : (7 - (m.seq % 4)) * 5); // job 0 far the slowest, even under load
};
