/**
 * Plots as SVG strings, from vega-lite specifications rendered headless by
 * vega (`new vega.View(vega.parse(spec), {renderer: "none"}).toSVG()`, no
 * DOM): the confusion matrix, learning curves and the reliability diagram.
 *
 * @module
 */
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import type { Metrics } from "./metrics.ts";
import type { EpochRecord } from "../train/metrics_log.ts";

export type { EpochRecord };

/**
 * Renders a vega-lite specification to an SVG string with no DOM.
 *
 * @param spec A vega-lite top-level specification with inline data.
 * @example
 * ```ts
 * import { renderSvg } from "./plots.ts";
 * const svg = await renderSvg({
 *   data: { values: [{ x: 1, y: 2 }] },
 *   mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * });
 * svg.startsWith("<svg"); // true
 * ```
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Vega-lite specification of the confusion matrix: rows are true classes,
 * columns predicted classes, cells coloured by the row-normalised fraction
 * and labelled with the count.
 */
export function confusionSpec(metrics: Metrics, title = "Confusion matrix (test)"): TopLevelSpec {
  const values: Record<string, string | number>[] = [];
  metrics.confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      values.push({
        true: metrics.classes[i]!,
        predicted: metrics.classes[j]!,
        count,
        fraction: total ? count / total : 0,
      });
    });
  });
  const order = metrics.classes;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    data: { values },
    width: 60 * order.length,
    height: 60 * order.length,
    encoding: {
      x: { field: "predicted", type: "nominal", sort: order, title: "predicted class" },
      y: { field: "true", type: "nominal", sort: order, title: "true class" },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: {
            field: "fraction",
            type: "quantitative",
            scale: { domain: [0, 1], scheme: "blues" },
            title: "row fraction",
          },
        },
      },
      {
        mark: { type: "text", fontSize: 13 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: "datum.fraction > 0.5", value: "white" }, value: "black" },
        },
      },
    ],
  };
}

/**
 * Vega-lite specification of the learning curves: loss and accuracy per epoch
 * (training and validation), epochs numbered across both stages with the stage
 * as the line style.
 */
export function learningCurvesSpec(records: readonly EpochRecord[]): TopLevelSpec {
  const values: Record<string, string | number>[] = [];
  let x = 0;
  for (const r of records) {
    x++;
    const stage = `stage ${r.stage}`;
    const push = (metric: string, split: string, value: number | undefined) => {
      if (value !== undefined && Number.isFinite(value)) {
        values.push({ epoch: x, metric, split, stage, value });
      }
    };
    push("loss", "train", r.trainLoss);
    push("loss", "validation", r.valLoss);
    push("accuracy", "train", r.trainAccuracy);
    push("accuracy", "validation", r.valAccuracy);
    push("macro F1", "validation", r.valMacroF1);
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Learning curves",
    data: { values },
    facet: { column: { field: "metric", type: "nominal", sort: ["loss", "accuracy", "macro F1"] } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 220,
      height: 160,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "epoch", type: "quantitative", title: "epoch (both stages)" },
        y: { field: "value", type: "quantitative", scale: { zero: false } },
        color: { field: "split", type: "nominal" },
        strokeDash: { field: "stage", type: "nominal" },
        detail: { field: "stage", type: "nominal" },
      },
    },
  };
}

/**
 * Vega-lite specification of the reliability diagram behind the ECE: the
 * bins of the evaluated probabilities and, when a temperature scaled them,
 * the bins before scaling (T = 1) beside them.
 */
export function reliabilitySpec(metrics: Metrics): TopLevelSpec {
  const bins = (table: Metrics["calibration"], curve: string) =>
    table.filter((b) => b.count > 0).map((b) => ({
      confidence: b.confidence,
      accuracy: b.accuracy,
      count: b.count,
      curve,
    }));
  const ts = metrics.temperatureScaling;
  const values = ts
    ? [
      ...bins(ts.calibrationBefore, `before (T = 1, ECE ${ts.eceBefore.toFixed(3)})`),
      ...bins(
        metrics.calibration,
        `after (T = ${ts.temperature.toFixed(2)}, ECE ${metrics.ece.toFixed(3)})`,
      ),
    ]
    : bins(metrics.calibration, `ECE ${metrics.ece.toFixed(3)}`);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Reliability (${metrics.eceBins} equal-width bins, ${metrics.n} objects)`,
    width: 220,
    height: 220,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: "line", color: "gray", strokeDash: [4, 4] },
        encoding: {
          x: { field: "x", type: "quantitative", scale: { domain: [0, 1] }, title: "confidence" },
          y: { field: "y", type: "quantitative", scale: { domain: [0, 1] }, title: "accuracy" },
        },
      },
      {
        data: { values },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "confidence", type: "quantitative" },
          y: { field: "accuracy", type: "quantitative" },
          color: { field: "curve", type: "nominal", title: null },
          tooltip: [{ field: "count", type: "quantitative" }],
        },
      },
    ],
  };
}
