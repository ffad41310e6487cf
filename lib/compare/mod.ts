/**
 * Table 2: every registered model trained and evaluated on one store, compared (the composition
 * above `lib/train`, `lib/eval` and `lib/baselines`).
 *
 * @module
 */
export {
  type Budget,
  compareAll,
  compareAllCommand,
  type CompareAllCommandOptions,
  type CompareAllOptions,
  type CompareAllResult,
  type CompareModel,
  CPU_BUDGET_OVERRIDE,
  rowConfig,
  selectModels,
  TABLE2_MODELS,
} from "./compare_all.ts";
export { PAPER_TABLE2, paperAccuracy } from "./compare_report.ts";
