/**
 * The pieces the training verbs take from other layers: the default
 * simulated survey (lib/simulate), the backend choice (lib/train/backend.ts)
 * and the built-in models of the registry (lib/model).
 *
 * @module
 */
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
