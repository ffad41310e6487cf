/**
 * The early-classification table (metrics with intervals per cut) and its
 * plot (accuracy, balanced accuracy and SN Ia efficiency against days after
 * the first epoch, with 95 % interval bands).
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import type { EarlyRow } from "./early.ts";
import {
  csvTable,
  fix3,
  fix3Interval,
  markdownTable,
  pct,
  pctInterval,
  type TextTable,
} from "./tables.ts";

export type { EarlyRow };

function cutName(days: number | null): string {
  return days === null ? "all" : `${days} d`;
}

/** The table: one row per cut. */
export function earlyTable(rows: readonly EarlyRow[]): TextTable {
  return {
    header: [
      "series cut at",
      "n",
      "mean frames",
      "accuracy % [95 % CI]",
      "balanced accuracy % [95 % CI]",
      "macro F1 [95 % CI]",
      "SN Ia efficiency %",
      "SN Ia purity %",
      "ECE",
    ],
    rows: rows.map((r) => [
      cutName(r.days),
      String(r.n),
      r.meanFrames.toFixed(1),
      `${pct(r.accuracy)} ${pctInterval(r.accuracyInterval)}`,
      `${pct(r.balancedAccuracy)} ${pctInterval(r.balancedAccuracyInterval)}`,
      `${fix3(r.macroF1)} ${fix3Interval(r.macroF1Interval)}`,
      pct(r.sniaEfficiency),
      pct(r.sniaPurity),
      fix3(r.ece),
    ]),
  };
}

/** The table as Markdown. */
export function earlyMarkdown(rows: readonly EarlyRow[], title = "Early classification"): string {
  const t = earlyTable(rows);
  return `## ${title}\n\nEach test object's series cut at t days after its first epoch.\n\n` +
    markdownTable(t.header, t.rows) + "\n";
}

/** The table as CSV (fractions; intervals as lo/hi). */
export function earlyCsv(rows: readonly EarlyRow[]): string {
  return csvTable(
    [
      "days",
      "n",
      "mean_frames",
      "accuracy",
      "accuracy_lo",
      "accuracy_hi",
      "balanced_accuracy",
      "balanced_accuracy_lo",
      "balanced_accuracy_hi",
      "macro_f1",
      "macro_f1_lo",
      "macro_f1_hi",
      "snia_efficiency",
      "snia_purity",
      "ece",
    ],
    rows.map((r) => [
      r.days === null ? "all" : r.days,
      r.n,
      r.meanFrames,
      r.accuracy,
      r.accuracyInterval.lo,
      r.accuracyInterval.hi,
      r.balancedAccuracy,
      r.balancedAccuracyInterval.lo,
      r.balancedAccuracyInterval.hi,
      r.macroF1,
      r.macroF1Interval.lo,
      r.macroF1Interval.hi,
      r.sniaEfficiency,
      r.sniaPurity,
      r.ece,
    ]),
  );
}

/**
 * Vega-lite plot of metrics against the cut: one line per metric (and per
 * series name, for several models), x = days after the first epoch (the
 * whole series drawn at the last cut + 20 days, labelled `all`).
 *
 * @param series Named rows (one name per model).
 */
export function earlySpec(
  series: readonly { name: string; rows: readonly EarlyRow[] }[],
): TopLevelSpec {
  const maxDays = Math.max(0, ...series.flatMap((s) => s.rows.map((r) => r.days ?? 0)));
  const values = series.flatMap((s) =>
    s.rows.flatMap((r) => {
      const x = r.days ?? maxDays + 20;
      const pts = [
        { metric: "accuracy", v: r.accuracy, lo: r.accuracyInterval.lo, hi: r.accuracyInterval.hi },
        {
          metric: "balanced accuracy",
          v: r.balancedAccuracy,
          lo: r.balancedAccuracyInterval.lo,
          hi: r.balancedAccuracyInterval.hi,
        },
      ];
      return pts.map((p) => ({ model: s.name, days: x, ...p }));
    })
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Early classification (x = days after the first epoch; ${maxDays + 20} = all)`,
    data: { values },
    facet: { column: { field: "metric", type: "nominal" } },
    spec: {
      width: 240,
      height: 180,
      layer: [
        {
          mark: { type: "area", opacity: 0.15 },
          encoding: {
            x: { field: "days", type: "quantitative", title: "days after first epoch" },
            y: { field: "lo", type: "quantitative", scale: { domain: [0, 1] }, title: "value" },
            y2: { field: "hi" },
            color: { field: "model", type: "nominal" },
          },
        },
        {
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "days", type: "quantitative" },
            y: { field: "v", type: "quantitative" },
            color: { field: "model", type: "nominal" },
          },
        },
      ],
    },
  };
}
