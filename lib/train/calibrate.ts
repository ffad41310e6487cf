/**
 * Calibration of a trained run: the temperature dividing its logits, fitted
 * on the validation objects after training (those of stage 2, the confirmed
 * objects, else stage 1's), and saved in `run.json`; `predict` and `eval`
 * apply it. The argmax (so every accuracy) never changes.
 *
 * @module
 */
import type { Split } from "../data/split.ts";
import { fitTemperature } from "./temperature.ts";
import type { RunTemperature } from "./run_dir.ts";
import { type Setup, validationLogits } from "./setup.ts";

/** The validation objects a temperature is fitted on, and their name. */
export function calibrationIds(split: Split): { ids: string[]; split: string } {
  if (split.stage2.val.length) return { ids: split.stage2.val, split: "stage2.val" };
  return { ids: split.stage1.val, split: "stage1.val" };
}

/**
 * Fits the run's temperature on its validation objects with the model as it
 * is now (the final weights).
 *
 * @param setup Store, model, normalisation and configuration.
 * @param split The run's split.
 */
export async function fitRunTemperature<I>(
  setup: Pick<
    Setup<I>,
    "store" | "entry" | "model" | "config" | "normalization" | "length" | "size"
  >,
  split: Split,
): Promise<RunTemperature> {
  const { ids, split: name } = calibrationIds(split);
  const { labels, logits } = await validationLogits(setup, ids);
  const f = fitTemperature(logits, labels, setup.model.numClasses);
  return {
    value: f.temperature,
    fittedOn: f.n,
    split: name,
    nllBefore: f.nllBefore,
    nllAfter: f.nllAfter,
  };
}
