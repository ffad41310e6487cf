/**
 * Loads the light curves (and, for SCONE, the GP heatmaps) a light-curve model reads on one store
 * and sets them for the model registry (`useLightCurveData`): measured once and cached next to the
 * store (lib/baselines/lc_cache.ts). Used for the training store and for the separate test survey.
 *
 * @module
 */
import { openStore } from "../data/store.ts";
import { heatmapsForStore, lightCurvesForStore } from "../baselines/lc_cache.ts";
import { useLightCurveData } from "../baselines/lc_data.ts";
import { lightCurveFrames } from "./register_baselines.ts";

/** The models that read light curves measured from the stamps. */
export const LIGHT_CURVE_MODELS: readonly string[] = [
  "supernnova",
  "supernnova-bayes",
  "sits-bert",
  "scone",
];

/** Options of {@link useStoreLightCurves}. */
export interface LightCurveSetupOptions {
  /** Worker threads for photometry and GP fits. */
  workers?: number;
  /** Small heatmaps (8 x 16) for the tiny budget. */
  tiny?: boolean;
  /** Messages. */
  log: (line: string) => void;
}

/**
 * Sets the light-curve data `model` reads from the store at `storePath` (clears it for an image
 * model). SCONE's heatmaps are fitted on each object's evaluation window of the preset's
 * band-frames (`lightCurveFrames(preset)`), the epochs the image models are tested on.
 *
 * @param storePath The store folder.
 * @param model Registry name of the model.
 * @param preset Its preset.
 * @param opts Workers, budget, log.
 */
export async function useStoreLightCurves(
  storePath: string,
  model: string,
  preset: string,
  opts: LightCurveSetupOptions,
): Promise<void> {
  if (!LIGHT_CURVE_MODELS.includes(model)) {
    useLightCurveData(null);
    return;
  }
  const store = await openStore(storePath);
  try {
    const lightCurves = await lightCurvesForStore(store, { workers: opts.workers, log: opts.log });
    const heatmaps = model === "scone"
      ? await heatmapsForStore(store, lightCurves, {
        workers: opts.workers,
        heatmap: opts.tiny ? { wavelengthBins: 8, dayBins: 16 } : {},
        frames: lightCurveFrames(preset),
      })
      : undefined;
    useLightCurveData({ lightCurves, heatmaps });
  } finally {
    store.close();
  }
}
