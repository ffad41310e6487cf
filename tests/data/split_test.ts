import { assert, assertEquals, assertRejects, assertThrows } from "../util/assert.ts";
import { ConventionError } from "../../lib/errors.ts";
import {
  checkSplit,
  loadSplit,
  makeSplit,
  saveSplit,
  type Split,
  type SplitObject,
  trainingIds,
} from "../../lib/data/split.ts";
import { Rng } from "../../lib/util/rng.ts";
import { tempDir } from "./synth.ts";

/** A Stripe 82-like population (paper Table 1, scaled by 1/4). */
function population(): SplitObject[] {
  const objs: SplitObject[] = [];
  const add = (label: string | null, confirmed: boolean, n: number) => {
    for (let i = 0; i < n; i++) {
      objs.push({ id: `${label}-${confirmed ? "c" : "p"}-${i}`, label, confirmed });
    }
  };
  add("AGN", true, 226);
  add("Variable", true, 806);
  add("SNIa", true, 135);
  add("SNIa", false, 362);
  add("SNOther", true, 22);
  add("SNOther", false, 510);
  add(null, false, 7);
  return objs;
}

const SETS = (s: Split) => ({
  test: s.test,
  s1t: s.stage1.train,
  s1v: s.stage1.val,
  s2t: s.stage2.train,
  s2v: s.stage2.val,
  unl: s.unlabelled,
});

Deno.test("split: no object is in two sets, and every object is in one", () => {
  const objs = population();
  const s = makeSplit(objs, { seed: 3 });
  const seen = new Map<string, string>();
  for (const [name, ids] of Object.entries(SETS(s))) {
    for (const id of ids) {
      assert(!seen.has(id), `${id} in ${seen.get(id)} and ${name}`);
      seen.set(id, name);
    }
  }
  assertEquals(seen.size, objs.length);
  checkSplit(s);
});

Deno.test("split: test holds only confirmed objects, 10 % of them, stratified", () => {
  const objs = population();
  const byId = new Map(objs.map((o) => [o.id, o]));
  const s = makeSplit(objs, { seed: 3 });
  assert(s.test.every((id) => byId.get(id)!.confirmed), "unconfirmed object in test");
  const nConfirmed = objs.filter((o) => o.confirmed && o.label !== null).length;
  assertEquals(s.test.length, Math.round(0.1 * nConfirmed));
  // Per class, within one of 10 %.
  for (const c of ["AGN", "Variable", "SNIa", "SNOther"]) {
    const n = objs.filter((o) => o.confirmed && o.label === c).length;
    assert(Math.abs(s.counts["test"]![c]! - 0.1 * n) < 1, `${c}: ${s.counts["test"]![c]} of ${n}`);
  }
});

Deno.test("split: stage 1 = unconfirmed + half the confirmed AGN/Variables; stage 2 confirmed only", () => {
  const objs = population();
  const byId = new Map(objs.map((o) => [o.id, o]));
  const s = makeSplit(objs, { seed: 11 });
  const stage1 = [...s.stage1.train, ...s.stage1.val];
  const stage2 = [...s.stage2.train, ...s.stage2.val];
  // Every unconfirmed labelled object is in stage 1.
  const unconf = objs.filter((o) => !o.confirmed && o.label !== null).map((o) => o.id);
  const s1 = new Set(stage1);
  assert(unconf.every((id) => s1.has(id)), "an unconfirmed object is not in stage 1");
  // Stage 2 (train and validation) is confirmed only; no SN confirmed object in stage 1.
  assert(stage2.every((id) => byId.get(id)!.confirmed), "unconfirmed object in stage 2");
  assert(
    stage1.every((id) =>
      !byId.get(id)!.confirmed || ["AGN", "Variable"].includes(byId.get(id)!.label!)
    ),
    "a confirmed SN is in stage 1",
  );
  // Half of the non-test confirmed AGN/Variables each way.
  // (per class within one; in total exactly round(n / 2), by largest remainders).
  const test = new Set(s.test);
  let restAll = 0, inS1All = 0;
  for (const c of ["AGN", "Variable"]) {
    const rest = objs.filter((o) => o.confirmed && o.label === c && !test.has(o.id)).length;
    const inS1 = stage1.filter((id) => byId.get(id)!.label === c && byId.get(id)!.confirmed).length;
    assert(Math.abs(inS1 - rest / 2) < 1, `${c}: ${inS1} of ${rest}`);
    restAll += rest;
    inS1All += inS1;
  }
  assertEquals(inS1All, Math.round(restAll / 2));
  // Validation is 10 % of each stage pool.
  assertEquals(s.stage1.val.length, Math.round(0.1 * stage1.length));
  assertEquals(s.stage2.val.length, Math.round(0.1 * stage2.length));
  // Normalisation objects = training only.
  assertEquals(trainingIds(s).length, s.stage1.train.length + s.stage2.train.length);
});

Deno.test("split: same seed, same split (whatever the input order); another seed differs", () => {
  const objs = population();
  const a = makeSplit(objs, { seed: 42 });
  const shuffled = new Rng(7).shuffle([...objs]);
  const b = makeSplit(shuffled, { seed: 42 });
  assertEquals(a, b);
  const c = makeSplit(objs, { seed: 43 });
  assert(JSON.stringify(a.test) !== JSON.stringify(c.test), "seed has no effect");
});

Deno.test("split: saved and loaded unchanged; a corrupted split is refused", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    const s = makeSplit(population(), { seed: 1 });
    await saveSplit(`${dir}/split.json`, s);
    assertEquals(await loadSplit(`${dir}/split.json`), s);
    const bad = { ...s, test: [...s.test, s.stage1.train[0]!] };
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify(bad));
    await assertRejects(() => loadSplit(`${dir}/bad.json`), ConventionError, /both/);
    await assertRejects(
      () => loadSplit(`${dir}/split.json`, (id) => id !== s.test[0]),
      ConventionError,
      /not in the store/,
    );
  } finally {
    await cleanup();
  }
});

Deno.test("split: unknown labels and repeated ids are refused", () => {
  assertThrows(
    () => makeSplit([{ id: "a", label: "Nova", confirmed: true }], { seed: 1 }),
    ConventionError,
    /Nova/,
  );
  assertThrows(
    () =>
      makeSplit([{ id: "a", label: "AGN", confirmed: true }, {
        id: "a",
        label: "AGN",
        confirmed: true,
      }], {
        seed: 1,
      }),
    ConventionError,
    /twice/,
  );
});
