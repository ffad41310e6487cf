/**
 * Classifying objects with a trained run: per object the class
 * probabilities, the predicted class and the number of frames used; with
 * Monte-Carlo dropout (`mc` passes with dropout on and BatchNorm in
 * inference mode), the predictive mean and standard deviation per class.
 *
 * Inputs are any survey the data layer reads (simulator layout, manifest
 * CSV, folder of FITS) or a packed store; each object is reformatted as in
 * evaluation (window of `l` frames around the brightest, the run's
 * normalisation).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { hashSeed } from "../util/rng.ts";
import { BandMap } from "../survey/bands.ts";
import type { Problem } from "../survey/source.ts";
import type { SourceOptions } from "../survey/open_source.ts";
import { type Batch, emptyBatch } from "../data/batch.ts";
import { reformatSeries } from "../data/reformat.ts";
import { openStore } from "../data/store.ts";
import { checkStoreFingerprint, sameFolder } from "../data/store_fingerprint.ts";
import { evalBatches } from "../data/loader.ts";
import { batchLogits, rowArgmax, softmaxRows } from "./infer.ts";
import { scaleLogits } from "./temperature.ts";
import { cutSeries } from "../data/cut.ts";
import { stretchBatch } from "./stretch.ts";
import { type LoadedRun, loadRun } from "./load_run.ts";
import { inputKind, objectSource } from "./data_source.ts";

/** One object's prediction. */
export interface Prediction {
  /** Object id. */
  id: string;
  /** Predicted class: argmax of `probabilities`. */
  predicted: string;
  /** Class probabilities (inference mode). */
  probabilities: Record<string, number>;
  /** Frames the model used (at most l). */
  frames: number;
  /** The label the input gives, when it has one. */
  label?: string | null;
  /** Monte-Carlo dropout: mean probability per class over the passes. */
  mcMean?: Record<string, number>;
  /** Monte-Carlo dropout: standard deviation per class over the passes. */
  mcStd?: Record<string, number>;
  /** Monte-Carlo dropout: argmax of `mcMean`. */
  mcPredicted?: string;
  /** Number of Monte-Carlo passes. */
  mcPasses?: number;
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Monte-Carlo dropout passes (0 = none). */
  mc?: number;
  /** Objects per batch (default 32). */
  batchSize?: number;
  /** Seed of the Monte-Carlo dropout masks (default: the run's seed). */
  seed?: number;
  /** Source kind of the inputs (`auto`, `simulated`, `manifest`, `folder`, `alerts`, ...). */
  kind?: string;
  /** Options of the source (e.g. `cutout` for alerts, header keys for folders). */
  source?: SourceOptions;
  /** Messages (default stderr). */
  log?: (line: string) => void;
  /** Divide the logits by the run's temperature, as `eval` does (default true). */
  calibrate?: boolean;
  /** Classify with the epochs up to this MJD only (early classification; default all). */
  asOf?: number;
}

/**
 * Centre-crops every frame of a batch to `size x size`, as the loader crops
 * store stamps (offset `floor((S - size) / 2)`).
 */
export function cropBatch(batch: Batch, size: number): Batch {
  const S = batch.height;
  if (size === S) return batch;
  if (size > S || batch.width !== S) {
    throw new RangeError(`cropBatch: cannot crop ${batch.width}x${S} frames to ${size}x${size}`);
  }
  const off = Math.floor((S - size) / 2);
  const n = batch.batchSize * batch.length;
  const frames = new Float32Array(n * size * size);
  for (let f = 0; f < n; f++) {
    for (let y = 0; y < size; y++) {
      const src = f * S * S + (y + off) * S + off;
      frames.set(batch.frames.subarray(src, src + size), f * size * size + y * size);
    }
  }
  return { ...batch, frames, height: size, width: size };
}

/** Stacks one-object batches into one batch (same l, h, w). */
export function stackBatches(parts: readonly Batch[]): Batch {
  const first = parts[0];
  if (!first) throw new RangeError("stackBatches: no batch");
  const { length: l, height: h, width: w } = first;
  const n = parts.reduce((s, b) => s + b.batchSize, 0);
  const out = emptyBatch(n, l, h, w);
  let row = 0;
  for (const b of parts) {
    out.frames.set(b.frames, row * l * h * w);
    out.bands.set(b.bands, row * l);
    out.mjd.set(b.mjd, row * l);
    out.mask.set(b.mask, row * l);
    out.labels.set(b.labels, row);
    for (let i = 0; i < b.batchSize; i++) out.ids[row + i] = b.ids[i]!;
    row += b.batchSize;
  }
  return out;
}

async function predictBatch<I>(
  run: LoadedRun<I>,
  batch: Batch,
  labels: (string | null | undefined)[],
  opts: PredictOptions,
  mcSeed: number,
): Promise<Prediction[]> {
  const classes = run.info.classes;
  const c = classes.length;
  stretchBatch(batch, run.config.data.stretch ?? null);
  const t = opts.calibrate === false ? 1 : run.info.temperature?.value ?? 1;
  const scaled = (z: Float32Array) => t === 1 ? z : scaleLogits(z, t);
  const probs = softmaxRows(scaled(await batchLogits(run.entry, run.model, batch)), c);
  const mc = opts.mc ?? 0;
  let mean: Float64Array | null = null, sq: Float64Array | null = null;
  if (mc > 0) {
    mean = new Float64Array(batch.batchSize * c);
    sq = new Float64Array(batch.batchSize * c);
    const input = run.entry.adapter(batch);
    try {
      for (let k = 0; k < mc; k++) {
        const t = tf.tidy(() =>
          run.model.apply(input, {
            training: false,
            mcDropout: true,
            seed: hashSeed(`mc/${k}`, mcSeed),
          })
        ); // [B, C]
        const logits = await t.data() as Float32Array;
        t.dispose();
        const p = softmaxRows(scaled(logits), c);
        for (let j = 0; j < p.length; j++) {
          mean[j]! += p[j]!;
          sq[j]! += p[j]! * p[j]!;
        }
      }
    } finally {
      run.entry.disposeInput(input);
    }
  }
  const out: Prediction[] = [];
  for (let i = 0; i < batch.batchSize; i++) {
    let frames = 0;
    for (let f = 0; f < batch.length; f++) frames += batch.mask[i * batch.length + f]! > 0 ? 1 : 0;
    const rec = (arr: ArrayLike<number>) =>
      Object.fromEntries(classes.map((k, j) => [k, arr[i * c + j]!]));
    const pred: Prediction = {
      id: batch.ids[i]!,
      predicted: classes[rowArgmax(probs, c, i)]!,
      probabilities: rec(probs),
      frames,
    };
    if (labels[i] !== undefined) pred.label = labels[i];
    if (mean && sq) {
      const m = new Float64Array(c), s = new Float64Array(c);
      for (let j = 0; j < c; j++) {
        m[j] = mean[i * c + j]! / mc;
        s[j] = Math.sqrt(Math.max(0, sq[i * c + j]! / mc - m[j]! * m[j]!));
      }
      pred.mcMean = Object.fromEntries(classes.map((k, j) => [k, m[j]!]));
      pred.mcStd = Object.fromEntries(classes.map((k, j) => [k, s[j]!]));
      pred.mcPredicted = classes[rowArgmax(m, c, 0)]!;
      pred.mcPasses = mc;
    }
    out.push(pred);
  }
  return out;
}

/**
 * Streams predictions for every object of `inputs` with the run's final
 * model. Objects a source cannot read are reported through `onProblem` and
 * skipped.
 *
 * @param runDir Run folder.
 * @param inputs Survey folders, manifest CSVs, FITS folders or stores.
 * @param opts Options.
 * @param onProblem Called for each problem met while reading inputs.
 * @example
 * ```ts
 * import { predict, simulateSurvey, train, trainPreset } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 40, size: 16, progress: false });
 * // `cpu` is the preset for a real run on two cores, `paper` the paper's training.
 * const config = trainPreset("tiny");
 * config.backend = "wasm"; // default "auto": webgpu on a GPU, else wasm
 * config.runsDir = `${dir}/runs`;
 * config.data.source = `${dir}/s82`; // a survey, ingested once into data.store
 * config.data.store = `${dir}/store`;
 * config.stage1.epochs = 1;
 * config.stage2.epochs = 1;
 * const quiet = { log: () => {}, tty: false, prepare: { progress: false } };
 * const { runDir } = await train({ config, ...quiet });
 * // Any survey folder, manifest CSV, folder of FITS, ZTF alerts or store; 4 MC-dropout passes.
 * for await (const p of predict(runDir, [`${dir}/s82`], { mc: 4, log: () => {} })) {
 *   console.log(p.id, p.label, p.predicted, p.probabilities, p.mcStd);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function* predict(
  runDir: string,
  inputs: readonly string[],
  opts: PredictOptions = {},
  onProblem: (p: Problem) => void = () => {},
): AsyncGenerator<Prediction> {
  const say = opts.log ?? ((l: string) => console.error(l));
  const run = await loadRun(runDir, say);
  const bs = opts.batchSize ?? 32;
  const mcSeed = opts.seed ?? run.config.seed;
  let batchNo = 0;
  try {
    const bandMap = new BandMap({ bands: run.info.bands });
    const stampSize = run.info.stampSize ?? run.size;
    for (const input of inputs) {
      if (await inputKind(input) === "store") {
        const store = await openStore(input);
        try {
          if (await sameFolder(store.path, run.info.store)) {
            checkStoreFingerprint(store.path, store.index, run.info.storeFingerprint, runDir);
          }
          // --as-of: objects first seen after the date are not predicted.
          const ids = store.objects.filter((o) =>
            opts.asOf === undefined || store.mjd[o.first]! <= opts.asOf
          ).map((o) => o.id);
          for await (
            const batch of evalBatches(store, ids, {
              batchSize: bs,
              length: run.length,
              size: run.size,
              normalization: run.normalization,
              prefetch: 0,
              cut: opts.asOf === undefined ? null : { mjd: opts.asOf },
            })
          ) {
            const labels = batch.ids.map((id) => store.get(id).label);
            yield* await predictBatch(
              run,
              batch,
              labels,
              opts,
              hashSeed(`batch/${batchNo++}`, mcSeed),
            );
          }
        } finally {
          store.close();
        }
        continue;
      }
      const source = await objectSource(input, opts.kind ?? "auto", opts.source);
      let parts: Batch[] = [];
      let labels: (string | null)[] = [];
      const flush = async (): Promise<Prediction[]> => {
        if (parts.length === 0) return [];
        const batch = stackBatches(parts);
        const l = labels;
        parts = [];
        labels = [];
        return await predictBatch(run, batch, l, opts, hashSeed(`batch/${batchNo++}`, mcSeed));
      };
      for await (const item of source.items()) {
        for (const p of item.problems) onProblem(p);
        if (!item.series) continue;
        if (opts.asOf !== undefined) item.series = cutSeries(item.series, { mjd: opts.asOf });
        if (item.series.frames.length === 0) continue;
        let b: Batch;
        try {
          // Reformat at the training store's stamp size, then crop: the evaluation
          // window is chosen from brightness scores of full-size stamps, as in the store.
          b = cropBatch(
            reformatSeries(item.series, {
              bands: bandMap,
              length: run.length,
              size: stampSize,
              normalization: run.normalization,
            }),
            run.size,
          );
        } catch (e) {
          onProblem({
            object: item.id,
            kind: "bad-value",
            skipped: "object",
            message: `Object "${item.id}" cannot be reformatted: ${(e as Error).message}`,
          });
          continue;
        }
        b.ids[0] = item.id;
        parts.push(b);
        labels.push(item.series.label);
        if (parts.length >= bs) yield* await flush();
      }
      yield* await flush();
    }
  } finally {
    run.model.dispose();
  }
}
