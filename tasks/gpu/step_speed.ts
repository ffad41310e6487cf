/**
 * Step 2 of the GPU check: milliseconds per training step (forward, backward,
 * finiteness check, Adam update; the loss read back each step, as the
 * training loop does) of a preset at given batch sizes on the active backend,
 * median of several timed steps after warm-up steps.
 *
 * @module
 */
import type { PresetName } from "../../lib/model/convention.ts";
import * as tf from "@tensorflow/tfjs-core";
import type { Deadline } from "./budget.ts";
import { plannedRepetitions } from "./budget.ts";
import { nvidiaSmiMemoryMiB } from "./gpu_memory.ts";
import { median } from "../bench/shared.ts";
import type { SpeedRun } from "./report.ts";
import { stepSetup } from "../bench/step_setup.ts";

/** Limits of one batch size's timing. */
export interface SpeedPlan {
  warmupSteps: number;
  minSteps: number;
  maxSteps: number;
}

/**
 * Times training steps of `preset` at `batch` within `deadline`.
 * Errors (e.g. out of GPU memory) are returned in `error`, not thrown.
 */
export async function timeBatch(
  preset: PresetName,
  batch: number,
  deadline: Deadline,
  plan: SpeedPlan = { warmupSteps: 2, minSteps: 3, maxSteps: 10 },
): Promise<SpeedRun> {
  const run: SpeedRun = {
    batch,
    warmupSteps: 0,
    warmupMs: [],
    stepMs: [],
    medianMs: NaN,
    meanMsSynced: NaN,
    objectsPerS: NaN,
    tfMemory: { numTensors: 0, numBytes: 0, numBytesInGPU: null },
    gpuMemUsedMiB: null,
  };
  const s = stepSetup(preset, batch);
  const step = async (): Promise<number> => {
    const t = performance.now();
    await s.step();
    return performance.now() - t;
  };
  try {
    for (let i = 0; i < plan.warmupSteps; i++) {
      run.warmupMs.push(await step());
      run.warmupSteps++;
      if (!deadline.fits(run.warmupMs[i]! / 1000)) break;
    }
    const last = run.warmupMs[run.warmupMs.length - 1] ?? 1000;
    const n = plannedRepetitions(deadline.left(), last / 1000, plan.minSteps, plan.maxSteps);
    const tLoop = performance.now();
    for (let i = 0; i < n; i++) {
      if (i >= 1 && !deadline.fits(median(run.stepMs) / 1000)) break;
      run.stepMs.push(await step());
    }
    // Each step waits for its loss, so it also waits for the previous step's Adam update
    // (the GPU queue runs in order); the last update is waited for here.
    await s.opt.variables().values().next().value!.data();
    run.meanMsSynced = (performance.now() - tLoop) / run.stepMs.length;
    run.medianMs = median(run.stepMs);
    run.objectsPerS = batch / (run.medianMs / 1000);
    const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    run.tfMemory = {
      numTensors: mem.numTensors,
      numBytes: mem.numBytes,
      numBytesInGPU: mem.numBytesInGPU ?? null,
    };
    run.gpuMemUsedMiB = await nvidiaSmiMemoryMiB();
  } catch (err) {
    run.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } finally {
    s.dispose();
  }
  return run;
}
