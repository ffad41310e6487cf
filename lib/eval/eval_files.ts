/**
 * The files of an evaluation in `runs/<name>/eval/`: metrics (JSON, CSV,
 * Markdown), per-object predictions, and the plots (confusion matrix,
 * learning curves, reliability before/after calibration) as SVG.
 *
 * @module
 */
import { writeFileAtomic } from "../util/atomic.ts";
import type { EpochRecord } from "../train/metrics_log.ts";
import { argmax, type Metrics } from "./metrics.ts";
import { csvTable, metricsCsv } from "./tables.ts";
import { confusionSpec, learningCurvesSpec, reliabilitySpec, renderSvg } from "./plots.ts";

/** A rendered plot. */
export interface Plot {
  /** Title. */
  title: string;
  /** File name in `eval/`. */
  file: string;
  /** SVG text. */
  svg: string;
}

/** The per-object outcome written to `predictions.csv`. */
export interface PredictionRows {
  /** Object ids. */
  ids: readonly string[];
  /** True class per object. */
  labels: readonly number[];
  /** Probability rows (after the temperature). */
  probs: readonly number[][];
  /** Frames seen per object. */
  nFrames: readonly number[];
}

/** `predictions.csv`: object_id, true, predicted, frames, p_<class>... */
export function predictionsCsv(classes: readonly string[], p: PredictionRows): string {
  return csvTable(
    ["object_id", "true", "predicted", "frames", ...classes.map((k) => `p_${k}`)],
    p.ids.map((id, i) => [
      id,
      classes[p.labels[i]!]!,
      classes[argmax(p.probs[i]!)]!,
      p.nFrames[i]!,
      ...p.probs[i]!,
    ]),
  );
}

/** Renders the three plots of an evaluation. */
export async function evaluationPlots(
  metrics: Metrics,
  epochLog: readonly EpochRecord[],
): Promise<Plot[]> {
  return [
    {
      title: "Confusion matrix",
      file: "confusion.svg",
      svg: await renderSvg(confusionSpec(metrics)),
    },
    {
      title: "Learning curves",
      file: "learning_curves.svg",
      svg: await renderSvg(learningCurvesSpec(epochLog)),
    },
    {
      title: "Reliability",
      file: "reliability.svg",
      svg: await renderSvg(reliabilitySpec(metrics)),
    },
  ];
}

/**
 * Writes metrics.json/.csv/.md, predictions.csv and the plots into `evalDir`;
 * returns the paths written.
 */
export async function writeEvaluationFiles(
  evalDir: string,
  metrics: Metrics,
  markdown: string,
  predictions: PredictionRows,
  plots: readonly Plot[],
): Promise<string[]> {
  await Deno.mkdir(evalDir, { recursive: true });
  const files: string[] = [];
  const write = async (name: string, text: string) => {
    const p = `${evalDir}/${name}`;
    await writeFileAtomic(p, text);
    files.push(p);
  };
  await write("metrics.json", JSON.stringify(metrics, null, 2) + "\n");
  await write("metrics.csv", metricsCsv(metrics));
  await write("metrics.md", markdown);
  await write("predictions.csv", predictionsCsv(metrics.classes, predictions));
  for (const p of plots) await write(p.file, p.svg);
  return files;
}
