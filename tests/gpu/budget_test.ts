import { Budget, Deadline, plannedRepetitions } from "../../tasks/gpu/budget.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../util/assert.ts";

function fakeClock(): { now: number; clock: () => number } {
  const c = { now: 100, clock: () => c.now };
  return c;
}

Deno.test("Budget counts elapsed and left time on its clock", () => {
  const c = fakeClock();
  const b = new Budget(60, c.clock);
  c.now += 15;
  assertEquals(b.elapsed(), 15);
  assertEquals(b.left(), 45);
  c.now += 100;
  assertEquals(b.left(), 0);
});

Deno.test("Budget.allot keeps the reserve for later steps", () => {
  const c = fakeClock();
  const b = new Budget(100, c.clock);
  assertEquals(b.allot(0.5), 50);
  assertEquals(b.allot(0.9, 30), 70);
  c.now += 90;
  assertEquals(b.allot(0.5, 30), 0);
});

Deno.test("Budget deadlines are capped at the end of the budget", () => {
  const c = fakeClock();
  const b = new Budget(10, c.clock);
  const d = b.deadline(60);
  assertEquals(d.left(), 10);
  assert(d.fits(9.5));
  c.now += 5;
  assert(!d.fits(5.5));
  assertAlmostEquals(new Deadline(c.now + 2, c.clock).left(), 2);
});

Deno.test("Budget rejects a non-positive total", () => {
  assertThrows(() => new Budget(0), RangeError);
});

Deno.test("plannedRepetitions clamps to [min, max]", () => {
  assertEquals(plannedRepetitions(10, 1, 3, 8), 8);
  assertEquals(plannedRepetitions(5, 1, 3, 8), 5);
  assertEquals(plannedRepetitions(1, 1, 3, 8), 3);
  assertEquals(plannedRepetitions(1, 0, 3, 8), 8);
});
