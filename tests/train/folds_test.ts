import { assert, assertEquals, assertThrows } from "../util/assert.ts";
import { ConventionError } from "../../lib/errors.ts";
import { foldOf, makeFoldSplit } from "../../lib/train/folds.ts";
import { trainingIds } from "../../lib/data/split.ts";
import { merge, trainPreset } from "../../lib/train/config.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { trainFolds } from "../../lib/compare/train_folds.ts";
import { writeTinySurvey } from "./fixture.ts";

const CLASSES = ["AGN", "SNIa", "Variable", "SNOther"];
// 23 confirmed (7 AGN, 5 SNIa, 9 Variable, 2 SNOther), 6 unconfirmed SNe, 1 unlabelled.
const objects = [
  ...Array.from({ length: 7 }, (_, i) => ({ id: `agn${i}`, label: "AGN", confirmed: true })),
  ...Array.from({ length: 5 }, (_, i) => ({ id: `ia${i}`, label: "SNIa", confirmed: true })),
  ...Array.from({ length: 9 }, (_, i) => ({ id: `var${i}`, label: "Variable", confirmed: true })),
  ...Array.from({ length: 2 }, (_, i) => ({ id: `sno${i}`, label: "SNOther", confirmed: true })),
  ...Array.from({ length: 6 }, (_, i) => ({ id: `u${i}`, label: "SNIa", confirmed: false })),
  { id: "nolabel", label: null, confirmed: false },
];

Deno.test("folds: every confirmed object in exactly one fold, classes dealt evenly", () => {
  const k = 3;
  const f = foldOf(objects, k, 1);
  assertEquals(f.size, 23);
  const sizes = [0, 1, 2].map((i) => [...f.values()].filter((x) => x === i).length);
  assert(Math.max(...sizes) - Math.min(...sizes) <= 1, `${sizes}`);
  for (const cls of CLASSES) {
    const per = [0, 1, 2].map((i) =>
      objects.filter((o) => o.label === cls && o.confirmed && f.get(o.id) === i).length
    );
    assert(Math.max(...per) - Math.min(...per) <= 1, `${cls}: ${per}`);
  }
  // The same seed gives the same folds, whatever the input order.
  assertEquals(foldOf([...objects].reverse(), k, 1), f);
  assertThrows(() => foldOf(objects, 1, 1), ConventionError);
});

Deno.test("folds: each fold's split tests on it alone; the folds cover the confirmed objects once", () => {
  const k = 3;
  const tested: string[] = [];
  for (let i = 0; i < k; i++) {
    const s = makeFoldSplit(objects, { k, index: i }, { seed: 1, classes: CLASSES });
    const train = new Set([...trainingIds(s), ...s.stage1.val, ...s.stage2.val]);
    for (const id of s.test) assert(!train.has(id), `${id} in test and training`);
    // Everything labelled that is not tested is used by the stages.
    assertEquals(train.size + s.test.length, 29);
    assertEquals(
      Object.values(s.counts.test!).reduce((a, b) => a + b, 0),
      s.test.length,
    );
    tested.push(...s.test);
  }
  assertEquals(tested.length, 23);
  assertEquals(new Set(tested).size, 23);
  assertThrows(
    () => makeFoldSplit(objects, { k, index: 3 }, { seed: 1, classes: CLASSES }),
    ConventionError,
  );
});

Deno.test("folds: trainFolds pools one prediction per confirmed object", async () => {
  await selectBackend("wasm", { quiet: true });
  const root = await Deno.makeTempDir({ prefix: "convention-folds-" });
  try {
    await writeTinySurvey(`${root}/survey`);
    const config = merge(trainPreset("tiny"), {
      name: "cv",
      runsDir: `${root}/runs`,
      backend: "wasm",
      data: { source: `${root}/survey`, store: `${root}/store` },
      stage1: { epochs: 1 },
      stage2: { epochs: 1 },
    } as Record<string, unknown>);
    const r = await trainFolds(config, 2, { log: () => {}, tty: false });
    assertEquals(r.runs.length, 2);
    const tests = await Promise.all(
      r.runs.map(async (d) => JSON.parse(await Deno.readTextFile(`${d}/split.json`)).test),
    );
    assertEquals(r.pooled.n, tests[0].length + tests[1].length);
    assertEquals(new Set([...tests[0], ...tests[1]]).size, r.pooled.n);
    assert(r.pooled.intervals!.accuracyClopperPearson.lo <= r.pooled.accuracy);
    const m = JSON.parse(await Deno.readTextFile(`${r.runs[0]}/eval/metrics.json`));
    assertEquals(
      m.protocol.testSet.startsWith("stratified 2-fold cross-validation: fold 1 of 2"),
      true,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
