/**
 * Evaluating a trained run on its saved test split (confirmed objects never
 * used in training or model selection): metrics, tables, plots, predictions
 * and the HTML report, written to `runs/<name>/eval/`.
 *
 * @module
 */
import { writeFileAtomic } from "../util/atomic.ts";
import { Progress } from "../util/progress.ts";
import { openStore } from "../data/store.ts";
import { checkStoreFingerprint } from "../data/store_fingerprint.ts";
import { loadSplit } from "../data/split.ts";
import { evalBatches } from "../data/loader.ts";
import type { Batch } from "../data/batch.ts";
import { loadRun } from "../train/load_run.ts";
import { batchLogits, softmaxRows } from "../train/infer.ts";
import { stretchBatch } from "../train/stretch.ts";
import { readEpochLog } from "../train/metrics_log.ts";
import { runPaths } from "../train/run_dir.ts";
import { configToYaml } from "../train/config.ts";
import { argmax, computeMetrics, type Metrics } from "./metrics.ts";
import { csvTable, metricsCsv, metricsMarkdown } from "./tables.ts";
import { confusionSpec, learningCurvesSpec, reliabilitySpec, renderSvg } from "./plots.ts";
import { renderStampStrips, type StampFrame } from "./stamps.ts";
import { buildReport, type GalleryItem } from "./report.ts";
import { compareRow } from "./compare.ts";

/** Options of {@link evaluateRun}. */
export interface EvaluateOptions {
  /** Also write the HTML report: true = `eval/report.html`, a string = that path. */
  report?: boolean | string;
  /** Misclassified objects in the gallery (default: the run's `eval.gallery`). */
  gallery?: number;
  /** Batch size (default: the run's `evalBatchSize`). */
  batchSize?: number;
  /** Progress bar as a live bar (default: when stderr is a terminal). */
  tty?: boolean;
  /** Messages (default stderr). */
  log?: (line: string) => void;
}

/** Result of {@link evaluateRun}. */
export interface Evaluation {
  /** Run folder. */
  runDir: string;
  /** Test metrics. */
  metrics: Metrics;
  /** The Markdown tables. */
  markdown: string;
  /** Files written. */
  files: string[];
  /** The report path, when written. */
  report?: string;
}

interface PendingGallery {
  id: string;
  truth: number;
  pred: number;
  probs: number[];
  frames: StampFrame[];
}

function objectFrames(batch: Batch, row: number, bands: readonly string[]): StampFrame[] {
  const { length: l, height: h, width: w } = batch;
  const out: StampFrame[] = [];
  for (let f = 0; f < l; f++) {
    const k = row * l + f;
    const b = batch.bands[k]!;
    if (b <= 0) continue;
    const start = k * h * w;
    out.push({
      band: bands[b - 1] ?? String(b),
      mjd: batch.mjd[k]!,
      width: w,
      height: h,
      pixels: batch.frames.slice(start, start + h * w),
    });
  }
  return out;
}

/**
 * Evaluates a run on its test split and writes `eval/metrics.json`,
 * `eval/metrics.csv`, `eval/metrics.md`, `eval/predictions.csv`,
 * `eval/confusion.svg`, `eval/learning_curves.svg`, `eval/reliability.svg`
 * and, when asked, the HTML report.
 *
 * @param dir Run folder.
 * @param opts Options.
 * @example
 * ```ts
 * import { evaluateRun, simulateSurvey, train, trainPreset } from "../../mod.ts";
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
 * const ev = await evaluateRun(runDir, { report: true, log: () => {}, tty: false });
 * console.log(ev.metrics.n, ev.metrics.accuracy, ev.metrics.macroF1); // a tiny, barely trained run
 * console.log(ev.markdown);
 * console.log(ev.files, ev.report); // eval/metrics.json, ..., eval/report.html
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function evaluateRun(dir: string, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const say = opts.log ?? ((l: string) => console.error(l));
  const paths = runPaths(dir);
  const run = await loadRun(dir, say);
  const { info, config, entry, model } = run;
  const store = await openStore(info.store);
  try {
    checkStoreFingerprint(store.path, store.index, info.storeFingerprint, dir);
    const split = await loadSplit(paths.split, (id) => store.indexOf(id) >= 0);
    const classes = info.classes;
    const c = classes.length;
    const galleryMax = opts.gallery ?? config.eval.gallery;
    const stream = evalBatches(store, split.test, {
      batchSize: opts.batchSize ?? config.evalBatchSize,
      length: run.length,
      size: run.size,
      normalization: run.normalization,
      prefetch: config.data.workers > 0 ? 2 : 0,
      workers: Math.max(1, config.data.workers),
    });
    const progress = new Progress(`eval ${paths.name}`, stream.rows, "objects", opts.tty);
    const labels: number[] = [], probs: number[][] = [], ids: string[] = [], nFrames: number[] = [];
    const gallery: PendingGallery[] = [];
    let misclassified = 0;
    for await (const batch of stream) {
      stretchBatch(batch, config.data.stretch ?? null);
      const p = softmaxRows(await batchLogits(entry, model, batch), c);
      for (let i = 0; i < batch.batchSize; i++) {
        const y = batch.labels[i]!;
        if (y < 0) continue;
        const row = Array.from(p.subarray(i * c, (i + 1) * c));
        let frames = 0;
        for (let f = 0; f < batch.length; f++) {
          frames += batch.mask[i * batch.length + f]! > 0 ? 1 : 0;
        }
        labels.push(y);
        probs.push(row);
        ids.push(batch.ids[i]!);
        nFrames.push(frames);
        const pred = argmax(row);
        if (pred !== y) {
          misclassified++;
          if (gallery.length < galleryMax) {
            gallery.push({
              id: batch.ids[i]!,
              truth: y,
              pred,
              probs: row,
              frames: objectFrames(batch, i, store.bands),
            });
          }
        }
      }
      progress.tick(batch.batchSize);
    }
    progress.done(undefined, true);
    const metrics = computeMetrics(labels, probs, classes);
    const markdown = metricsMarkdown(
      metrics,
      `Test metrics: ${paths.name} (${split.test.length} objects)`,
    );
    await Deno.mkdir(paths.eval, { recursive: true });
    const files: string[] = [];
    const write = async (name: string, text: string) => {
      const p = `${paths.eval}/${name}`;
      await writeFileAtomic(p, text);
      files.push(p);
    };
    await write("metrics.json", JSON.stringify(metrics, null, 2) + "\n");
    await write("metrics.csv", metricsCsv(metrics));
    await write("metrics.md", markdown);
    await write(
      "predictions.csv",
      csvTable(
        ["object_id", "true", "predicted", "frames", ...classes.map((k) => `p_${k}`)],
        ids.map((id, i) => [
          id,
          classes[labels[i]!]!,
          classes[argmax(probs[i]!)]!,
          nFrames[i]!,
          ...probs[i]!,
        ]),
      ),
    );
    const epochLog = await readEpochLog(paths.metricsJsonl);
    const plots = [
      {
        title: "Confusion matrix",
        file: "confusion.svg",
        svg: await renderSvg(confusionSpec(metrics)),
      },
      {
        title: "Learning curves",
        file: "learning_curves.svg",
        svg: await renderSvg(learningCurvesSpec(epochLog)),
      },
      {
        title: "Reliability",
        file: "reliability.svg",
        svg: await renderSvg(reliabilitySpec(metrics)),
      },
    ];
    for (const p of plots) await write(p.file, p.svg);
    let report: string | undefined;
    if (opts.report) {
      report = typeof opts.report === "string" ? opts.report : `${paths.eval}/report.html`;
      const items: GalleryItem[] = [];
      for (const g of gallery) {
        items.push({
          id: g.id,
          trueClass: classes[g.truth]!,
          predictedClass: classes[g.pred]!,
          probabilities: g.probs,
          frames: g.frames.length,
          strips: await renderStampStrips(g.frames, store.bands, 40, 0.5),
        });
      }
      const compare = [await compareRow(dir)];
      const html = buildReport({
        title: `ConvEntion evaluation: ${paths.name}`,
        facts: [
          ["run", dir],
          ["model", `${info.modelLabel} (${info.preset})`],
          ["parameters", info.parameters.toLocaleString("en-US")],
          ["data", info.store],
          ["bands", info.bands.join("")],
          ["backend", info.backend],
          ["status", info.status],
          ["train time", `${info.trainTimeS.toFixed(1)} s`],
          ["weights", run.weights],
          ["test set", `${split.test.length} confirmed objects (split.json, seed ${split.seed})`],
        ],
        metrics,
        plots: plots.map((p) => ({ title: p.title, svg: p.svg })),
        compare,
        gallery: items,
        misclassified,
        configYaml: configToYaml(config),
      });
      await writeFileAtomic(report, html);
      files.push(report);
    }
    return { runDir: dir, metrics, markdown, files, report };
  } finally {
    model.dispose();
    store.close();
  }
}
