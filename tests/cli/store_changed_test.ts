/**
 * Issue 14 §3 finding 7 (and 9 for predict): `ingest --out` over a store
 * needs `--force`; a run records its store's fingerprint, and eval, predict
 * on that store and --resume refuse the store once it was re-ingested.
 */
import { checkStoreFingerprint, storeFingerprint } from "../../lib/data/store_fingerprint.ts";
import { openStore } from "../../lib/data/store.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "../util/assert.ts";
import { cli } from "../util/cli.ts";
import { writeTinySurvey } from "../train/fixture.ts";

Deno.test("store fingerprint: recorded by train; a re-ingested store is refused by eval, predict and --resume", async () => {
  const root = await Deno.makeTempDir({ prefix: "store_changed_" });
  try {
    const survey = `${root}/survey`, store = `${root}/store`, runs = `${root}/runs`;
    await writeTinySurvey(survey, 4);
    const ing = await cli("ingest", survey, "--out", store, "-q");
    assertEquals(ing.code, 0, ing.stderr);
    const before = await openStore(store);
    const fpBefore = storeFingerprint(before.index);
    before.close();
    assertMatch(fpBefore, /^[0-9a-f]{16}$/);
    const t = await cli(
      "train",
      ...["--preset", "tiny", "--backend", "wasm", "--epochs1", "1", "--epochs2", "1"],
      ...["--data", store, "--runs-dir", runs, "--name", "r", "--no-eval"],
    );
    assertEquals(t.code, 0, t.stderr);
    const info = JSON.parse(await Deno.readTextFile(`${runs}/r/run.json`));
    assertEquals(info.storeFingerprint, fpBefore);
    assertEquals((await cli("eval", `${runs}/r`, "--no-report", "--json")).code, 0);
    // Finding 11: every run-folder file the README names exists.
    const readme = await Deno.readTextFile("README.md");
    const para = /\*\*Run folder\*\*:([\s\S]*?)\n- \*\*|\*\*Run folder\*\*:([\s\S]*?)\n\n/.exec(
      readme,
    );
    assert(para, "README has a **Run folder** entry");
    const names = [...(para[1] ?? para[2]!).matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    assert(names.includes("best/model.safetensors"), names.join(", "));
    for (const name of names) await Deno.stat(`${runs}/r/${name}`);

    // Over an existing store: refused without --force, nothing replaced.
    const again = await cli("ingest", survey, "--out", store, "-q");
    assertEquals(again.code, 1);
    assertMatch(again.stderr, /already holds a store; it was not replaced/);
    assertMatch(again.stderr, /--force/);
    const same = await openStore(store);
    assertEquals(storeFingerprint(same.index), fpBefore);
    same.close();

    const forced = await cli(
      "ingest",
      survey,
      "--out",
      store,
      "--force",
      "--dtype",
      "float16",
      "-q",
    );
    assertEquals(forced.code, 0, forced.stderr);
    const after = await openStore(store);
    assert(storeFingerprint(after.index) !== fpBefore, "a new ingest has a new fingerprint");
    assertThrows(
      () => checkStoreFingerprint(store, after.index, fpBefore, `${runs}/r`),
      Error,
      /changed since run/,
    );
    after.close();
    for (
      const args of [
        ["eval", `${runs}/r`, "--no-report"],
        ["predict", "--model", `${runs}/r`, store],
        ["train", "--resume", `${runs}/r`],
      ]
    ) {
      const r = await cli(...args);
      assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assertMatch(r.stderr, /error: The store .* changed since run .* was trained on it/);
    }

    // Finding 9 for predict: an empty folder is an error, not silence.
    await Deno.mkdir(`${root}/empty`);
    const p = await cli("predict", "--model", `${runs}/r`, `${root}/empty`);
    assertEquals(p.code, 1, p.stderr);
    assertMatch(p.stderr, /error: no object to classify was found in .*empty/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
