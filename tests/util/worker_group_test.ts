import {
  forEachOnWorkers,
  type GroupReply,
  WorkerGroup,
  WorkerReplyError,
} from "../../lib/util/worker_pool.ts";
import { ConventionError } from "../../lib/errors.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const start = (workers: number) =>
  WorkerGroup.start<number>({
    url: new URL("./worker_group_fixture.ts", import.meta.url).href,
    workers,
    label: "Square worker",
    read: (m) => m as GroupReply<number>,
  });

Deno.test("worker group: each request gets the reply to its id, whatever the arrival order", async () => {
  const g = start(2);
  try {
    const xs = [1, 2, 3, 4, 5, 6];
    const got = await Promise.all(xs.map((x, i) => g.request(i % 2, i, { id: i, x })));
    assertEquals(got, [1, 4, 9, 16, 25, 36]);
  } finally {
    g.close();
  }
});

Deno.test("worker group: an error reply fails that request only, naming the worker", async () => {
  const g = start(2);
  try {
    const e = await assertRejects(() => g.request(1, 7, { id: 7, x: -2 }), WorkerReplyError);
    assertEquals([e.message, e.worker, e.reason], [
      "Square worker 2: -2 is negative",
      2,
      "-2 is negative",
    ]);
    assertEquals(await g.request(1, 8, { id: 8, x: 3 }), 9);
    const pending = g.request(0, 9, { id: 9, x: 1 });
    await assertRejects(() => g.request(1, 9, { id: 9, x: 2 }), RangeError);
    assertEquals(await pending, 1);
  } finally {
    g.close();
  }
});

Deno.test("worker group: a crash fails the pending and every later request", async () => {
  const g = start(2);
  try {
    const slow = g.request(0, 1, { id: 1, x: 0 });
    const e = await assertRejects(() => g.request(1, 2, { id: 2, x: 13 }), ConventionError);
    assertEquals(e.message.startsWith("Square worker 2 crashed: "), true, e.message);
    await assertRejects(() => slow, ConventionError);
    await assertRejects(() => g.request(0, 3, { id: 3, x: 2 }), ConventionError);
  } finally {
    g.close();
  }
});

Deno.test("worker group: forEachOnWorkers runs a lazy stream, one job in flight per worker", async () => {
  const g = start(3);
  let pulled = 0, inFlight = 0, most = 0;
  async function* jobs() {
    for (let x = 0; x < 10; x++) {
      pulled++;
      yield x;
    }
  }
  const results: number[] = [];
  try {
    await forEachOnWorkers(g, jobs(), (x, w) => {
      inFlight++;
      most = Math.max(most, inFlight);
      return g.request(w, x, { id: x, x }).finally(() => inFlight--);
    }, (r) => results.push(r));
  } finally {
    g.close();
  }
  assertEquals(pulled, 10);
  assertEquals(most, 3);
  assertEquals(results.toSorted((a, b) => a - b), [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
});

Deno.test("worker group: forEachOnWorkers stops at the first failure and throws it", async () => {
  const g = start(2);
  let pulled = 0;
  function* jobs() {
    for (const x of [1, -1, 2, 3, 4, 5, 6, 7, 8]) {
      pulled++;
      yield x;
    }
  }
  try {
    await assertRejects(
      () =>
        forEachOnWorkers(g, jobs(), (x, w) => g.request(w, x + 100, { id: x + 100, x }), () => {}),
      WorkerReplyError,
    );
  } finally {
    g.close();
  }
  assertEquals(pulled < 9, true, `pulled ${pulled} of 9 jobs`);
});
