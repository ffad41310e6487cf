/**
 * The error a diverged training run stops with (a NaN or infinite loss).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

/**
 * A NaN or infinite loss stopped the run; says where.
 *
 * @example An absurd learning rate makes the tiny preset diverge in its first epoch
 * ```ts
 * import { simulateSurvey, train, TrainingDivergedError, trainPreset } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 40, size: 16, progress: false });
 * const config = trainPreset("tiny");
 * config.backend = "wasm";
 * config.runsDir = `${dir}/runs`;
 * config.data = { ...config.data, source: `${dir}/s82`, store: `${dir}/store` };
 * config.stage1.lr = 1e30;
 * try {
 *   await train({ config, log: () => {}, tty: false, prepare: { progress: false } });
 * } catch (e) {
 *   if (!(e instanceof TrainingDivergedError)) throw e;
 *   console.log(e.stage, e.epoch, e.batch, e.loss); // the last good checkpoint is kept
 *   console.log(e.message, e.hint);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class TrainingDivergedError extends ConventionError {
  /** Stage (1 or 2). */
  readonly stage: number;
  /** Epoch within the stage (1-based). */
  readonly epoch: number;
  /** Batch within the epoch (1-based). */
  readonly batch: number;
  /** The loss value seen. */
  readonly loss: number;

  /**
   * Creates the error.
   *
   * @param message Where and what.
   * @param where Stage, epoch, batch and loss.
   * @param hint What to do.
   */
  constructor(
    message: string,
    where: { stage: number; epoch: number; batch: number; loss: number },
    hint: string,
  ) {
    super(message, { hint });
    this.name = "TrainingDivergedError";
    this.stage = where.stage;
    this.epoch = where.epoch;
    this.batch = where.batch;
    this.loss = where.loss;
  }
}
