/**
 * `compareAll` end to end on a tiny simulated survey with the `tiny` budget: every model of
 * Table 2 trains (two stages), is evaluated on the same test objects, and the comparison files
 * are written; the light-curve cache is reused on a second call.
 */
import { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";
import { mcnemarExact } from "../../lib/eval/stats/binomial.ts";
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
    // Paired comparisons against ConvEntion ugriz on the same objects: the exact McNemar p
    // of each row follows from its discordant counts; the window is stated per input.
    const [ref, ...others] = r.comparison.rows;
    assertEquals([ref!.model, ref!.bands, ref!.paired], ["ConvEntion", "ugriz", undefined]);
    for (const row of others) {
      const p = row.paired!;
      assertEquals(p.n, row.testObjects);
      assertEquals(p.unmatched, 0);
      assertEquals(p.p, mcnemarExact(p.onlyThisRight, p.onlyReferenceRight));
      assertAlmostEquals(
        p.difference,
        (p.onlyThisRight - p.onlyReferenceRight) / p.n,
        1e-12,
      );
      assert(p.interval.lo <= p.difference && p.difference <= p.interval.hi);
      assert(row.accuracyInterval!.lo <= row.accuracy && row.accuracy <= row.accuracyInterval!.hi);
      assertEquals(row.seeds, [1]);
    }
    // The same epochs: the light-curve models read the photometry of ConvEntion's tiny window
    // (12 band-frames; the tiny CNN+LSTM/GRU read 6), and are cut early like the image models,
    // but SCONE (one heatmap per object) is not.
    assertEquals(
      new Set(r.comparison.rows.map((row) => row.window)),
      new Set([
        "12 frames around the brightest",
        "6 frames around the brightest",
        "the photometry of the image models' 12 band-frames (around the brightest; at most 8 nights)",
        "GP heatmap of the photometry of the image models' 12 band-frames",
      ]),
    );
    for (const [i, row] of r.comparison.rows.entries()) {
      const early = await Deno.readTextFile(`${r.runs[i]}/eval/early.json`).catch(() => null);
      assertEquals(early === null, row.model.startsWith("SCONE"), `early rows of ${row.model}`);
      if (!early) continue;
      const frames = (JSON.parse(early) as { meanFrames: number }[]).map((e) => e.meanFrames);
      assert(frames.every((f, k) => k === 0 || f >= frames[k - 1]!), `${row.model}: ${frames}`);
      assert(frames[0]! < frames.at(-1)!, `${row.model}: a 5-day cut sees fewer frames`);
    }
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
    // Two training seeds per row on the same split: seed 1 is reused, seed 2 trained.
    const seeds = await compareAll({
      data: `${dir}/survey`,
      models: ["convention-ugriz", "supernnova"],
      budget: "tiny",
      seeds: 2,
      testSurvey: { objects: 40, seed: 9 },
      runsDir: `${dir}/runs`,
      prepare: { cacheDir: `${dir}/cache`, progress: false },
      workers: 0,
      reports: false,
      log: (l) => lines.push(l),
    });
    assertEquals(seeds.runs.length, 4);
    for (const row of seeds.comparison.rows) {
      assertEquals(row.seeds, [1, 2]);
      assertEquals(row.seedSummary!.perSeed.map((v) => v.n), [row.n, row.n]);
    }
    // A separate test survey: every row is tested on its confirmed objects, the paper's
    // protocol is written beside it.
    const testN = seeds.comparison.rows[0]!.n!;
    assert(testN > 0);
    for (const row of seeds.comparison.rows) {
      assertEquals(row.n, testN);
      assertEquals(row.run.startsWith(`${dir}/runs/`), true);
    }
    const m = JSON.parse(await Deno.readTextFile(`${seeds.runs[0]}/eval-test-survey/metrics.json`));
    assertEquals(
      m.protocol.testSet.startsWith(`separate test survey: ${testN} confirmed objects`),
      true,
    );
    assert(seeds.files.some((f) => f.endsWith("paper-protocol/compare.md")));
    assertEquals(seeds.comparison.rows[1]!.paired!.n, testN);
    const split1 = await Deno.readTextFile(`${seeds.runs[0]}/split.json`);
    const split2 = await Deno.readTextFile(`${seeds.runs[1]}/split.json`);
    assertEquals(JSON.parse(split2).test, JSON.parse(split1).test);
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
