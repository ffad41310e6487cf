/**
 * Worker side of the light-curve and heatmap cache builders: forced photometry of one object's
 * frames, or the GP heatmap of one light curve, per message (CPU-bound, so two workers use both
 * cores of a small machine).
 *
 * @module
 */
import { lightCurveFromSeries, type LightCurveOptions } from "./photometry.ts";
import { gpHeatmap, type HeatmapOptions } from "./gp_heatmap.ts";
import type { LightCurvePoint } from "./photometry.ts";
import type { ObjectSeries } from "../survey/series.ts";

/** A job for the worker. */
export type CacheJob =
  | { kind: "lc"; key: number; series: ObjectSeries; options: LightCurveOptions }
  | { kind: "heatmap"; key: number; points: LightCurvePoint[]; options: HeatmapOptions };

/** What the worker answers. */
export type CacheResult =
  | {
    kind: "lc";
    key: number;
    points: LightCurvePoint[];
    skipped: number;
    centre?: [number, number];
  }
  | {
    kind: "heatmap";
    key: number;
    mean: Float32Array;
    std: Float32Array;
    fit: { timeScale: number; amplitude: number; n: number };
  }
  | { kind: "error"; key: number; message: string };

/** Runs one job (also used in-thread when no worker is wanted). */
export function runCacheJob(job: CacheJob): CacheResult {
  try {
    if (job.kind === "lc") {
      const lc = lightCurveFromSeries(job.series, job.options);
      return {
        kind: "lc",
        key: job.key,
        points: lc.points,
        skipped: lc.skipped,
        centre: lc.centre,
      };
    }
    const map = gpHeatmap(job.points, job.options);
    return {
      kind: "heatmap",
      key: job.key,
      mean: map.mean,
      std: map.std,
      fit: { timeScale: map.fit.timeScale, amplitude: map.fit.amplitude, n: map.fit.n },
    };
  } catch (e) {
    return { kind: "error", key: job.key, message: (e as Error)?.message ?? String(e) };
  }
}

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
if (typeof scope.WorkerGlobalScope !== "undefined" && scope instanceof scope.WorkerGlobalScope) {
  scope.onmessage = (ev: MessageEvent<CacheJob>) => {
    const r = runCacheJob(ev.data);
    const transfer = r.kind === "heatmap" ? [r.mean.buffer, r.std.buffer] : [];
    scope.postMessage(r, transfer);
  };
}
