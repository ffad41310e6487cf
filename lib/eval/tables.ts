/**
 * Metric tables for people (Markdown) and programs (CSV, JSON).
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import type { Metrics } from "./metrics.ts";

/** Formats a fraction as a percentage with 2 decimals (`79.83`). */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "n/a" : (100 * x).toFixed(2);
}

/** Formats a number with 3 decimals, `n/a` when missing. */
export function fix3(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(3);
}

/** A Markdown table from a header and rows (cells are escaped for `|`). */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const widths = header.map((h, i) =>
    Math.max(3, h.length, ...rows.map((r) => esc(r[i] ?? "").length))
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => esc(c).padEnd(widths[i]!)).join(" | ")} |`;
  return [
    line(header),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.map((r) => line(header.map((_, i) => r[i] ?? ""))),
  ].join("\n");
}

/** CSV text from a header and rows (RFC 4180 quoting). */
export function csvTable(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  return stringify([header as string[], ...rows.map((r) => r.map((c) => c ?? ""))]);
}

/** A table as text cells: its header and rows. */
export interface TextTable {
  /** Column names. */
  header: string[];
  /** Rows of cells. */
  rows: string[][];
}

/**
 * The three tables of a metrics report as text cells (one source for the
 * Markdown summary and the HTML report): the summary (objects, accuracy,
 * balanced accuracy, macro and weighted F1, macro ROC AUC, ECE, log loss),
 * per-class precision/recall/F1/ROC AUC, and the confusion matrix.
 *
 * @param metrics Computed metrics.
 * @returns The summary, per-class and confusion tables.
 */
export function metricsTables(
  metrics: Metrics,
): { summary: TextTable; perClass: TextTable; confusion: TextTable } {
  return {
    summary: {
      header: ["metric", "value"],
      rows: [
        ["objects", String(metrics.n)],
        ["accuracy %", pct(metrics.accuracy)],
        ["balanced accuracy %", pct(metrics.balancedAccuracy)],
        ["macro F1", fix3(metrics.macroF1)],
        ["weighted F1", fix3(metrics.weightedF1)],
        ["macro ROC AUC (one-vs-rest)", fix3(metrics.macroRocAuc)],
        [`ECE (${metrics.eceBins} equal-width bins)`, fix3(metrics.ece)],
        ["log loss", fix3(metrics.logLoss)],
      ],
    },
    perClass: {
      header: ["class", "support", "precision", "recall", "F1", "ROC AUC"],
      rows: metrics.perClass.map((p) => [
        p.name,
        String(p.support),
        fix3(p.precision),
        fix3(p.recall),
        fix3(p.f1),
        fix3(p.rocAuc),
      ]),
    },
    confusion: {
      header: ["true \\ predicted", ...metrics.classes],
      rows: metrics.confusion.map((row, i) => [metrics.classes[i]!, ...row.map(String)]),
    },
  };
}

/**
 * The metrics as Markdown: a summary table, a per-class table and the
 * confusion matrix (rows true, columns predicted).
 *
 * @param metrics Computed metrics.
 * @param title Heading text.
 */
export function metricsMarkdown(metrics: Metrics, title = "Test metrics"): string {
  const t = metricsTables(metrics);
  const summary = markdownTable(t.summary.header, t.summary.rows);
  const perClass = markdownTable(t.perClass.header, t.perClass.rows);
  const confusion = markdownTable(t.confusion.header, t.confusion.rows);
  return `## ${title}\n\n${summary}\n\n### Per class\n\n${perClass}\n\n` +
    `### Confusion matrix (rows: true class, columns: predicted)\n\n${confusion}\n`;
}

/**
 * The metrics as CSV in long form, one value per row:
 * `metric,class,value` (class empty for overall metrics; confusion cells are
 * `confusion,TRUE>PREDICTED,count`).
 */
export function metricsCsv(metrics: Metrics): string {
  const rows: (string | number | null)[][] = [
    ["n", "", metrics.n],
    ["accuracy", "", metrics.accuracy],
    ["balanced_accuracy", "", metrics.balancedAccuracy],
    ["macro_f1", "", metrics.macroF1],
    ["weighted_f1", "", metrics.weightedF1],
    ["macro_roc_auc", "", metrics.macroRocAuc],
    ["ece", "", metrics.ece],
    ["ece_bins", "", metrics.eceBins],
    ["log_loss", "", metrics.logLoss],
  ];
  for (const p of metrics.perClass) {
    rows.push(["support", p.name, p.support]);
    rows.push(["precision", p.name, p.precision]);
    rows.push(["recall", p.name, p.recall]);
    rows.push(["f1", p.name, p.f1]);
    rows.push(["roc_auc", p.name, p.rocAuc]);
  }
  metrics.confusion.forEach((row, i) =>
    row.forEach((count, j) => {
      rows.push(["confusion", `${metrics.classes[i]}>${metrics.classes[j]}`, count]);
    })
  );
  return csvTable(["metric", "class", "value"], rows);
}

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
}

function fmtDuration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return "n/a";
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  return `${s.toFixed(1)} s`;
}

const COMPARE_HEADER = [
  "model",
  "bands",
  "input",
  "accuracy %",
  "balanced accuracy %",
  "macro F1",
  "parameters",
  "train time",
  "test objects",
  "run",
];

/**
 * The comparison in the layout of the paper's Table 2 as text cells: model,
 * bands, input, accuracy %, balanced accuracy %, macro F1, parameters, then
 * (unless `short`) train time, test objects and run.
 *
 * @param rows One row per run.
 * @param short Only the paper's columns and the parameter count.
 * @returns Header and rows.
 */
export function compareTable(rows: readonly CompareRow[], short = false): TextTable {
  const n = short ? 7 : COMPARE_HEADER.length;
  return {
    header: COMPARE_HEADER.slice(0, n),
    rows: rows.map((r) =>
      [
        r.preset ? `${r.model} (${r.preset})` : r.model,
        r.bands,
        r.input,
        pct(r.accuracy),
        pct(r.balancedAccuracy),
        fix3(r.macroF1),
        r.parameters.toLocaleString("en-US"),
        fmtDuration(r.trainTimeS),
        String(r.testObjects),
        r.run,
      ].slice(0, n)
    ),
  };
}

/** The comparison as Markdown, in the layout of the paper's Table 2 (plus extra columns). */
export function compareMarkdown(rows: readonly CompareRow[]): string {
  const t = compareTable(rows);
  return markdownTable(t.header, t.rows) + "\n";
}

/** The comparison as CSV (raw numbers: fractions, seconds). */
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
    ]),
  );
}
