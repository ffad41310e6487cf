/**
 * Comparing evaluated runs in the layout of the paper's Table 2 (model,
 * bands, input, accuracy, plus balanced accuracy, macro F1, parameters and
 * training time), written as Markdown, CSV and JSON.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { readRunInfo, runPaths } from "../train/run_dir.ts";
import type { Metrics } from "./metrics.ts";
import { compareCsv, compareMarkdown, type CompareRow } from "./compare_tables.ts";
import { type PairedComparison, pairedComparison, readPredictions } from "./paired.ts";
import { summarizeSeeds } from "./seed_summary.ts";

/** Reads `eval/metrics.json` of a run (or `<evalDir>/`; throws when the run was not evaluated). */
export async function readRunMetrics(dir: string, evalDir = "eval"): Promise<Metrics> {
  const p = `${runPaths(dir).dir}/${evalDir}/metrics.json`;
  try {
    return JSON.parse(await Deno.readTextFile(p)) as Metrics;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ConventionError(`Run ${dir} has no evaluation (${p} is missing).`, {
        hint: `Run \`convention eval ${dir}\` first.`,
      });
    }
    throw new ConventionError(`${p} is not valid JSON: ${(e as Error).message}`);
  }
}

/** The Table-2 row of one evaluated run (n, intervals, SN Ia, seed and window included). */
export async function compareRow(dir: string, evalDir = "eval"): Promise<CompareRow> {
  const info = await readRunInfo(dir);
  const m = await readRunMetrics(dir, evalDir);
  const iv = m.intervals;
  const s = m.snia;
  return {
    model: info.modelLabel,
    preset: info.preset,
    bands: info.bands.join(""),
    input: info.input,
    accuracy: m.accuracy,
    balancedAccuracy: m.balancedAccuracy,
    macroF1: m.macroF1,
    parameters: info.parameters,
    trainTimeS: info.trainTimeS,
    testObjects: m.n,
    run: dir,
    n: m.n,
    accuracyInterval: iv?.accuracyClopperPearson,
    balancedAccuracyInterval: iv?.bootstrap.balancedAccuracy,
    macroF1Interval: iv?.bootstrap.macroF1,
    snia: s
      ? {
        efficiency: s.argmax.efficiency,
        efficiencyInterval: s.intervals.argmaxEfficiency,
        purity: s.argmax.purity,
        purityInterval: s.intervals.argmaxPurity,
        purityAtEfficiency: s.purityAtEfficiency,
        rocAuc: s.rocAuc,
      }
      : undefined,
    seeds: m.protocol ? [m.protocol.seed] : undefined,
    window: m.protocol?.window,
  };
}

/**
 * The index of the default reference row: ConvEntion on every band (the
 * paper's model), else the first row.
 */
export function defaultReference(rows: readonly CompareRow[]): number {
  const i = rows.findIndex((r) => r.model === "ConvEntion" && r.bands.length > 1);
  return i >= 0 ? i : 0;
}

/** Adds to each row its paired comparison against `rows[ref]` (read from predictions.csv). */
export async function addPairedComparisons(
  rows: CompareRow[],
  ref: number,
  evalDir = "eval",
): Promise<void> {
  if (rows.length < 2) return;
  const r0 = rows[ref]!;
  const refPreds = await readPredictions(r0.run, evalDir);
  const name = `${r0.model} ${r0.bands} (${r0.run})`;
  for (const [i, r] of rows.entries()) {
    if (i === ref) continue;
    const p: PairedComparison = pairedComparison(
      await readPredictions(r.run, evalDir),
      refPreds,
      name,
    );
    r.paired = p;
  }
}

/** Options of {@link compareRuns}. */
export interface CompareOptions {
  /** Index of the reference row (default: ConvEntion on every band, else the first). */
  reference?: number;
  /** The evaluation folder inside each run (default `eval`). */
  evalDir?: string;
}

/** The comparison of several runs, in every output form. */
export interface Comparison {
  /** One row per run, in the given order. */
  rows: CompareRow[];
  /** Markdown table. */
  markdown: string;
  /** CSV text. */
  csv: string;
}

/**
 * Builds the comparison of evaluated runs.
 *
 * @param dirs Run folders (each with `run.json`, `eval/metrics.json` and `eval/predictions.csv`).
 * @param opts `reference`: index of the reference row (default: ConvEntion on every band, else the first).
 * @example Two seeds of the same model, side by side
 * ```ts
 * import { compareRuns, evaluateRun, simulateSurvey, train, trainPreset } from "../../mod.ts";
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
 * const runs: string[] = [];
 * for (const seed of [1, 2]) {
 *   const run = { ...config, seed, name: `seed-${seed}` };
 *   const { runDir } = await train({ config: run, ...quiet });
 *   await evaluateRun(runDir, { log: () => {}, tty: false });
 *   runs.push(runDir);
 * }
 * const c = await compareRuns(runs);
 * if (!(c.rows.length === 2)) throw new Error("example check failed");
 * console.log(c.markdown); // model, preset, bands, accuracy, macro F1, parameters, time, ...
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function compareRuns(
  dirs: readonly string[],
  opts: CompareOptions = {},
): Promise<Comparison> {
  const rows: CompareRow[] = [];
  for (const d of dirs) rows.push(await compareRow(d, opts.evalDir));
  const ref = opts.reference ?? defaultReference(rows);
  if (ref < 0 || ref >= rows.length) {
    throw new ConventionError(`Reference row ${ref} is not one of the ${rows.length} runs.`);
  }
  await addPairedComparisons(rows, ref, opts.evalDir);
  return { rows, markdown: compareMarkdown(rows), csv: compareCsv(rows) };
}

/**
 * The comparison of groups of runs, one group per row: the runs of one model
 * with training seeds 1..N on the same split. Each row shows its first run
 * (intervals, paired comparison against the reference group's first run)
 * and the per-seed values with their mean and sd.
 *
 * @param groups Run folders per row (each evaluated), first seed first.
 * @param opts `reference`: the reference row's index.
 */
export async function compareSeedGroups(
  groups: readonly (readonly string[])[],
  opts: CompareOptions = {},
): Promise<Comparison> {
  const c = await compareRuns(groups.map((g) => g[0]!), opts);
  for (const [i, g] of groups.entries()) {
    const runs = [];
    for (const d of g) {
      const metrics = await readRunMetrics(d, opts.evalDir);
      runs.push({ seed: metrics.protocol?.seed ?? NaN, run: d, metrics });
    }
    const s = summarizeSeeds(runs);
    c.rows[i]!.seedSummary = s;
    c.rows[i]!.seeds = s.perSeed.map((v) => v.seed);
  }
  return { rows: c.rows, markdown: compareMarkdown(c.rows), csv: compareCsv(c.rows) };
}

/** Writes `compare.md`, `compare.csv` and `compare.json` into `outDir`; returns their paths. */
export async function writeComparison(outDir: string, c: Comparison): Promise<string[]> {
  await Deno.mkdir(outDir, { recursive: true });
  const paths = [`${outDir}/compare.md`, `${outDir}/compare.csv`, `${outDir}/compare.json`];
  await writeFileAtomic(paths[0]!, c.markdown);
  await writeFileAtomic(paths[1]!, c.csv);
  await writeFileAtomic(paths[2]!, JSON.stringify(c.rows, null, 2) + "\n");
  return paths;
}
