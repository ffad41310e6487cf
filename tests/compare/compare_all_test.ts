/**
 * `compareAll` end to end on a tiny simulated survey with the `tiny` budget: every model of
 * Table 2 trains (two stages), is evaluated on the same test objects, and the comparison files
 * are written; the light-curve cache is reused on a second call.
 */
import { assert, assertEquals } from "../util/assert.ts";
import { useBackend } from "../baselines/tf_setup.ts";
import { compareAll, selectModels, TABLE2_MODELS } from "../../lib/compare/compare_all.ts";
import { simulateSurvey } from "../../lib/simulate/survey.ts";
import { parse } from "csv-parse/sync";

Deno.test("compareAll trains and evaluates every Table 2 model on the same test split", async () => {
  await useBackend("wasm");
  const dir = await Deno.makeTempDir({ prefix: "convention-compare-" });
  try {
    await simulateSurvey({
      out: `${dir}/survey`,
      objects: 64,
      seed: 3,
      progress: false,
      workers: 0,
    });
    const lines: string[] = [];
    const r = await compareAll({
      data: `${dir}/survey`,
      models: "all",
      budget: "tiny",
      runsDir: `${dir}/runs`,
      prepare: { cacheDir: `${dir}/cache`, progress: false },
      workers: 0,
      reports: false,
      log: (l) => lines.push(l),
      tty: false,
    });
    assertEquals(r.runs.length, TABLE2_MODELS.length);
    assertEquals(
      r.comparison.rows.map((row) => row.bands),
      TABLE2_MODELS.map((m) => m.bands?.join("") ?? "ugriz"),
    );
    // Each row's accuracy is its run's predictions scored again, on the same test objects.
    const testIds: string[][] = [];
    for (const [i, row] of r.comparison.rows.entries()) {
      const preds = parse(await Deno.readTextFile(`${r.runs[i]}/eval/predictions.csv`), {
        columns: true,
      }) as Record<string, string>[];
      testIds.push(preds.map((p) => p.object_id!).sort());
      const right = preds.filter((p) => p.true === p.predicted).length;
      assertEquals(row.testObjects, preds.length, row.model);
      assertEquals(row.accuracy, right / preds.length, row.model);
      assert(row.parameters > 0, JSON.stringify(row));
    }
    assertEquals(new Set(testIds.map((ids) => ids.join())).size, 1, "the same test objects");
    for (const f of ["compare.md", "compare.csv", "compare.json", "compare.html"]) {
      assert(r.files.some((p) => p.endsWith(f)), `missing ${f}`);
    }
    const html = await Deno.readTextFile(r.files.find((p) => p.endsWith("compare.html"))!);
    assert(html.includes("SITS-BERT") && html.includes("<svg"), "html table and plots");
    const stores = [...Deno.readDirSync(`${dir}/cache/stores`)].map((e) => e.name);
    const ugriz = stores.find((s) => !s.includes("-g-"))!;
    assert(
      [...Deno.readDirSync(`${dir}/cache/stores/${ugriz}`)].some((e) =>
        e.name === "baselines-lightcurves.bin"
      ),
      "light curves cached next to the store",
    );
    // Runs already done are reused, not retrained.
    const again = await compareAll({
      data: `${dir}/survey`,
      models: ["supernnova"],
      budget: "tiny",
      runsDir: `${dir}/runs`,
      prepare: { cacheDir: `${dir}/cache`, progress: false },
      workers: 0,
      reports: false,
      log: (l) => lines.push(l),
    });
    assertEquals(again.comparison.rows[0]!.accuracy, r.comparison.rows.at(-1)!.accuracy);
    assert(lines.some((l) => l.includes("already trained")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("selectModels: names select rows, unknown names are usage errors", () => {
  assertEquals(selectModels(["cnn-gru"]).map((m) => m.key), ["cnn-gru-g", "cnn-gru-ugriz"]);
  assertEquals(selectModels(["convention-g"]).length, 1);
  let threw = false;
  try {
    selectModels(["nope"]);
  } catch (e) {
    threw = (e as Error).name === "UsageError";
  }
  assert(threw);
});
