/**
 * The light curves (and GP heatmaps) the light-curve baselines read their
 * inputs from: one data set at a time, set by whoever trains or evaluates them
 * on a store (lib/compare/compare_all.ts).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { HeatmapSet, LightCurveSet } from "./lc_cache.ts";

/** Light curves (and heatmaps) the light-curve models read their inputs from. */
export interface LightCurveData {
  /** The store's light curves. */
  lightCurves: LightCurveSet;
  /** The store's GP heatmaps (needed by `scone` only). */
  heatmaps?: HeatmapSet;
}

let current: LightCurveData | null = null;

/**
 * Sets the light curves the light-curve models use (call before training or evaluating one on
 * a store; `null` clears).
 *
 * @param data The store's light curves and heatmaps, or null.
 */
export function useLightCurveData(data: LightCurveData | null): void {
  current = data;
}

/** The light curves set by {@link useLightCurveData}, or null. */
export function currentLightCurveData(): LightCurveData | null {
  return current;
}

/**
 * The light curves set by {@link useLightCurveData}.
 *
 * @param model The model asking (named in the error).
 * @throws UsageError when none are set, saying how to run the model.
 */
export function lightCurveData(model: string): LightCurveData {
  if (!current) {
    throw new UsageError(
      `Model "${model}" reads light curves measured from the stamps, and none are loaded.`,
      {
        hint: "Run it through `convention compare --data D --models " + model +
          "`, which measures and caches them next to the store.",
      },
    );
  }
  return current;
}
