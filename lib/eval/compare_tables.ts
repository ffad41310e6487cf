/**
 * The comparison of runs in the layout of the paper's Table 2, with the
 * uncertainty a ranking needs: n and 95 % intervals beside every metric, and
 * each row's paired difference in accuracy against a reference row (paired
 * bootstrap interval, exact McNemar p, `*` when it holds at 95 %), plus the
 * seeds and the epoch window each model saw.
 *
 * @module
 */
import type { Interval } from "./stats/binomial.ts";
import type { PairedComparison } from "./paired.ts";
import { seedCell, type SeedSummary } from "./seed_summary.ts";
import {
  csvTable,
  fix3,
  fix3Interval,
  markdownTable,
  pct,
  pctInterval,
  type TextTable,
} from "./tables.ts";

/** One row of the paper's Table 2 layout. */
export interface CompareRow {
  /** Model name (e.g. `ConvEntion`). */
  model: string;
  /** Bands used (e.g. `ugriz`, `g`). */
  bands: string;
  /** Input kind: `images` or `light curves`. */
  input: string;
  /** Test accuracy (fraction). */
  accuracy: number;
  /** Test balanced accuracy (fraction). */
  balancedAccuracy: number;
  /** Test macro F1. */
  macroF1: number;
  /** Trainable parameters. */
  parameters: number;
  /** Training wall time in seconds (null when unknown). */
  trainTimeS: number | null;
  /** Number of test objects. */
  testObjects: number;
  /** Run folder the row comes from. */
  run: string;
  /** Preset or variant name. */
  preset?: string;
  /** Test objects behind every metric of the row (= testObjects). */
  n?: number;
  /** Accuracy, Clopper-Pearson 95 % interval. */
  accuracyInterval?: Interval;
  /** Balanced accuracy, bootstrap 95 % interval. */
  balancedAccuracyInterval?: Interval;
  /** Macro F1, bootstrap 95 % interval. */
  macroF1Interval?: Interval;
  /** SN Ia purity and efficiency at the argmax, with Wilson intervals, when known. */
  snia?: {
    efficiency: number;
    efficiencyInterval: Interval;
    purity: number;
    purityInterval: Interval;
    purityAtEfficiency: number | null;
    rocAuc: number | null;
  };
  /** Training seeds of the run(s) behind the row. */
  seeds?: number[];
  /** The epochs the model saw (e.g. `48 frames around the brightest`). */
  window?: string;
  /** The difference against the reference row (absent on the reference itself). */
  paired?: PairedComparison;
  /** With several training seeds: per-seed values, mean and sd (the row's other cells: the first seed). */
  seedSummary?: SeedSummary;
}

function fmtDuration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return "n/a";
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  return `${s.toFixed(1)} s`;
}

/** `+1.7 [-2.6, +6.0] p=0.45` (points of accuracy), `*` when significant; `reference` on it. */
export function pairedCell(p: PairedComparison | undefined): string {
  if (!p) return "reference";
  const sg = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}`;
  const pv = p.p < 0.001 ? "<0.001" : p.p.toFixed(3);
  return `${sg(p.difference)} [${sg(p.interval.lo)}, ${sg(p.interval.hi)}] p=${pv}` +
    (p.significant ? " *" : "");
}

const COMPARE_HEADER = [
  "model",
  "bands",
  "input",
  "accuracy % [95 % CI]",
  "balanced accuracy % [95 % CI]",
  "macro F1 [95 % CI]",
  "parameters",
  "Δ accuracy vs reference (points) [95 % CI], McNemar p",
  "SN Ia purity / efficiency %",
  "n",
  "seeds",
  "epochs seen",
  "train time",
  "run",
];

/**
 * The comparison in the layout of the paper's Table 2 as text cells: model,
 * bands, input, accuracy, balanced accuracy and macro F1 with their 95 %
 * intervals, parameters, the paired difference to the reference, then
 * (unless `short`) SN Ia purity/efficiency, n, seeds, window, train time, run.
 *
 * @param rows One row per run.
 * @param short Only the columns up to the paired difference.
 * @returns Header and rows.
 */
export function compareTable(rows: readonly CompareRow[], short = false): TextTable {
  const n = short ? 8 : COMPARE_HEADER.length;
  const seeds = rows.some((r) => r.seedSummary && r.seedSummary.perSeed.length > 1);
  const seedCols = (r: CompareRow) => {
    const s = r.seedSummary;
    if (!s) return ["-", "-"];
    return [
      seedCell(s.accuracy, s.perSeed.map((v) => v.accuracy)),
      seedCell(s.balancedAccuracy, s.perSeed.map((v) => v.balancedAccuracy)),
    ];
  };
  const t = {
    header: COMPARE_HEADER.slice(0, n),
    rows: rows.map((r) =>
      [
        r.preset ? `${r.model} (${r.preset})` : r.model,
        r.bands,
        r.input,
        `${pct(r.accuracy)} ${pctInterval(r.accuracyInterval)}`,
        `${pct(r.balancedAccuracy)} ${pctInterval(r.balancedAccuracyInterval)}`,
        `${fix3(r.macroF1)} ${fix3Interval(r.macroF1Interval)}`,
        r.parameters.toLocaleString("en-US"),
        rows.length > 1 ? pairedCell(r.paired) : "-",
        r.snia
          ? `${pct(r.snia.purity).replace(/\.\d+$/, "")} / ${
            pct(r.snia.efficiency).replace(/\.\d+$/, "")
          }`
          : "-",
        String(r.n ?? r.testObjects),
        r.seeds?.join(",") ?? "-",
        r.window ?? "-",
        fmtDuration(r.trainTimeS),
        r.run,
      ].slice(0, n)
    ),
  };
  if (!seeds) return t;
  return {
    header: [
      ...t.header,
      "accuracy % over seeds: mean ± sd (per seed)",
      "balanced accuracy % over seeds: mean ± sd (per seed)",
    ],
    rows: t.rows.map((cells, i) => [...cells, ...seedCols(rows[i]!)]),
  };
}

/** The comparison as Markdown, with a line on what the marks mean. */
export function compareMarkdown(rows: readonly CompareRow[]): string {
  const t = compareTable(rows);
  const ref = rows.find((r) => !r.paired);
  const note = rows.length > 1 && ref
    ? `\nΔ: accuracy difference to the reference row (${ref.model} ${ref.bands}) on the same ` +
      "test objects, paired bootstrap 95 % interval (2000 resamples, seed 1) and exact McNemar " +
      "p; * = p < 0.05 and the interval excludes 0. Accuracy intervals: Clopper-Pearson; " +
      "balanced accuracy and macro F1: bootstrap over objects.\n"
    : "";
  return markdownTable(t.header, t.rows) + "\n" + note;
}

/** The comparison as CSV (raw numbers: fractions, seconds; intervals as lo/hi columns). */
export function compareCsv(rows: readonly CompareRow[]): string {
  return csvTable(
    [
      "model",
      "preset",
      "bands",
      "input",
      "accuracy",
      "balanced_accuracy",
      "macro_f1",
      "parameters",
      "train_time_s",
      "test_objects",
      "run",
      "n",
      "accuracy_lo",
      "accuracy_hi",
      "balanced_accuracy_lo",
      "balanced_accuracy_hi",
      "macro_f1_lo",
      "macro_f1_hi",
      "reference",
      "paired_n",
      "accuracy_difference",
      "accuracy_difference_lo",
      "accuracy_difference_hi",
      "mcnemar_p",
      "significant",
      "snia_purity",
      "snia_efficiency",
      "seeds",
      "window",
      "accuracy_seed_mean",
      "accuracy_seed_sd",
      "balanced_accuracy_seed_mean",
      "balanced_accuracy_seed_sd",
      "accuracy_per_seed",
    ],
    rows.map((r) => [
      r.model,
      r.preset ?? "",
      r.bands,
      r.input,
      r.accuracy,
      r.balancedAccuracy,
      r.macroF1,
      r.parameters,
      r.trainTimeS,
      r.testObjects,
      r.run,
      r.n ?? r.testObjects,
      r.accuracyInterval?.lo ?? null,
      r.accuracyInterval?.hi ?? null,
      r.balancedAccuracyInterval?.lo ?? null,
      r.balancedAccuracyInterval?.hi ?? null,
      r.macroF1Interval?.lo ?? null,
      r.macroF1Interval?.hi ?? null,
      r.paired?.reference ?? (rows.length > 1 ? "(this row)" : ""),
      r.paired?.n ?? null,
      r.paired?.difference ?? null,
      r.paired?.interval.lo ?? null,
      r.paired?.interval.hi ?? null,
      r.paired?.p ?? null,
      r.paired ? String(r.paired.significant) : "",
      r.snia?.purity ?? null,
      r.snia?.efficiency ?? null,
      r.seeds?.join(" ") ?? "",
      r.window ?? "",
      r.seedSummary?.accuracy.mean ?? null,
      r.seedSummary?.accuracy.sd ?? null,
      r.seedSummary?.balancedAccuracy.mean ?? null,
      r.seedSummary?.balancedAccuracy.sd ?? null,
      r.seedSummary?.perSeed.map((v) => v.accuracy).join(" ") ?? "",
    ]),
  );
}
