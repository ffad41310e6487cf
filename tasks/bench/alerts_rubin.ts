/**
 * `deno task bench alerts --rubin [--rubin-dir DIR] [--seconds S]
 * [--backend B] [--batch N]`: throughput of the Rubin alert reader on Fink
 * Parquet exports (default fixtures/rubin, 21 files, 56 alerts), one JSON
 * object on stdout.
 *
 * - read: alerts/s of `readRubinFile` with everything (histories and the
 *   three cut-outs, each with image, UNCERT and PSFIMAGE), files re-read
 *   from disk;
 * - readForSeries: the same with one cut-out and no history (what `ingest`
 *   and `predict` decode);
 * - lightCurves: alerts/s of `rubinLightCurves` (histories, no cut-out);
 * - classified: alerts/s end to end: `rubinSeries` (read + decode + group) +
 *   reformat + forward pass + softmax of the ConvEntion `cpu` preset given
 *   the six LSST bands (random weights, seed 1: speed only) on `--backend`
 *   (default wasm), in batches of `--batch` (default 32) objects.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { listRubinFiles, readRubinFile } from "../../lib/survey/rubin_files.ts";
import { rubinSeries } from "../../lib/survey/rubin_series.ts";
import { rubinLightCurves } from "../../lib/survey/rubin_lightcurve.ts";
import { BandMap, RUBIN_BANDS } from "../../lib/survey/bands.ts";
import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import { evalLogits } from "../../lib/model/infra/train_step.ts";
import { type BackendChoice, selectBackend } from "../../lib/train/backend.ts";
import { reformatSeries } from "../../lib/data/reformat.ts";
import { arg, machineInfo, timed } from "./shared.ts";

/** One classification pass over `dir`: read, group, reformat, forward, softmax. */
function classifier(dir: string, batch: number) {
  const cfg = { ...PRESETS.cpu, bands: [...RUBIN_BANDS] };
  const model = createConvEntion(cfg, 1);
  const bandMap = new BandMap({ bands: RUBIN_BANDS });
  const L = cfg.length, S = cfg.stamp;
  const norm = {
    bands: [...RUBIN_BANDS],
    mean: RUBIN_BANDS.map(() => 0),
    std: RUBIN_BANDS.map(() => 1000),
    pixels: RUBIN_BANDS.map(() => 1),
    objects: 1,
    size: S,
  };
  const pass = async (): Promise<number> => {
    const { series } = await rubinSeries(dir, { size: S });
    for (let at = 0; at < series.length; at += batch) {
      const part = series.slice(at, at + batch);
      const frames = new Float32Array(part.length * L * S * S);
      const bands = new Int32Array(part.length * L);
      part.forEach((o, i) => {
        const b = reformatSeries(o, { bands: bandMap, length: L, size: S, normalization: norm });
        frames.set(b.frames, i * L * S * S);
        bands.set(b.bands, i * L);
      });
      const probs = tf.tidy(() =>
        tf.softmax(evalLogits(model, {
          frames: tf.tensor4d(frames, [part.length, L, S, S]),
          bands: tf.tensor2d(bands, [part.length, L], "int32"),
        }))
      );
      probs.dataSync();
      probs.dispose();
    }
    return series.length;
  };
  return { pass, dispose: () => model.dispose(), L, S };
}

/** Entry point: prints one JSON object. */
export async function main(args: string[]): Promise<void> {
  const dir = arg(args, "--rubin-dir", "fixtures/rubin");
  const seconds = Number(arg(args, "--seconds", "2"));
  const files = await listRubinFiles([dir]);
  let alerts = 0;
  for (const f of files) {
    alerts += (await readRubinFile(f, { cutouts: [], history: false })).alerts.length;
  }
  const readAll = (opts: Parameters<typeof readRubinFile>[1]) => async () => {
    for (const f of files) await readRubinFile(f, opts);
  };
  const read = await timed(seconds, alerts, readAll({}));
  const readForSeries = await timed(
    seconds,
    alerts,
    readAll({ cutouts: ["science"], history: false }),
  );
  const lightCurves = await timed(seconds, alerts, () => rubinLightCurves(dir));
  const sel = await selectBackend(arg(args, "--backend", "wasm") as BackendChoice, { quiet: true });
  const c = classifier(dir, Number(arg(args, "--batch", "32")));
  const objects = await c.pass();
  const before = tf.memory().numTensors;
  const classified = await timed(seconds, alerts, c.pass);
  const leaked = tf.memory().numTensors - before;
  c.dispose();
  console.log(JSON.stringify(
    {
      bench: "alerts --rubin",
      dir,
      ...machineInfo(),
      sample: { files: files.length, alerts, objects },
      read: { what: "readRubinFile: all columns, histories, 3 cut-outs x 3 HDUs", ...read },
      readForSeries: { what: "readRubinFile: science cut-out only, no history", ...readForSeries },
      lightCurves: { what: "rubinLightCurves(dir): histories, no cut-out", ...lightCurves },
      classified: {
        what: "rubinSeries + reformat + forward + softmax, ConvEntion cpu preset with ugrizy " +
          "(random weights, seed 1)",
        backend: sel.backend,
        stamp: c.S,
        length: c.L,
        ...classified,
        tensorsLeaked: leaked,
      },
    },
    null,
    2,
  ));
}
