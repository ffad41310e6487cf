/**
 * Evaluating a trained run on its saved test split (confirmed objects never
 * used in training or model selection): metrics with 95 % intervals, SN Ia
 * selection, calibration (the run's temperature), tables, plots,
 * predictions and the HTML report, written to `runs/<name>/eval/`.
 *
 * @module
 */
import { writeFileAtomic } from "../util/atomic.ts";
import { openStore, type Store } from "../data/store.ts";
import { loadSplit, type Split } from "../data/split.ts";
import { type LoadedRun, loadRun } from "../train/load_run.ts";
import { checkStoreFingerprint } from "../data/store_fingerprint.ts";
import { readEpochLog } from "../train/metrics_log.ts";
import { type RunInfo, runPaths, type RunTemperature, writeRunInfo } from "../train/run_dir.ts";
import { ConventionError } from "../errors.ts";
import { configToYaml } from "../train/config.ts";
import { fitRunTemperature } from "../train/calibrate.ts";
import type { EvalProtocol, Metrics } from "./metrics.ts";
import { metricsMarkdown } from "./tables.ts";
import { renderStampStrips } from "./stamps.ts";
import { buildReport, type GalleryItem } from "./report.ts";
import { compareRow } from "./compare.ts";
import { type Collected, collectPredictions } from "./collect.ts";
import { evaluationMetrics } from "./eval_metrics.ts";
import { evaluationPlots, type Plot, writeEvaluationFiles } from "./eval_files.ts";
import { earlyClassification, type EarlyRow } from "./early.ts";
import { earlyCsv, earlyMarkdown, earlySpec } from "./early_tables.ts";
import { renderSvg } from "./plots.ts";

/** Removes `early.json` and `early.csv` left by an earlier evaluation. */
async function removeEarlyFiles(evalDir: string): Promise<void> {
  for (const f of ["early.json", "early.csv", "early.svg"]) {
    await Deno.remove(`${evalDir}/${f}`).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
}

/** Writes `early.json` and `early.csv`; returns their paths. */
async function writeEarlyFiles(evalDir: string, rows: readonly EarlyRow[]): Promise<string[]> {
  const json = `${evalDir}/early.json`, csv = `${evalDir}/early.csv`;
  await writeFileAtomic(json, JSON.stringify(rows, null, 2) + "\n");
  await writeFileAtomic(csv, earlyCsv(rows));
  return [json, csv];
}

/** Options of {@link evaluateRun}. */
export interface EvaluateOptions {
  /** Also write the HTML report: true = `eval/report.html`, a string = that path. */
  report?: boolean | string;
  /** Misclassified objects in the gallery (default: the run's `eval.gallery`). */
  gallery?: number;
  /** Batch size (default: the run's `evalBatchSize`). */
  batchSize?: number;
  /** Progress bar as a live bar (default: when stderr is a terminal). */
  tty?: boolean;
  /** Messages (default stderr). */
  log?: (line: string) => void;
  /**
   * Evaluate on the confirmed labelled objects of this store (a separate test
   * survey, never used for training or selection) instead of the split's test set.
   */
  testStore?: string;
  /** Folder of the outputs inside the run folder (default `eval`). */
  evalDir?: string;
  /** Called after calibration, before the test pass (e.g. to load the test store's light curves). */
  beforeTest?: () => Promise<void> | void;
  /** Early-classification cuts in days (null = whole series; default 5, 10, 20, 40, all; false: none). */
  early?: readonly (number | null)[] | false;
  /** Apply the run's temperature (default true; fitted on validation objects if the run lacks one). */
  calibrate?: boolean;
}

/** Result of {@link evaluateRun}. */
export interface Evaluation {
  /** Run folder. */
  runDir: string;
  /** Test metrics. */
  metrics: Metrics;
  /** The Markdown tables. */
  markdown: string;
  /** Files written. */
  files: string[];
  /** The report path, when written. */
  report?: string;
  /** Early-classification rows (one per cut; empty when not asked). */
  early: EarlyRow[];
}

/**
 * The run's temperature; a run trained before calibration existed gets one
 * fitted now on its validation objects, saved into its `run.json`.
 */
async function runTemperature<I>(
  run: LoadedRun<I>,
  store: Store,
  split: Split,
  say: (line: string) => void,
): Promise<RunTemperature> {
  if (run.info.temperature) return run.info.temperature;
  const t = await fitRunTemperature({ ...run, store }, split);
  run.info.temperature = t;
  await writeRunInfo(run.dir, run.info);
  say(`calibration: fitted temperature ${t.value.toFixed(3)} on ${t.fittedOn} ${t.split} objects`);
  return t;
}

/** What the report of one run shows beyond the metrics. */
interface ReportParts<I> {
  run: LoadedRun<I>;
  split: Split;
  store: Store;
  metrics: Metrics;
  probs: number[][];
  collected: Collected;
  plots: Plot[];
  early: EarlyRow[];
  evalDir: string;
}

/** Builds and writes the HTML report of one run. */
async function writeRunReport<I>(path: string, p: ReportParts<I>): Promise<void> {
  const { run, split, store, metrics, collected } = p;
  const { info, config } = run;
  const classes = info.classes;
  const items: GalleryItem[] = [];
  for (const g of collected.gallery) {
    items.push({
      id: g.id,
      trueClass: classes[g.truth]!,
      predictedClass: classes[g.pred]!,
      probabilities: p.probs[g.row]!,
      frames: g.frames.length,
      strips: await renderStampStrips(g.frames, store.bands, 40, 0.5),
    });
  }
  const html = buildReport({
    title: `ConvEntion evaluation: ${runPaths(run.dir).name}`,
    facts: [
      ["run", run.dir],
      ["model", `${info.modelLabel} (${info.preset})`],
      ["parameters", info.parameters.toLocaleString("en-US")],
      ["data", info.store],
      ["bands", info.bands.join("")],
      ["backend", info.backend],
      ["status", info.status],
      ["train time", `${info.trainTimeS.toFixed(1)} s`],
      ["weights", run.weights],
      ["test set", metrics.protocol?.testSet ?? `${split.test.length} objects`],
      ["epochs seen", metrics.protocol?.window ?? "-"],
    ],
    metrics,
    plots: p.plots.map((x) => ({ title: x.title, svg: x.svg })),
    compare: [await compareRow(run.dir, p.evalDir)],
    gallery: items,
    early: p.early,
    misclassified: collected.misclassified,
    configYaml: configToYaml(config),
  });
  await writeFileAtomic(path, html);
}

/**
 * Opens a separate test store: it must have the run's classes and bands; its
 * confirmed labelled objects are the test set.
 */
export async function openTestStore(
  path: string,
  info: RunInfo,
): Promise<{ store: Store; ids: string[]; description: string }> {
  const store = await openStore(path);
  const same = (a: readonly string[], b: readonly string[]) => a.join(",") === b.join(",");
  if (!same(store.classes, info.classes) || !same(store.bands, info.bands)) {
    store.close();
    throw new ConventionError(
      `Test store ${path} has classes ${store.classes} and bands ${store.bands}; the run ` +
        `was trained on classes ${info.classes} and bands ${info.bands}.`,
      { hint: "Ingest the test survey for the run's bands (data.bands) and classes." },
    );
  }
  const ids = store.objects.filter((o) => o.confirmed && o.label !== null).map((o) => o.id);
  return {
    store,
    ids,
    description: `separate test survey: ${ids.length} confirmed objects of ${store.path}`,
  };
}

/** The epochs a model sees, in words. */
function evalWindow<I>(run: LoadedRun<I>): string {
  return run.entry.window?.(run.model) ?? `${run.length} frames around the brightest`;
}

/** How the run was evaluated, for the tables. */
export function evalProtocol<I>(run: LoadedRun<I>, split: Split): EvalProtocol {
  const fold = run.config.data.fold;
  if (fold) {
    return {
      testSet: `stratified ${fold.k}-fold cross-validation: fold ${fold.index + 1} of ${fold.k}, ` +
        `${split.test.length} confirmed objects (split seed ${split.seed})`,
      window: evalWindow(run),
      seed: run.config.seed,
    };
  }
  return {
    testSet: `paper protocol: ${split.test.length} confirmed objects held out ` +
      `(split.json, ${
        Math.round(100 * (split.options?.testFraction ?? 0.1))
      } % of confirmed, split seed ${split.seed})`,
    window: evalWindow(run),
    seed: run.config.seed,
  };
}

/**
 * Evaluates a run on its test split and writes `eval/metrics.json`,
 * `eval/metrics.csv`, `eval/metrics.md`, `eval/predictions.csv`,
 * `eval/confusion.svg`, `eval/learning_curves.svg`, `eval/reliability.svg`
 * and, when asked, the HTML report.
 *
 * @param dir Run folder.
 * @param opts Options.
 * @example
 * ```ts
 * import { evaluateRun, simulateSurvey, train, trainPreset } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 40, size: 16, progress: false });
 * // `cpu` is the preset for a real run on two cores, `paper` the paper's training.
 * const config = trainPreset("tiny");
 * config.backend = "wasm"; // default "auto": webgpu on a GPU, else wasm
 * config.runsDir = `${dir}/runs`;
 * config.data.source = `${dir}/s82`; // a survey, ingested once into data.store
 * config.data.store = `${dir}/store`;
 * config.stage1.epochs = 1;
 * config.stage2.epochs = 1;
 * const quiet = { log: () => {}, tty: false, prepare: { progress: false } };
 * const { runDir } = await train({ config, ...quiet });
 * const ev = await evaluateRun(runDir, { report: true, log: () => {}, tty: false });
 * console.log(ev.metrics.n, ev.metrics.accuracy, ev.metrics.macroF1); // a tiny, barely trained run
 * console.log(ev.markdown);
 * console.log(ev.files, ev.report); // eval/metrics.json, ..., eval/report.html
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function evaluateRun(dir: string, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const say = opts.log ?? ((l: string) => console.error(l));
  const paths = runPaths(dir);
  const out = `${paths.dir}/${opts.evalDir ?? "eval"}`;
  const run = await loadRun(dir, say);
  const store = await openStore(run.info.store);
  const test = opts.testStore ? await openTestStore(opts.testStore, run.info) : null;
  try {
    checkStoreFingerprint(store.path, store.index, run.info.storeFingerprint, dir);
    const split = await loadSplit(paths.split, (id) => store.indexOf(id) >= 0);
    const testStore = test?.store ?? store;
    const ids = test?.ids ?? split.test;
    const temperature = opts.calibrate === false
      ? undefined
      : await runTemperature(run, store, split, say);
    await opts.beforeTest?.();
    const collected = await collectPredictions(run, testStore, ids, {
      batchSize: opts.batchSize ?? run.config.evalBatchSize,
      galleryMax: opts.gallery ?? run.config.eval.gallery,
      label: `eval ${paths.name}`,
      tty: opts.tty,
    });
    const protocol = evalProtocol(run, split);
    if (test) protocol.testSet = test.description;
    const { metrics, probs } = evaluationMetrics(
      collected.labels,
      collected.logits,
      run.info.classes,
      { temperature, protocol },
    );
    const cuttable = run.entry.cuttable ?? true;
    if (opts.early !== false && !cuttable) {
      say(`eval: ${run.info.modelLabel} reads one input per object; no early classification.`);
    }
    const early = opts.early === false || !cuttable ? [] : await earlyClassification(
      run,
      testStore,
      ids,
      {
        cuts: opts.early,
        batchSize: opts.batchSize ?? run.config.evalBatchSize,
        temperature,
        tty: opts.tty,
      },
    );
    const md = metricsMarkdown(metrics, `Test metrics: ${paths.name} (${ids.length} objects)`) +
      (early.length ? `\n${earlyMarkdown(early, "Early classification")}` : "");
    const plots = await evaluationPlots(metrics, await readEpochLog(paths.metricsJsonl));
    if (early.length) {
      plots.push({
        title: "Early classification",
        file: "early.svg",
        svg: await renderSvg(earlySpec([{ name: run.info.modelLabel, rows: early }])),
      });
    }
    const files = await writeEvaluationFiles(out, metrics, md, { ...collected, probs }, plots);
    if (early.length) files.push(...await writeEarlyFiles(out, early));
    else await removeEarlyFiles(out);
    let report: string | undefined;
    if (opts.report) {
      report = typeof opts.report === "string" ? opts.report : `${out}/report.html`;
      const parts = {
        run,
        split,
        store: testStore,
        metrics,
        probs,
        collected,
        plots,
        early,
        evalDir: opts.evalDir ?? "eval",
      };
      await writeRunReport(report, parts);
      files.push(report);
    }
    return { runDir: dir, metrics, markdown: md, files, report, early };
  } finally {
    run.model.dispose();
    store.close();
    test?.store.close();
  }
}
