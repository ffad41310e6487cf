/**
 * The pieces the training verbs take from other layers: the default
 * simulated survey (lib/simulate), the backend choice (lib/train/backend.ts)
 * and the built-in model (ConvEntion, builtin_models.ts). The paper's
 * baselines join the registry where the program is composed
 * (lib/compare/register_baselines.ts, imported by main.ts), so that `train`,
 * `eval`, `predict` and `compare` know them all by name.
 *
 * @module
 */
import "./builtin_models.ts";
import { ensureDefaultSurvey } from "../simulate/default_survey.ts";
import { type BackendChoice, selectBackend } from "./backend.ts";

/** Hooks used by `train`, `eval` and `predict`. */
export interface RuntimeHooks {
  /** Creates the default simulated survey if missing; returns its folder. */
  ensureDefaultSurvey: (cacheDir: string) => Promise<string>;
  /** Selects the TF.js backend; returns its name. */
  selectBackend: (choice: BackendChoice) => Promise<string>;
}

/** The hooks wired to the project's simulator, backend choice and models. */
export function runtimeHooks(): RuntimeHooks {
  return {
    ensureDefaultSurvey: (cacheDir) => ensureDefaultSurvey(cacheDir),
    selectBackend: async (choice) => (await selectBackend(choice)).backend,
  };
}
