/**
 * Metric tables for people (Markdown) and programs (CSV, JSON).
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import type { Metrics } from "./metrics.ts";
import type { Interval } from "./stats/binomial.ts";

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

/** `[lo, hi]` of a fraction as percentages with 1 decimal, `-` when absent. */
export function pctInterval(iv: Interval | null | undefined): string {
  return iv && Number.isFinite(iv.lo) && Number.isFinite(iv.hi)
    ? `[${(100 * iv.lo).toFixed(1)}, ${(100 * iv.hi).toFixed(1)}]`
    : "-";
}

/** `[lo, hi]` with 3 decimals, `-` when absent. */
export function fix3Interval(iv: Interval | null | undefined): string {
  return iv && Number.isFinite(iv.lo) && Number.isFinite(iv.hi)
    ? `[${iv.lo.toFixed(3)}, ${iv.hi.toFixed(3)}]`
    : "-";
}

function summaryTable(m: Metrics): TextTable {
  const iv = m.intervals;
  const boot = iv ? `bootstrap (${iv.bootstrap.resamples}, seed ${iv.bootstrap.seed})` : "-";
  const n = String(m.n);
  const rows: string[][] = [
    ["objects", n, "-", "-", n],
    ["accuracy %", pct(m.accuracy), pctInterval(iv?.accuracyClopperPearson), "Clopper-Pearson", n],
  ];
  if (iv) {
    rows.push([
      "accuracy % (Wilson)",
      pct(m.accuracy),
      pctInterval(iv.accuracyWilson),
      "Wilson",
      n,
    ]);
  }
  rows.push(
    [
      "balanced accuracy %",
      pct(m.balancedAccuracy),
      pctInterval(iv?.bootstrap.balancedAccuracy),
      boot,
      n,
    ],
    ["macro F1", fix3(m.macroF1), fix3Interval(iv?.bootstrap.macroF1), boot, n],
    ["weighted F1", fix3(m.weightedF1), "-", "-", n],
    ["macro ROC AUC (one-vs-rest)", fix3(m.macroRocAuc), "-", "-", n],
    [`ECE (${m.eceBins} equal-width bins)`, fix3(m.ece), "-", "-", n],
    ["log loss", fix3(m.logLoss), "-", "-", n],
  );
  return { header: ["metric", "value", "95 % interval", "interval", "n"], rows };
}

/** The SN Ia table (efficiency, purity, AUC), or null when the classes have no SN Ia. */
export function sniaTable(m: Metrics): TextTable | null {
  const s = m.snia;
  if (!s) return null;
  const t = s.threshold.toFixed(2);
  return {
    header: ["SN Ia metric", "value %", "95 % interval (Wilson)", "n"],
    rows: [
      [
        "efficiency (argmax)",
        pct(s.argmax.efficiency),
        pctInterval(s.intervals.argmaxEfficiency),
        `${s.argmax.truePositives}/${s.argmax.positives}`,
      ],
      [
        "purity (argmax)",
        pct(s.argmax.purity),
        pctInterval(s.intervals.argmaxPurity),
        `${s.argmax.truePositives}/${s.argmax.selected}`,
      ],
      [
        `efficiency (P(Ia) >= ${t})`,
        pct(s.atThreshold.efficiency),
        pctInterval(s.intervals.thresholdEfficiency),
        `${s.atThreshold.truePositives}/${s.atThreshold.positives}`,
      ],
      [
        `purity (P(Ia) >= ${t})`,
        pct(s.atThreshold.purity),
        pctInterval(s.intervals.thresholdPurity),
        `${s.atThreshold.truePositives}/${s.atThreshold.selected}`,
      ],
      [
        `purity at ${pct(s.targetEfficiency)} % efficiency`,
        pct(s.purityAtEfficiency),
        "-",
        String(m.n),
      ],
      ["Ia-vs-rest ROC AUC (x 100)", pct(s.rocAuc), "-", String(m.n)],
    ],
  };
}

/** The calibration table (temperature, ECE and log loss before/after), or null when unscaled. */
export function calibrationTable(m: Metrics): TextTable | null {
  const c = m.temperatureScaling;
  if (!c) return null;
  return {
    header: ["calibration", "before (T = 1)", `after (T = ${c.temperature.toFixed(3)})`, "n"],
    rows: [
      [`ECE (${m.eceBins} bins)`, fix3(c.eceBefore), fix3(m.ece), String(m.n)],
      ["log loss", fix3(c.logLossBefore), fix3(m.logLoss), String(m.n)],
      ["temperature fitted on", "-", `${c.fittedOn} validation objects`, String(c.fittedOn)],
    ],
  };
}

/**
 * The tables of a metrics report as text cells (one source for the Markdown
 * summary and the HTML report): the summary with 95 % intervals and n, per
 * class precision/recall (with its bootstrap interval)/F1/ROC AUC, the
 * confusion matrix, and when known the SN Ia and calibration tables.
 *
 * @param metrics Computed metrics.
 * @returns The tables.
 */
export function metricsTables(metrics: Metrics): {
  summary: TextTable;
  perClass: TextTable;
  confusion: TextTable;
  snia: TextTable | null;
  calibration: TextTable | null;
} {
  const recall = metrics.intervals?.bootstrap.recall;
  return {
    summary: summaryTable(metrics),
    perClass: {
      header: ["class", "support", "precision", "recall", "recall 95 % interval", "F1", "ROC AUC"],
      rows: metrics.perClass.map((p, k) => [
        p.name,
        String(p.support),
        fix3(p.precision),
        fix3(p.recall),
        fix3Interval(recall?.[k]),
        fix3(p.f1),
        fix3(p.rocAuc),
      ]),
    },
    confusion: {
      header: ["true \\ predicted", ...metrics.classes],
      rows: metrics.confusion.map((row, i) => [metrics.classes[i]!, ...row.map(String)]),
    },
    snia: sniaTable(metrics),
    calibration: calibrationTable(metrics),
  };
}

/**
 * The metrics as Markdown: a summary table with intervals, a per-class table,
 * the confusion matrix (rows true, columns predicted), and the SN Ia and
 * calibration tables when known.
 *
 * @param metrics Computed metrics.
 * @param title Heading text.
 */
export function metricsMarkdown(metrics: Metrics, title = "Test metrics"): string {
  const t = metricsTables(metrics);
  const md = (x: TextTable) => markdownTable(x.header, x.rows);
  let out = `## ${title}\n\n${md(t.summary)}\n\n### Per class\n\n${md(t.perClass)}\n\n` +
    `### Confusion matrix (rows: true class, columns: predicted)\n\n${md(t.confusion)}\n`;
  if (t.snia) out += `\n### SN Ia selection\n\n${md(t.snia)}\n`;
  if (t.calibration) out += `\n### Calibration (temperature scaling)\n\n${md(t.calibration)}\n`;
  return out;
}

/**
 * The metrics as CSV in long form, one value per row:
 * `metric,class,value,lo,hi,n` (class empty for overall metrics; lo/hi the
 * 95 % interval when there is one; confusion cells are
 * `confusion,TRUE>PREDICTED,count`).
 */
export function metricsCsv(metrics: Metrics): string {
  const iv = metrics.intervals;
  const n = metrics.n;
  type Row = (string | number | null)[];
  const r = (metric: string, cls: string, v: number | null, i?: Interval | null, k = n): Row => [
    metric,
    cls,
    v,
    i?.lo ?? null,
    i?.hi ?? null,
    k,
  ];
  const rows: Row[] = [
    r("n", "", n),
    r("accuracy", "", metrics.accuracy, iv?.accuracyClopperPearson),
    r("accuracy_wilson", "", metrics.accuracy, iv?.accuracyWilson),
    r("balanced_accuracy", "", metrics.balancedAccuracy, iv?.bootstrap.balancedAccuracy),
    r("macro_f1", "", metrics.macroF1, iv?.bootstrap.macroF1),
    r("weighted_f1", "", metrics.weightedF1),
    r("macro_roc_auc", "", metrics.macroRocAuc),
    r("ece", "", metrics.ece),
    r("ece_bins", "", metrics.eceBins),
    r("log_loss", "", metrics.logLoss),
  ];
  metrics.perClass.forEach((p, k) => {
    rows.push(r("support", p.name, p.support, null, p.support));
    rows.push(r("precision", p.name, p.precision, null, p.predicted));
    rows.push(r("recall", p.name, p.recall, iv?.bootstrap.recall[k], p.support));
    rows.push(r("f1", p.name, p.f1, null, p.support));
    rows.push(r("roc_auc", p.name, p.rocAuc));
  });
  const s = metrics.snia;
  if (s) {
    const c = s.className;
    rows.push(
      r(
        "snia_efficiency_argmax",
        c,
        s.argmax.efficiency,
        s.intervals.argmaxEfficiency,
        s.argmax.positives,
      ),
    );
    rows.push(
      r("snia_purity_argmax", c, s.argmax.purity, s.intervals.argmaxPurity, s.argmax.selected),
    );
    rows.push(
      r(
        `snia_efficiency_p>=${s.threshold}`,
        c,
        s.atThreshold.efficiency,
        s.intervals.thresholdEfficiency,
        s.atThreshold.positives,
      ),
    );
    rows.push(
      r(
        `snia_purity_p>=${s.threshold}`,
        c,
        s.atThreshold.purity,
        s.intervals.thresholdPurity,
        s.atThreshold.selected,
      ),
    );
    rows.push(r(`snia_purity_at_efficiency_${s.targetEfficiency}`, c, s.purityAtEfficiency));
    rows.push(r("snia_roc_auc", c, s.rocAuc));
  }
  const cal = metrics.temperatureScaling;
  if (cal) {
    rows.push(r("temperature", "", cal.temperature, null, cal.fittedOn));
    rows.push(r("ece_before_scaling", "", cal.eceBefore));
    rows.push(r("log_loss_before_scaling", "", cal.logLossBefore));
  }
  metrics.confusion.forEach((row, i) =>
    row.forEach((count, j) => {
      rows.push(r("confusion", `${metrics.classes[i]}>${metrics.classes[j]}`, count));
    })
  );
  return csvTable(["metric", "class", "value", "lo", "hi", "n"], rows);
}
