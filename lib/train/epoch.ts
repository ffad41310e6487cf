/**
 * One training epoch over the loader's batches.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../util/rng.ts";
import { Progress } from "../util/progress.ts";
import { epochBatches } from "../data/loader.ts";
import type { Adam } from "../model/infra/optimizer.ts";
import { trainStep } from "../model/infra/train_step.ts";
import { NonFiniteLossError } from "../model/errors.ts";
import { stretchBatch } from "./stretch.ts";
import { type Setup, stageConfig, stageIds } from "./setup.ts";
import { TrainingDivergedError } from "./diverged.ts";

/** Training statistics of one epoch. */
export interface EpochStats {
  loss: number;
  accuracy: number;
  objects: number;
  seconds: number;
}

/**
 * Trains one epoch: the seeded balanced batches of the stage, one step each
 * (data-parallel when set up); a non-finite loss stops with
 * {@link TrainingDivergedError}.
 */
export async function runEpoch<I>(
  setup: Setup<I>,
  stage: number,
  epoch: number,
  optimizer: Adam,
  rng: Rng,
  tty: boolean | undefined,
): Promise<EpochStats> {
  const { config, store, split, normalization, entry, model, length, size } = setup;
  const st = stageConfig(config, stage);
  const stream = epochBatches(store, stageIds(split, stage).train, {
    seed: config.seed,
    stage,
    epoch,
    batchSize: config.batchSize,
    length,
    size,
    normalization,
    augment: config.data.augment,
    truncate: config.data.truncate,
    balance: config.data.balance,
    perClass: st.perClass,
    prefetch: config.data.workers > 0 ? 2 : 0,
    workers: Math.max(1, config.data.workers),
  });
  const progress = new Progress(
    `stage ${stage} epoch ${epoch}/${st.epochs}`,
    stream.rows,
    "objects",
    tty,
  );
  const t0 = performance.now();
  let lossSum = 0, correct = 0, rows = 0, b = 0;
  for await (const batch of stream) {
    b++;
    const seed = rng.nextUint32();
    const stretched = stretchBatch(batch, config.data.stretch);
    const stepOpts = { loss: config.loss.name, gamma: config.loss.gamma, seed };
    const input = setup.parallel ? null : entry.adapter(stretched);
    const labels = setup.parallel ? null : tf.tensor1d(batch.labels, "int32");
    try {
      const r = setup.parallel
        ? await setup.parallel.step(model, optimizer, entry, stretched, stepOpts)
        : await trainStep(model, optimizer, input!, labels!, stepOpts);
      lossSum += r.loss * batch.batchSize;
      correct += r.correct;
      rows += batch.batchSize;
    } catch (e) {
      if (e instanceof NonFiniteLossError) {
        progress.done(undefined, true);
        const what = e.cause instanceof Error ? e.cause.message : `the loss is ${e.loss}`;
        throw new TrainingDivergedError(
          `Training diverged at stage ${stage}, epoch ${epoch}, batch ${b}/${stream.length}: ` +
            `${what}. The weights of that step were not applied; the last good checkpoint ` +
            `(${setup.dir}/checkpoints) is intact.`,
          { stage, epoch, batch: b, loss: e.loss },
          `lower the learning rate (stage${stage}.lr = ${st.lr}), then resume with ` +
            `--resume ${setup.dir} or start again`,
        );
      }
      throw e;
    } finally {
      if (input !== null) entry.disposeInput(input);
      labels?.dispose();
    }
    progress.tick(
      batch.batchSize,
      `batch ${b}/${stream.length} loss ${(lossSum / rows).toFixed(4)} acc ${
        (correct / rows).toFixed(3)
      }`,
    );
  }
  progress.done(undefined, true);
  return {
    loss: rows ? lossSum / rows : NaN,
    accuracy: rows ? correct / rows : 0,
    objects: rows,
    seconds: (performance.now() - t0) / 1000,
  };
}
