/**
 * Step 4 of the GPU check: a short real training. The simulated objects
 * (simulated in Workers while steps 1-2 ran) are split 80/20 at random
 * (seeded), normalised per band on the training part, and the preset is
 * trained with Adam (lr 1e-3, cross-entropy, batches shuffled each epoch)
 * for as many epochs as the time allows; validation accuracy after each.
 *
 * Simplifications, stated in the report: no class balancing or augmentation,
 * and the evaluation window (around the brightest frame) for training too.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { trainStep } from "../../lib/model/infra/train_step.ts";
import { DEFAULT_CLASSES } from "../../lib/survey/series.ts";
import { Rng } from "../../lib/util/rng.ts";
import type { Deadline } from "./budget.ts";
import type { EpochReport, TrainingReport } from "./report.ts";
import { checkOptimizer, createCheckModel, inputTensors } from "./model_api.ts";
import type { RawInput } from "./inputs.ts";
import type { SimSet } from "./sim_pool.ts";
import { bandStats, normalizeInPlace } from "./norm.ts";
import { accuracies } from "./stats.ts";

function gather(set: SimSet, rows: readonly number[]): RawInput {
  const l = set.length, px = set.size * set.size, fpx = l * px;
  const frames = new Float32Array(rows.length * fpx);
  const bands = new Int32Array(rows.length * l);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    frames.set(set.frames.subarray(r * fpx, (r + 1) * fpx), i * fpx);
    bands.set(set.bands.subarray(r * l, (r + 1) * l), i * l);
    labels[i] = set.labels[r]!;
  });
  return { batch: rows.length, length: l, size: set.size, frames, bands, labels };
}

/**
 * Trains `preset` on the simulated set until `deadline`.
 *
 * @param onEpoch Called after each epoch (to save partial results).
 * @param opts Evaluation batch (default max(batch, 32)), epoch cap (50), seed (3).
 */
export async function shortTraining(
  preset: string,
  set: SimSet,
  batch: number,
  deadline: Deadline,
  onEpoch: (report: TrainingReport) => Promise<void> = async () => {},
  opts: { evalBatch?: number; maxEpochs?: number; seed?: number } = {},
): Promise<TrainingReport> {
  const t0 = performance.now();
  const { evalBatch = Math.max(batch, 32), maxEpochs = 50, seed = 3 } = opts;
  const classes = DEFAULT_CLASSES.length;
  const usable = [...Array(set.n).keys()].filter((i) => set.labels[i]! >= 0);
  const rng = Rng.derive(seed, "gpu-check-split");
  rng.shuffle(usable);
  const nVal = Math.max(1, Math.round(usable.length * 0.2));
  const val = usable.slice(0, nVal).sort((a, b) => a - b);
  const train = usable.slice(nVal).sort((a, b) => a - b);
  const px = set.size * set.size;
  const stats = bandStats(set.frames, set.bands, set.length, px, train, 5);
  normalizeInPlace(set.frames, set.bands, set.length, px, stats);
  const classCounts: Record<string, number> = {};
  for (const i of usable) {
    const name = DEFAULT_CLASSES[set.labels[i]!]!;
    classCounts[name] = (classCounts[name] ?? 0) + 1;
  }

  const m = createCheckModel(preset, seed);
  const opt = checkOptimizer(m);
  const report: TrainingReport = {
    preset,
    objects: set.n,
    train: train.length,
    val: val.length,
    classes: [...DEFAULT_CLASSES],
    classCounts,
    simulateSeconds: set.seconds,
    simulateObjectsPerS: set.n / set.seconds,
    batch,
    learningRate: 1e-3,
    epochs: [],
    stoppedBy: "epochs",
    seconds: 0,
  };
  const stepsPerEpoch = Math.ceil(train.length / batch);
  let stepEstimateS = 0, evalEstimateS = 0, seedStep = 1;
  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const te = performance.now();
      let steps = stepsPerEpoch;
      if (epoch > 1 || stepEstimateS > 0) {
        steps = Math.min(
          stepsPerEpoch,
          Math.floor((deadline.left() - evalEstimateS * 1.2) / stepEstimateS),
        );
      }
      if (steps < 1) {
        report.stoppedBy = "budget";
        break;
      }
      const order = [...train];
      Rng.derive(seed, `gpu-check-epoch-${epoch}`).shuffle(order);
      let lossSum = 0, correct = 0, seen = 0;
      for (let s = 0; s < steps; s++) {
        const rows = order.slice(s * batch, (s + 1) * batch);
        const raw = gather(set, rows);
        const input = inputTensors(raw);
        const labels = tf.tensor1d(raw.labels, "int32");
        const ts = performance.now();
        try {
          const r = await trainStep(m.model, opt, input, labels, {
            loss: "cross-entropy",
            seed: seedStep++,
          });
          lossSum += r.loss * rows.length;
          correct += r.correct;
          seen += rows.length;
        } finally {
          tf.dispose([input.frames, input.bands, labels]);
        }
        stepEstimateS = (performance.now() - ts) / 1000;
        // First epoch with no estimate yet: stop early when the time runs out.
        if (!deadline.fits(stepEstimateS + evalEstimateS)) {
          steps = s + 1;
          break;
        }
      }
      const tv = performance.now();
      const pred: number[] = [];
      for (let s = 0; s < val.length; s += evalBatch) {
        const raw = gather(set, val.slice(s, s + evalBatch));
        const input = inputTensors(raw);
        try {
          const logits = m.model.apply(input, { training: false });
          const am = tf.argMax(logits, 1);
          pred.push(...((await am.data()) as Int32Array));
          tf.dispose([logits, am]);
        } finally {
          tf.dispose([input.frames, input.bands]);
        }
      }
      evalEstimateS = (performance.now() - tv) / 1000;
      const acc = accuracies(pred, val.map((i) => set.labels[i]!), classes);
      const e: EpochReport = {
        epoch,
        trainLoss: lossSum / Math.max(1, seen),
        trainAccuracy: correct / Math.max(1, seen),
        valAccuracy: acc.accuracy,
        valBalancedAccuracy: acc.balanced,
        steps,
        seconds: (performance.now() - te) / 1000,
      };
      report.epochs.push(e);
      report.seconds = (performance.now() - t0) / 1000;
      await onEpoch(report);
      console.error(
        `[gpu-check] epoch ${epoch}: ${steps} steps, loss ${e.trainLoss.toFixed(4)}, val acc ${
          (100 * e.valAccuracy).toFixed(1)
        } %, ${e.seconds.toFixed(1)} s`,
      );
      if (steps < stepsPerEpoch) {
        report.stoppedBy = "budget";
        break;
      }
    }
  } finally {
    opt.dispose();
    m.model.dispose();
    report.seconds = (performance.now() - t0) / 1000;
  }
  return report;
}
