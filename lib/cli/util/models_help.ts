/**
 * The registered models and their presets, for help texts: what `--model`
 * accepts, read from the registry when the help is built.
 *
 * @module
 */
import { TABLE2_MODELS } from "../../compare/compare_all.ts";
import { getModel, modelNames } from "../../train/models.ts";

/**
 * `name (preset, preset), ...` for every registered model, in registration order.
 *
 * @example
 * ```ts
 * import "../../train/builtin_models.ts";
 * import { registeredModelsHelp } from "./models_help.ts";
 * if (!registeredModelsHelp().startsWith("convention (paper, paper-g, cpu, tiny)")) {
 *   throw new Error("example check failed");
 * }
 * ```
 */
export function registeredModelsHelp(): string {
  return modelNames().map((n) => `${n} (${getModel(n).presets.join(", ")})`).join(", ");
}

/** The rows of the paper's Table 2 that `compare --models` accepts (or their model names). */
export function compareModelsHelp(): string {
  return TABLE2_MODELS.map((r) => r.key).join(", ");
}
