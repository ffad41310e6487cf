/**
 * The paper's Table 2 on any data: `convention compare --data D --models all --budget cpu|paper`
 * trains every model (ConvEntion ugriz and g, CNN+GRU and CNN+LSTM on g and on ugriz images,
 * SuperNNova-like RNN and its Bayesian variant, SITS-BERT-like transformer and SCONE-like GP
 * heatmap CNN on light curves measured from the stamps) with the same training preset, seed,
 * split, balancing and two stages, evaluates each on the same confirmed test objects, and writes
 * the comparison (Markdown, CSV, JSON, and a self-contained HTML report linking each run's own
 * report).
 *
 * Budgets: `cpu` = the `cpu` training preset (batch 8, asinh pixel stretch, balanced epochs of
 * 200 and 80 objects per class) with 12 + 12 epochs ({@link CPU_BUDGET_OVERRIDE}) and the
 * models' cpu presets (16x16 stamps and 48 frames for the image models, 32 epochs for the
 * light-curve sequence models); `paper` = the `paper` training preset (50 + 50 epochs, batch
 * 128) and the paper-size models, for a GPU; `tiny` = tests.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { merge, type TrainConfig, trainPreset } from "../train/config.ts";
import { type PrepareOptions, prepareStore } from "../train/data_source.ts";
import { train } from "../train/train.ts";
import { evaluateRun } from "../eval/evaluate.ts";
import {
  compareRuns,
  compareSeedGroups,
  type Comparison,
  writeComparison,
} from "../eval/compare.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { DEFAULT_TRUNCATE } from "../data/truncate.ts";
import { fmtTime } from "../util/progress.ts";
import { LIGHT_CURVE_MODELS, useStoreLightCurves } from "./lc_setup.ts";
import { useLightCurveData } from "../baselines/lc_data.ts";
import "./register_baselines.ts";
import { compareHtml, earlyComparisonSvg, testSetOf } from "./compare_report.ts";
import {
  DEFAULT_TEST_SURVEY,
  ensureTestSurvey,
  evaluateOnTestSurvey,
  TEST_SURVEY_EVAL,
  type TestSurvey,
} from "./test_survey.ts";

/** One row of the comparison: a registered model on a band set. */
export interface CompareModel {
  /** Row key, used in run names (`convention-ugriz`). */
  key: string;
  /** Registry name. */
  model: string;
  /** Bands kept (null = all the data's bands). */
  bands: string[] | null;
}

/** The rows of the paper's Table 2 (plus the all-band image baselines), in table order. */
export const TABLE2_MODELS: readonly CompareModel[] = [
  { key: "convention-ugriz", model: "convention", bands: null },
  { key: "convention-g", model: "convention", bands: ["g"] },
  { key: "cnn-gru-g", model: "cnn-gru", bands: ["g"] },
  { key: "cnn-lstm-g", model: "cnn-lstm", bands: ["g"] },
  { key: "cnn-gru-ugriz", model: "cnn-gru", bands: null },
  { key: "cnn-lstm-ugriz", model: "cnn-lstm", bands: null },
  { key: "supernnova-bayes", model: "supernnova-bayes", bands: null },
  { key: "sits-bert", model: "sits-bert", bands: null },
  { key: "scone", model: "scone", bands: null },
  { key: "supernnova", model: "supernnova", bands: null },
];

/** Training budgets. */
export type Budget = "cpu" | "paper" | "tiny";

/**
 * What the `cpu` budget changes in the `cpu` training preset: twice its epochs (12 + 12
 * balanced epochs of 800 and 320 objects). With the preset's 6 + 6 every model was still
 * improving at the end, and the ten models trained in 34 minutes on the 2-core machine; 12 + 12
 * keeps the whole comparison well within the 2-hour budget (docs/benchmark_details.md#baselines).
 */
export const CPU_BUDGET_OVERRIDE: Readonly<Record<string, unknown>> = {
  stage1: { epochs: 12 },
  stage2: { epochs: 12 },
};

/** Options of {@link compareAll}. */
export interface CompareAllOptions {
  /** Data: `default`, a store, or a survey to ingest. */
  data: string;
  /** `all`, or row keys / registry names (a registry name selects all its rows). */
  models: "all" | readonly string[];
  /** Budget (default `cpu`). */
  budget?: Budget;
  /** Folder of the run folders (default `runs`). */
  runsDir?: string;
  /** Where the comparison files go (default `<runsDir>/compare-<budget>`). */
  out?: string;
  /** Seed of the split and of the first training seed (default 1). */
  seed?: number;
  /**
   * A separate simulated test survey every run is evaluated on (besides the paper's protocol);
   * default {@link DEFAULT_TEST_SURVEY} for `data: "default"` (not with the tiny budget), null: none.
   */
  testSurvey?: TestSurvey | null;
  /** Training seeds per row: seed, seed + 1, ... (default 1), all on the same split. */
  seeds?: number;
  /** Run-name prefix (default `table2-<budget>`). */
  prefix?: string;
  /** Configuration changes applied to every run (e.g. a smaller epoch count). */
  override?: Record<string, unknown>;
  /** Data preparation (cache folder, default-survey creator). */
  prepare?: PrepareOptions;
  /** Backend choice hook, called once (`auto` by the CLI). */
  selectBackend?: (choice: TrainConfig["backend"]) => Promise<string>;
  /** Worker threads for photometry and GP fits (default 2). */
  workers?: number;
  /** Write each run's HTML report (default true). */
  reports?: boolean;
  /** Messages (default stderr). */
  log?: (line: string) => void;
  /** Live progress bars (default: when stderr is a terminal). */
  tty?: boolean;
}

/** Result of {@link compareAll}. */
export interface CompareAllResult {
  /** The table. */
  comparison: Comparison;
  /** Files written (compare.md/.csv/.json/.html). */
  files: string[];
  /** Run folders, in table order. */
  runs: string[];
  /** Wall time of the whole comparison in seconds (data preparation included). */
  wallS: number;
}

/** The rows selected by `models`. */
export function selectModels(models: "all" | readonly string[]): CompareModel[] {
  if (models === "all") return [...TABLE2_MODELS];
  const out: CompareModel[] = [];
  for (const m of models) {
    const rows = TABLE2_MODELS.filter((r) => r.key === m || r.model === m);
    if (rows.length === 0) {
      throw new UsageError(`Unknown model "${m}" for compare.`, {
        hint: `Use all, or some of: ${TABLE2_MODELS.map((r) => r.key).join(", ")} ` +
          `(or a model name: ${[...new Set(TABLE2_MODELS.map((r) => r.model))].join(", ")}).`,
      });
    }
    for (const r of rows) if (!out.includes(r)) out.push(r);
  }
  return out;
}

/** The model preset a row uses under a budget. */
function modelPreset(row: CompareModel, budget: Budget): string {
  if (budget === "paper" && row.model === "convention" && row.bands?.join("") === "g") {
    return "paper-g";
  }
  return budget;
}

/**
 * The training configuration of one row: the budget's training preset with this model, its
 * preset, the bands and the data source; everything else (seed, split fractions, stages,
 * balancing, batch size) identical across rows. `k` > 0 is the row's (k+1)-th training seed
 * (seed + k, run name suffixed `-seed<n>`), on the same split (`data.splitSeed` = seed).
 */
export function rowConfig(row: CompareModel, opts: CompareAllOptions, k = 0): TrainConfig {
  const budget = opts.budget ?? "cpu";
  const trainingSeed = (opts.seed ?? 1) + k;
  let c = trainPreset(budget);
  c = merge(c, {
    name: `${opts.prefix ?? `table2-${budget}`}-${row.key}${k > 0 ? `-seed${trainingSeed}` : ""}`,
    runsDir: opts.runsDir ?? "runs",
    seed: trainingSeed,
    model: { name: row.model, preset: modelPreset(row, budget), options: {} },
  });
  // Every seed of every row on the split of the base seed.
  c.data = {
    ...c.data,
    source: opts.data,
    bands: row.bands ? [...row.bands] : null,
    splitSeed: opts.seed ?? 1,
  };
  if (budget === "cpu") c = merge(c, CPU_BUDGET_OVERRIDE);
  if (opts.override) c = merge(c, opts.override);
  return c;
}

/** Trains (or reuses, or resumes) one run of a row and evaluates it; returns its folder. */
async function trainAndEvaluateRow(
  row: CompareModel,
  config: TrainConfig,
  opts: CompareAllOptions,
  selectBackend: ((choice: TrainConfig["backend"]) => Promise<string>) | undefined,
  say: (line: string) => void,
): Promise<string> {
  const budget = opts.budget ?? "cpu";
  const dir = `${config.runsDir}/${config.name}`;
  let status: string | null = null;
  try {
    status =
      (JSON.parse(await Deno.readTextFile(`${dir}/run.json`)) as { status?: string }).status ??
        null;
  } catch { /* a new run */ }
  if (LIGHT_CURVE_MODELS.includes(row.model)) {
    const storePath = await prepareStore(config.data, opts.prepare);
    await useStoreLightCurves(storePath, row.model, config.model.preset, {
      workers: opts.workers,
      tiny: budget === "tiny",
      log: say,
    });
  } else useLightCurveData(null);
  if (status === "done") {
    say(`compare: ${dir} is already trained; reusing it.`);
  } else {
    await train(
      status === null
        ? { config, prepare: opts.prepare, selectBackend, log: say, tty: opts.tty }
        : { resume: dir, prepare: opts.prepare, selectBackend, log: say, tty: opts.tty },
    );
  }
  const ev = await evaluateRun(dir, { report: opts.reports ?? true, log: say, tty: opts.tty });
  say(`compare: ${row.key}: test accuracy ${(100 * ev.metrics.accuracy).toFixed(2)} %`);
  return dir;
}

/**
 * Trains and evaluates every selected model and writes the comparison.
 *
 * @param opts Data, models, budget, folders.
 * @returns The table, the files and the run folders.
 * @example
 * ```ts ignore
 * import { compareAll } from "./compare_all.ts";
 * const r = await compareAll({ data: "default", models: "all", budget: "cpu" });
 * console.log(r.comparison.markdown);
 * ```
 */
export async function compareAll(opts: CompareAllOptions): Promise<CompareAllResult> {
  const t0 = performance.now();
  const say = opts.log ?? ((l: string) => console.error(l));
  const budget = opts.budget ?? "cpu";
  if (!["cpu", "paper", "tiny"].includes(budget)) {
    throw new UsageError(`Unknown budget "${budget}"; use cpu or paper.`);
  }
  const rows = selectModels(opts.models);
  if (rows.length === 0) throw new UsageError("compare: no model selected.");
  const runsDir = opts.runsDir ?? "runs";
  const out = opts.out ?? `${runsDir}/compare-${budget}`;
  const runs: string[] = [];
  const backend = opts.selectBackend
    ? await opts.selectBackend(rowConfig(rows[0]!, opts).backend)
    : null;
  const selectBackend = backend === null ? undefined : () => Promise.resolve(backend);
  const survey = opts.testSurvey === undefined
    ? (opts.data === "default" && budget !== "tiny" ? DEFAULT_TEST_SURVEY : null)
    : opts.testSurvey;
  const testSource = survey ? await ensureTestSurvey(survey, opts.prepare, opts.tty) : null;
  if (survey) {
    say(`compare: test survey ${testSource} (${survey.objects} objects, seed ${survey.seed})`);
  }
  const groups: string[][] = [];
  for (const [i, row] of rows.entries()) {
    const group: string[] = [];
    for (let k = 0; k < (opts.seeds ?? 1); k++) {
      const config = rowConfig(row, opts, k);
      say(
        `compare: [${i + 1}/${rows.length}] ${row.key} (${row.model}, preset ` +
          `${config.model.preset}, seed ${config.seed}) -> ${config.runsDir}/${config.name}`,
      );
      const dir = await trainAndEvaluateRow(row, config, opts, selectBackend, say);
      if (testSource) {
        const ev = await evaluateOnTestSurvey(dir, row.model, config, testSource, {
          prepare: opts.prepare,
          workers: opts.workers,
          tiny: budget === "tiny",
          log: say,
          tty: opts.tty,
        });
        say(
          `compare: ${row.key}: test-survey accuracy ${(100 * ev.metrics.accuracy).toFixed(2)} % ` +
            `on ${ev.metrics.n} objects`,
        );
      }
      group.push(dir);
    }
    runs.push(...group);
    groups.push(group);
  }
  useLightCurveData(null);
  const compare = (evalDir: string) =>
    (opts.seeds ?? 1) > 1
      ? compareSeedGroups(groups, { evalDir })
      : compareRuns(groups.map((g) => g[0]!), { evalDir });
  const evalDir = testSource ? TEST_SURVEY_EVAL : "eval";
  const comparison = await compare(evalDir);
  const files = await writeComparison(out, comparison);
  // With a test survey, the paper's protocol (10 % of the confirmed objects) is kept beside it.
  if (testSource) {
    files.push(...await writeComparison(`${out}/paper-protocol`, await compare("eval")));
  }
  const wallS = (performance.now() - t0) / 1000;
  const earlySvg = await earlyComparisonSvg(comparison, evalDir) ?? undefined;
  if (earlySvg) {
    await writeFileAtomic(`${out}/early.svg`, earlySvg);
    files.push(`${out}/early.svg`);
  }
  const html = await compareHtml(comparison, {
    out,
    budget,
    data: opts.data,
    wallS,
    earlySvg,
    evalDir,
    testSet: comparison.rows[0] ? await testSetOf(comparison.rows[0].run, evalDir) : undefined,
  });
  await writeFileAtomic(`${out}/compare.html`, html);
  files.push(`${out}/compare.html`);
  say(`compare: ${rows.length} model(s) in ${fmtTime(wallS)}; ${files.join(", ")}`);
  return { comparison, files, runs, wallS };
}

/** Options of {@link compareAllCommand} (the CLI's flags). */
export interface CompareAllCommandOptions {
  /** `--data` (default `default`). */
  data?: string;
  /** `--models` (default `all`): `all` or a comma-separated list. */
  models?: string;
  /** `--budget` (default `cpu`). */
  budget?: string;
  /** `--runs-dir`. */
  runsDir: string;
  /** `--out` (default `<runsDir>/compare-<budget>` when the CLI's default is kept). */
  out?: string;
  /** `--json`: rows as JSON on stdout instead of Markdown. */
  json?: boolean;
  /** `--seed`. */
  seed?: number;
  /** `--seeds`. */
  seeds?: number;
  /** `--test-survey`: objects of the test survey (0: none; default: the default's). */
  testSurvey?: number;
  /** Random truncation probability of every row's training series (0 / absent: none). */
  truncate?: number;
  /**
   * Stamps of the image models (ablation; default `science`): `difference` or `host-masked`
   * (lib/train/config.ts `data.stamps`). Runs and output are named `-<stamps>`.
   */
  stamps?: "science" | "difference" | "host-masked";
  /** Creates the default survey (lib/train/runtime.ts hooks). */
  ensureDefaultSurvey: (cacheDir: string) => Promise<string>;
  /** Selects the backend (lib/train/runtime.ts hooks). */
  selectBackend: (choice: TrainConfig["backend"]) => Promise<string>;
}

/**
 * The `convention compare --data D --models all --budget cpu|paper` mode: trains and evaluates
 * every model, prints the table (Markdown, or JSON with `json`) and returns the exit code.
 */
export async function compareAllCommand(o: CompareAllCommandOptions): Promise<number> {
  const budget = (o.budget ?? "cpu") as Budget;
  if (!["cpu", "paper"].includes(budget)) {
    throw new UsageError(`--budget must be cpu or paper, not "${o.budget}".`);
  }
  const list = (o.models ?? "all").trim();
  const models = list === "all" ? "all" : list.split(",").map((s) => s.trim()).filter((s) => s);
  const stamps = o.stamps && o.stamps !== "science" ? o.stamps : null;
  const tag = (o.truncate ? `-truncate${Math.round(100 * o.truncate)}` : "") +
    (stamps ? `-${stamps}` : "");
  const data: Partial<TrainConfig["data"]> = {
    ...(o.truncate ? { truncate: { prob: o.truncate, minDays: DEFAULT_TRUNCATE.minDays } } : {}),
    ...(stamps ? { stamps } : {}),
  };
  const r = await compareAll({
    data: o.data ?? "default",
    models,
    budget,
    runsDir: o.runsDir,
    out: o.out ?? (tag ? `${o.runsDir ?? "runs"}/compare-${budget}${tag}` : undefined),
    ...(tag ? { prefix: `table2-${budget}${tag}`, override: { data } } : {}),
    seed: o.seed,
    seeds: o.seeds,
    testSurvey: o.testSurvey === undefined
      ? undefined
      : o.testSurvey === 0
      ? null
      : { objects: o.testSurvey, seed: DEFAULT_TEST_SURVEY.seed },
    prepare: { ensureDefaultSurvey: o.ensureDefaultSurvey },
    selectBackend: o.selectBackend,
  });
  console.log(o.json ? JSON.stringify(r.comparison.rows, null, 2) : r.comparison.markdown);
  return 0;
}
