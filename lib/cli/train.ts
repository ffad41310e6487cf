/**
 * `convention train`: two-stage training of ConvEntion (or a registered
 * baseline), then evaluation on the test split.
 *
 * With no argument (`deno task train`): the `cpu` preset on the default
 * simulated survey (created and ingested on first use), evaluated at the
 * end; prints the run folder and the test accuracy.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { choice, integer, number, STAMPS } from "./util/options.ts";
import { checkWritableFile, checkWritableFolder } from "../util/writable.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_TRUNCATE } from "../data/truncate.ts";
import {
  applyOverrides,
  configToYaml,
  loadConfigFile,
  type TrainConfig,
  trainPreset,
  validateConfig,
} from "../train/config.ts";
import { train } from "../train/train.ts";
import { prepareStore } from "../train/data_source.ts";
import { evaluateRun } from "../eval/evaluate.ts";
import { trainSeeds } from "../compare/train_seeds.ts";
import { trainFolds } from "../compare/train_folds.ts";
import { pct } from "../eval/tables.ts";
import { runtimeHooks } from "../train/runtime.ts";
import { registeredModelsHelp } from "./util/models_help.ts";

/** Options of the `train` verb. */
export interface TrainCliOptions {
  config?: string;
  preset?: string;
  set?: string[];
  name?: string;
  runsDir?: string;
  data?: string;
  store?: string;
  model?: string;
  modelPreset?: string;
  seed?: number;
  backend?: string;
  parallel?: number;
  microBatch?: number;
  batchSize?: number;
  epochs1?: number;
  epochs2?: number;
  lr1?: number;
  lr2?: number;
  stage?: string;
  freezeBackbone?: boolean;
  loss?: string;
  optimizer?: string;
  weightDecay?: number;
  select?: string;
  patience?: number;
  workers?: number;
  truncate?: number;
  stamps?: (typeof STAMPS)[number];
}

/** Resolves the configuration from a file/preset and the command-line options. */
export async function resolveTrainConfig(o: TrainCliOptions): Promise<TrainConfig> {
  let c = o.config
    ? await loadConfigFile(o.config, o.preset ?? "cpu")
    : trainPreset(o.preset ?? "cpu");
  const sets: string[] = [];
  const add = (k: string, v: unknown) => {
    if (v !== undefined) sets.push(`${k}=${typeof v === "string" ? JSON.stringify(v) : v}`);
  };
  add("name", o.name);
  add("runsDir", o.runsDir);
  add("data.source", o.data);
  add("data.store", o.store);
  add("model.name", o.model);
  add("model.preset", o.modelPreset);
  add("seed", o.seed);
  add("backend", o.backend);
  add("parallel", o.parallel);
  add("microBatch", o.microBatch);
  add("batchSize", o.batchSize);
  add("stage1.epochs", o.epochs1);
  add("stage2.epochs", o.epochs2);
  add("stage1.lr", o.lr1);
  add("stage2.lr", o.lr2);
  add("loss.name", o.loss);
  add("optim.name", o.optimizer);
  add("optim.weightDecay", o.weightDecay);
  add("select", o.select);
  add("data.workers", o.workers);
  if (o.patience !== undefined) {
    add("stage1.patience", o.patience);
    add("stage2.patience", o.patience);
  }
  if (o.freezeBackbone) add("stage2.freezeBackbone", true);
  if (o.stage !== undefined) {
    if (!["1", "2", "both"].includes(o.stage)) {
      throw new UsageError(`--stage ${o.stage} is not 1, 2 or both.`);
    }
    add("stage1.enabled", o.stage !== "2");
    add("stage2.enabled", o.stage !== "1");
  }
  c = applyOverrides(c, [...sets, ...(o.set ?? [])]);
  if (o.truncate !== undefined) {
    const minDays = c.data.truncate?.minDays ?? DEFAULT_TRUNCATE.minDays;
    c.data.truncate = o.truncate > 0 ? { prob: o.truncate, minDays } : null;
  }
  if (o.stamps !== undefined) c.data.stamps = o.stamps;
  return validateConfig(c);
}

/** The options of `train` after parsing. */
type TrainCommandOptions = TrainCliOptions & {
  cacheDir?: string;
  resume?: string;
  stopAfterEpochs?: number;
  printConfig?: boolean;
  eval: boolean;
  report?: string;
  json?: boolean;
  seeds?: number;
  folds?: number;
};

/** `--folds k` (k-fold cross-validation) or `--seeds n` (n trainings on one split). */
async function trainMany(config: TrainConfig, o: TrainCommandOptions): Promise<number> {
  const hooks = runtimeHooks();
  const opts = {
    prepare: { ensureDefaultSurvey: hooks.ensureDefaultSurvey, cacheDir: o.cacheDir },
    selectBackend: hooks.selectBackend,
  };
  await checkWritableFolder(config.runsDir, "runs folder");
  if (o.folds !== undefined) {
    const r = await trainFolds(config, o.folds, opts);
    console.log(o.json ? JSON.stringify(r.pooled) : r.markdown);
    return 0;
  }
  const r = await trainSeeds(config, o.seeds!, opts);
  console.log(o.json ? JSON.stringify(r.summary) : r.markdown);
  return 0;
}

/** Adds the options of `train` to `cmd` (configuration, data, model, training, output). */
function trainOptions(cmd: Command) {
  return cmd
    .option("-c, --config <file>", "YAML configuration (over its `preset:`)")
    .option("-p, --preset <name>", "training preset: paper, paper-g, cpu, tiny (default cpu)")
    .option(
      "--set <key=value...>",
      "override any configuration key, e.g. --set stage1.epochs=10 model.options.dropout=0.3",
    )
    .option("--name <name>", "run name (folder under the runs folder)")
    .option("--runs-dir <dir>", "folder of the run folders (default runs)")
    .option("--data <source>", "`default`, a store folder, a simulated survey or a manifest CSV")
    .option("--store <dir>", "where to ingest a survey source (default: a cache folder)")
    .option(
      "--cache-dir <dir>",
      "cache of the default survey and ingested stores (default .cache/convention)",
    )
    .option("--model <name>", `model (default convention): ${registeredModelsHelp()}`)
    .option("--model-preset <name>", "one of the model's presets (default: the training preset's)")
    .option("--seed <n>", "seed of everything random", integer("seed"))
    .option("--backend <name>", "auto, webgpu, wasm or cpu")
    .option(
      "--parallel <n>",
      "data-parallel replicas on wasm/cpu: batch shards computed in n threads (default 1)",
      integer("parallel", { min: 1 }),
    )
    .option(
      "--micro-batch <n>",
      "wasm/cpu: at most n objects per forward pass, gradients summed (default: whole batch)",
      integer("micro-batch", { min: 1 }),
    )
    .option("--batch-size <n>", "training batch size", integer("batch-size", { min: 1 }))
    .option("--epochs1 <n>", "stage 1 epochs", integer("epochs1", { min: 1 }))
    .option("--epochs2 <n>", "stage 2 epochs", integer("epochs2", { min: 1 }))
    .option("--lr1 <x>", "stage 1 learning rate", number("lr1", { min: 0 }))
    .option("--lr2 <x>", "stage 2 learning rate", number("lr2", { min: 0 }))
    .option("--stage <which>", "run stage 1, 2 or both")
    .option("--freeze-backbone", "stage 2 trains the classifier head only")
    .option("--loss <name>", "cross-entropy or focal")
    .option("--optimizer <name>", "adam or adamw")
    .option("--weight-decay <x>", "AdamW weight decay", number("weight-decay", { min: 0 }))
    .option("--select <metric>", "best-epoch metric: macro-f1 (default) or accuracy")
    .option(
      "--patience <n>",
      "early stopping patience in epochs (0 = off)",
      integer("patience", { min: 0 }),
    )
    .option("--workers <n>", "loader worker threads (0 = none)", integer("workers", { min: 0 }))
    .option(
      "--truncate <p>",
      "cut each training series with probability p at a random date (early classification; " +
        "days log-uniform from data.truncate.minDays = 3)",
      number("truncate", { min: 0, max: 1 }),
    )
    .option(
      "--stamps <name>",
      "a simulated survey's stamps for the model: science (default), difference or host-masked " +
        "(ablations; data.stamps)",
      choice("stamps", STAMPS),
    )
    .option("--resume <run>", "continue a stopped or killed run folder")
    .option(
      "--stop-after-epochs <n>",
      "stop after N epochs of this invocation, as if killed (to test --resume)",
      integer("stop-after-epochs", { min: 1 }),
    )
    .option("--print-config", "print the resolved configuration (YAML) and exit")
    .option("--no-eval", "do not evaluate on the test split at the end")
    .option("--report <file>", "write the HTML report there (default: <run>/eval/report.html)")
    .option("--json", "print the final summary as JSON on stdout")
    .option(
      "--seeds <n>",
      "train seeds seed..seed+n-1 on one split, evaluate each",
      integer("seeds", { min: 1 }),
    )
    .option(
      "--folds <k>",
      "stratified k-fold cross-validation, metrics pooled",
      integer("folds", { min: 2 }),
    );
}

/** Trains (or resumes), evaluates, and prints the run folder; returns the exit code. */
async function trainAction(o: TrainCommandOptions): Promise<number> {
  const hooks = runtimeHooks();
  if (o.resume !== undefined && (o.config || o.preset || o.set)) {
    throw new UsageError(
      "--resume uses the run's own config.yaml; drop --config/--preset/--set.",
    );
  }
  const config = o.resume === undefined ? await resolveTrainConfig(o) : undefined;
  if (o.printConfig) {
    if (!config) throw new UsageError("--print-config needs no --resume.");
    console.log(configToYaml(config));
    return 0;
  }
  if (config && (o.folds !== undefined || (o.seeds ?? 1) > 1)) return await trainMany(config, o);
  if (config) await checkWritableFolder(config.runsDir, "runs folder");
  if (o.report) await checkWritableFile(o.report, "report file");
  const prepare = { ensureDefaultSurvey: hooks.ensureDefaultSurvey, cacheDir: o.cacheDir };
  // The store first (ingested once, then reused by train): no run folder for data with no object.
  if (config) await prepareStore(config.data, prepare);
  const result = await train({
    config,
    resume: o.resume,
    stopAfterEpochs: o.stopAfterEpochs,
    prepare,
    selectBackend: hooks.selectBackend,
  });
  if (result.stopped) {
    console.error(
      `run folder: ${result.runDir} (stopped; resume with --resume ${result.runDir})`,
    );
    return 0;
  }
  let accuracy: number | null = null;
  if (o.eval) {
    const cfgReport = (config ?? { eval: { report: true } }).eval.report;
    const ev = await evaluateRun(result.runDir, { report: o.report ?? cfgReport });
    console.log(ev.markdown);
    accuracy = ev.metrics.accuracy;
    if (ev.report) console.error(`report: ${ev.report}`);
  }
  const summary = {
    run: result.runDir,
    status: result.info.status,
    trainTimeS: result.info.trainTimeS,
    parameters: result.info.parameters,
    testAccuracy: accuracy,
  };
  if (o.json) console.log(JSON.stringify(summary));
  console.error(
    `run folder: ${result.runDir}` +
      (accuracy !== null ? `\ntest accuracy: ${pct(accuracy)} %` : ""),
  );
  return 0;
}

/** Registers the `train` verb on `program`. */
export function registerTrain(program: Command): void {
  const cmd = program
    .command("train")
    .description(
      "train in two stages (unconfirmed, then confirmed objects), then evaluate on the test split",
    );
  trainOptions(cmd as unknown as Command).action(
    guarded(trainAction as (o: unknown) => Promise<number>),
  );
}
