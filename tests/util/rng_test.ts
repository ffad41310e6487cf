import { Rng } from "../../lib/util/rng.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("rng: same seed, same sequence; state round-trips", () => {
  const a = new Rng(42), b = new Rng(42);
  for (let i = 0; i < 100; i++) assertEquals(a.nextUint32(), b.nextUint32());
  a.normal();
  const c = new Rng(a.state());
  for (let i = 0; i < 100; i++) assertEquals(a.normal(), c.normal());
  assert(new Rng(1).nextUint32() !== new Rng(2).nextUint32());
});

Deno.test("rng: uniform and normal moments", () => {
  const r = new Rng(7);
  let s = 0, s2 = 0, u = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    u += r.next();
  }
  assert(Math.abs(s / n) < 0.01, `mean ${s / n}`);
  assert(Math.abs(s2 / n - 1) < 0.01, `var ${s2 / n}`);
  assert(Math.abs(u / n - 0.5) < 0.005, `uniform mean ${u / n}`);
});
