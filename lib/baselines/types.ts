/**
 * The model interface the baselines implement: lib/model's {@link Classifier} contract.
 *
 * @module
 */
export type { ApplyOptions, Classifier, ModelInput } from "../model/types.ts";
