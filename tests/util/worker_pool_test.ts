import {
  completedFromWorkers,
  orderedFromWorkers,
  type PoolMessage,
} from "../../lib/util/worker_pool.ts";
import { ConventionError } from "../../lib/errors.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const url = new URL("./worker_pool_fixture.ts", import.meta.url).href;

/** Runs `count` jobs on `workers` workers, at most `ahead` jobs sent beyond the consumer. */
async function collect(
  count: number,
  workers: number,
  ahead: number,
  extra: { failAt?: number; crashAt?: number } = {},
  stopAfter = Infinity,
): Promise<{ values: number[]; sentMax: number }> {
  let sent = 0;
  let sentMax = 0;
  const send = (pool: Worker[], upTo: number) => {
    while (sent < Math.min(count, upTo)) {
      pool[sent % pool.length]!.postMessage({ seq: sent, ...extra });
      sent++;
    }
  };
  const values: number[] = [];
  for await (
    const v of orderedFromWorkers<number>({
      url,
      workers,
      count,
      label: "Test worker",
      read: (m) => m as PoolMessage<number>,
      start: (pool) => send(pool, ahead),
      taken: (i, pool) => {
        send(pool, i + 1 + ahead);
        sentMax = Math.max(sentMax, sent - (i + 1));
      },
    })
  ) {
    values.push(v);
    if (values.length >= stopAfter) break;
  }
  return { values, sentMax };
}

Deno.test("worker pool: results come in job order whatever order they arrive in", async () => {
  const { values, sentMax } = await collect(23, 3, 5);
  assertEquals(values, [...Array(23)].map((_, i) => i * 10));
  assertEquals(sentMax <= 5, true, `at most 5 jobs ahead, saw ${sentMax}`);
});

Deno.test("worker pool: more workers than jobs, and no jobs at all", async () => {
  assertEquals((await collect(2, 8, 4)).values, [0, 10]);
  assertEquals((await collect(0, 2, 4)).values, []);
});

Deno.test("worker pool: a worker's error message ends the iteration with a named error", async () => {
  const e = await assertRejects(() => collect(12, 2, 4, { failAt: 6 }), ConventionError);
  assertEquals(e.message, "Test worker failed: job 6 is bad");
});

Deno.test("worker pool: a worker that throws ends the iteration with a named error", async () => {
  // Job 3 runs on the second worker (jobs are dealt round-robin): the error names it.
  const e = await assertRejects(() => collect(12, 2, 4, { crashAt: 3 }), ConventionError);
  assertEquals(e.message.startsWith("Test worker 2 crashed: "), true, e.message);
});

Deno.test("worker pool: stopping early terminates the workers (no leaked timers or workers)", async () => {
  assertEquals((await collect(50, 2, 6, {}, 3)).values, [0, 10, 20]);
});

/** Runs `count` jobs as a queue: each worker gets its next job when its last result is taken. */
async function queue(
  count: number,
  workers: number,
  extra: { failAt?: number } = {},
): Promise<{ seqs: number[]; values: number[]; maxInFlight: number; byWorker: number[] }> {
  let next = 0;
  const inFlight: number[] = [];
  let maxInFlight = 0;
  const send = (pool: Worker[], w: number) => {
    if (next >= count) return;
    inFlight[w] = (inFlight[w] ?? 0) + 1;
    maxInFlight = Math.max(maxInFlight, inFlight[w]!);
    pool[w]!.postMessage({ seq: next++, ...extra });
  };
  const seqs: number[] = [], values: number[] = [], byWorker: number[] = [];
  for await (
    const r of completedFromWorkers<number>({
      url,
      workers,
      count,
      label: "Test worker",
      read: (m) => m as PoolMessage<number>,
      start: (pool) => pool.forEach((_, w) => send(pool, w)),
      taken: (_seq, w, pool) => {
        inFlight[w]!--;
        send(pool, w);
      },
    })
  ) {
    seqs.push(r.seq);
    values.push(r.value);
    byWorker[r.worker] = (byWorker[r.worker] ?? 0) + 1;
  }
  return { seqs, values, maxInFlight, byWorker };
}

Deno.test("worker pool, completion order: every result once, with its worker, one job in flight per worker", async () => {
  const { seqs, values, maxInFlight, byWorker } = await queue(17, 3);
  assertEquals([...seqs].sort((a, b) => a - b), [...Array(17)].map((_, i) => i));
  assertEquals(values, seqs.map((s) => s * 10));
  assertEquals(maxInFlight, 1);
  assertEquals(byWorker.length, 3);
  assertEquals(byWorker.reduce((a, b) => a + b, 0), 17);
  // The fixture answers job 2 (25 ms) long before job 0 (400 ms): completion order, not job order.
  assertEquals(seqs.indexOf(2) < seqs.indexOf(0), true, seqs.join(","));
});

Deno.test("worker pool, completion order: no jobs, and an error message ends it with a named error", async () => {
  assertEquals((await queue(0, 2)).seqs, []);
  const e = await assertRejects(() => queue(9, 2, { failAt: 4 }), ConventionError);
  assertEquals(e.message, "Test worker failed: job 4 is bad");
});
