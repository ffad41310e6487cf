import { orderedFromWorkers, type PoolMessage } from "../../lib/util/worker_pool.ts";
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
  const e = await assertRejects(() => collect(12, 2, 4, { crashAt: 3 }), ConventionError);
  assertEquals(e.message.startsWith("Test worker crashed: "), true, e.message);
});

Deno.test("worker pool: stopping early terminates the workers (no leaked timers or workers)", async () => {
  assertEquals((await collect(50, 2, 6, {}, 3)).values, [0, 10, 20]);
});
