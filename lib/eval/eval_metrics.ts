/**
 * The metrics of an evaluation from logits: probabilities after the run's
 * temperature, every point metric, 95 % intervals, SN Ia selection, and the
 * calibration before and after the temperature.
 *
 * @module
 */
import { softmaxRows } from "../train/infer.ts";
import type { RunTemperature } from "../train/run_dir.ts";
import { scaleLogits } from "../train/temperature.ts";
import { argmax, computeMetrics, type EvalProtocol, type Metrics } from "./metrics.ts";
import { metricIntervals, sniaReport } from "./intervals.ts";
import type { BootstrapOptions } from "./stats/bootstrap.ts";

/** Probability rows from row-major logits divided by `t`. */
export function probabilityRows(logits: ArrayLike<number>, c: number, t = 1): number[][] {
  const p = softmaxRows(t === 1 ? logits : scaleLogits(logits, t), c);
  return Array.from({ length: p.length / c }, (_, i) => Array.from(p.subarray(i * c, (i + 1) * c)));
}

/**
 * Every metric of an evaluation.
 *
 * @param labels True class per object.
 * @param logits Row-major `[n, C]` logits.
 * @param classes Class names.
 * @param opts The run's temperature (absent: unscaled), the protocol, the bootstrap.
 * @returns The metrics (of the scaled probabilities) and the probability rows.
 */
export function evaluationMetrics(
  labels: readonly number[],
  logits: ArrayLike<number>,
  classes: readonly string[],
  opts: {
    temperature?: RunTemperature;
    protocol?: EvalProtocol;
    bootstrap?: BootstrapOptions;
    sniaThreshold?: number;
  } = {},
): { metrics: Metrics; probs: number[][] } {
  const c = classes.length;
  const t = opts.temperature?.value ?? 1;
  const probs = probabilityRows(logits, c, t);
  const metrics = computeMetrics(labels, probs, classes);
  const preds = probs.map((r) => argmax(r));
  metrics.intervals = metricIntervals(labels, preds, c, opts.bootstrap);
  metrics.snia = sniaReport(labels, probs, classes, opts.sniaThreshold);
  if (opts.protocol) metrics.protocol = opts.protocol;
  if (opts.temperature) {
    const raw = computeMetrics(labels, probabilityRows(logits, c, 1), classes);
    metrics.temperatureScaling = {
      temperature: t,
      fittedOn: opts.temperature.fittedOn,
      eceBefore: raw.ece,
      logLossBefore: raw.logLoss,
      calibrationBefore: raw.calibration,
    };
  }
  return { metrics, probs };
}
