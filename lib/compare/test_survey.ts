/**
 * A separate test survey for simulated data: drawn from the same survey
 * model as the default survey (its options, another seed), never used for
 * training or model selection; every run of the comparison is evaluated on
 * its confirmed objects (the spectroscopic selection) besides the paper's
 * protocol (10 % of the training survey's confirmed objects).
 *
 * @module
 */
import { ensureDefaultSurvey } from "../simulate/default_survey.ts";
import type { TrainConfig } from "../train/config.ts";
import { DEFAULT_CACHE, type PrepareOptions, prepareStore } from "../train/data_source.ts";
import { evaluateRun, type Evaluation } from "../eval/evaluate.ts";
import { LIGHT_CURVE_MODELS, useStoreLightCurves } from "./lc_setup.ts";

/** How the test survey is drawn. */
export interface TestSurvey {
  /** Objects simulated (about 60 % of them are confirmed, the test set). */
  objects: number;
  /** Seed (never the training survey's). */
  seed: number;
}

/** The default test survey of `deno task compare`: 5,500 objects, seed 1001. */
export const DEFAULT_TEST_SURVEY: Readonly<TestSurvey> = { objects: 5500, seed: 1001 };

/** The evaluation folder of the test survey inside each run. */
export const TEST_SURVEY_EVAL = "eval-test-survey";

/**
 * Creates (once, in the cache folder) the test survey and returns its folder.
 *
 * @param t Objects and seed.
 * @param prepare The cache folder.
 * @param progress Show the simulator's progress bar.
 */
export async function ensureTestSurvey(
  t: TestSurvey,
  prepare: PrepareOptions | undefined,
  progress = false,
): Promise<string> {
  return await ensureDefaultSurvey(prepare?.cacheDir ?? DEFAULT_CACHE, { ...t, progress });
}

/**
 * Evaluates one run on the test survey (ingested for the run's bands):
 * `runs/<name>/eval-test-survey/`. Light-curve models get the test store's
 * light curves (and heatmaps) for the test pass.
 */
export async function evaluateOnTestSurvey(
  dir: string,
  model: string,
  config: TrainConfig,
  source: string,
  opts: {
    prepare?: PrepareOptions;
    workers?: number;
    tiny?: boolean;
    log: (line: string) => void;
    tty?: boolean;
  },
): Promise<Evaluation> {
  const testStore = await prepareStore({ ...config.data, source, store: null }, opts.prepare);
  const beforeTest = async () => {
    if (!LIGHT_CURVE_MODELS.includes(model)) return;
    await useStoreLightCurves(testStore, model, config.model.preset, opts);
  };
  return await evaluateRun(dir, {
    testStore,
    evalDir: TEST_SURVEY_EVAL,
    beforeTest,
    report: false,
    log: opts.log,
    tty: opts.tty,
  });
}
