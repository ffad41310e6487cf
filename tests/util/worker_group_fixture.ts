/// <reference lib="deno.worker" />
/**
 * Test worker for WorkerGroup: answers `{ id, x }` with `{ id, value: x * x }`
 * after a delay that makes small x arrive last; `x < 0` answers with an error
 * message, `x === 13` throws (a crash).
 */
self.onmessage = (ev: MessageEvent) => {
  const m = ev.data as { id: number; x: number };
  if (m.x === 13) throw new Error("13 is unlucky");
  setTimeout(() => {
    if (m.x < 0) self.postMessage({ id: m.id, error: `${m.x} is negative` });
    else self.postMessage({ id: m.id, value: m.x * m.x });
  }, Math.max(0, 40 - 5 * Math.abs(m.x)));
};
