/**
 * `deno task bench alerts [--dir DIR] [--seconds S]`: throughput of the ZTF
 * alert reader on a folder of packets (default fixtures/ztf/alerts),
 * printed as one JSON object on stdout.
 *
 * - decode: packets/s of Avro + gunzip + FITS for all three cut-outs, from
 *   bytes already in memory, every packet of the folder repeated until at
 *   least `--seconds` (default 2) of work;
 * - decodeOneCutout: the same with only the difference cut-out (what
 *   `alertSeries` decodes);
 * - grouping: objects/s of `groupAlertSeries` (pad/mask/NaN -> 0, sort) on
 *   decoded packets, the folder's objects copied under new ids until at least
 *   `--seconds` of work;
 * - endToEnd: objects/s of `alertSeries` on the folder (file reads + decode of
 *   one cut-out + grouping), repeated;
 * - inference: objects/s of the ConvEntion `cpu` preset (random weights: speed
 *   only) on the alert series: reformat (paper 3.1, centre crop to the preset
 *   stamp, per-band normalisation) + batched forward pass + softmax, on the
 *   `--backend` (default wasm), batches of `--batch` (default 32) objects (the
 *   folder's objects repeated). `--no-inference` skips it;
 * - corpus: every file of the real corpora (fixtures/ztf/ampel, ZTF's sample
 *   history when present) and of the sample folder read in a child process
 *   each: files/s, packets read, files reported, peak RSS; and `alertSeries`
 *   over 16 gzip-bomb packets (tasks/bench/alerts_corpus.ts). `--no-corpus` skips it.
 *
 * `deno task bench alerts --rubin [--rubin-dir DIR] [--seconds S] [--backend B]
 * [--batch N]`: the Rubin alert reader instead, on Fink Parquet exports
 * (default fixtures/rubin, 21 files, 56 alerts):
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
import { listAlertFiles } from "../../lib/survey/ztf_files.ts";
import { listRubinFiles, readRubinFile } from "../../lib/survey/rubin_files.ts";
import { rubinSeries } from "../../lib/survey/rubin_series.ts";
import { rubinLightCurves } from "../../lib/survey/rubin_lightcurve.ts";
import { type AlertPacket, readAlertPackets } from "../../lib/survey/ztf_packet.ts";
import { alertSeries, groupAlertSeries } from "../../lib/survey/ztf_series.ts";
import type { ObjectSeries } from "../../lib/survey/series.ts";
import * as tf from "@tensorflow/tfjs-core";
import { type ConvEntion, createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import { evalLogits } from "../../lib/model/infra/train_step.ts";
import { type BackendChoice, selectBackend } from "../../lib/train/backend.ts";
import { imageInput } from "../../lib/train/builtin_models.ts";
import { stackBatches } from "../../lib/train/predict.ts";
import { reformatSeries } from "../../lib/data/reformat.ts";
import type { Normalization } from "../../lib/data/normalization.ts";
import { BandMap, RUBIN_BANDS } from "../../lib/survey/bands.ts";
import { corpusBench } from "./alerts_corpus.ts";
import { printJson } from "../../lib/cli/util/output.ts";
import { arg, machineInfo, timed, type Timing } from "./shared.ts";

/** Mean 0 and standard deviation `std` in every band (the speed does not depend on them). */
function flatNormalization(bands: string[], size: number, std: number): Normalization {
  const each = (v: number) => bands.map(() => v);
  return { bands, mean: each(0), std: each(std), pixels: each(1), objects: 1, size };
}

/**
 * One inference pass: each series reformatted to the model's input (paper 3.1: the window
 * around the brightest frame, centre crop, `norm`), one batched forward pass and softmax.
 */
function classify(model: ConvEntion, series: ObjectSeries[], bands: BandMap, norm: Normalization) {
  const { length, stamp: size } = model.config;
  const parts = series.map((o) => reformatSeries(o, { bands, length, size, normalization: norm }));
  const probs = tf.tidy(() => tf.softmax(evalLogits(model, imageInput(stackBatches(parts)))));
  probs.dataSync();
  probs.dispose();
}

/** A timing as JSON, its counts named after `unit` (`packets`, `packetsPerSec`, ...). */
function rate(unit: string, t: Timing) {
  return {
    [unit]: t.items,
    seconds: t.seconds,
    [`${unit}PerSec`]: t.perSec,
    cpuSeconds: t.cpuSeconds,
    [`${unit}PerCpuSec`]: t.perCpuSec,
  };
}

/** Inference objects/s of the cpu preset on the alert series (`--backend`, `--batch`). */
async function inference(series: readonly ObjectSeries[], args: string[], seconds: number) {
  const sel = await selectBackend(arg(args, "--backend", "wasm") as BackendChoice, { quiet: true });
  const batch = Number(arg(args, "--batch", "32"));
  const model = createConvEntion("cpu", 1);
  const { length, stamp, bands } = model.config;
  const norm = flatNormalization([...bands], stamp, 50), bandMap = new BandMap();
  const objects = Array.from({ length: batch }, (_, i) => ({
    ...series[i % series.length]!,
    id: `${series[i % series.length]!.id}#${i}`,
  }));
  const before = tf.memory().numTensors;
  const t = await timed(seconds, batch, () => classify(model, objects, bandMap, norm));
  const leaked = tf.memory().numTensors - before;
  model.dispose();
  return {
    what: "ConvEntion cpu preset (random weights, seed 1): reformat + forward + softmax",
    backend: sel.backend,
    backendDetail: sel.reason,
    preset: "cpu",
    stamp,
    length,
    batch,
    ...rate("objects", t),
    tensorsLeaked: leaked,
  };
}

/** Entry point: prints one JSON object (`--rubin`: the Rubin bench). */
export async function main(args: string[]): Promise<void> {
  if (args.includes("--rubin")) return await rubin(args);
  const dir = arg(args, "--dir", "fixtures/ztf/alerts");
  const seconds = Number(arg(args, "--seconds", "2"));
  const files = await listAlertFiles([dir]);
  const bytes = await Promise.all(files.map((f) => Deno.readFile(f)));
  const decodeAll = (cutouts?: ["difference"]): AlertPacket[] =>
    files.flatMap((f, i) => readAlertPackets(bytes[i]!, f, cutouts ? { cutouts } : {}));
  const packets = decodeAll();
  const fitsCutouts = packets
    .reduce((n, p) => n + Object.values(p.cutouts).filter((c) => c.pixels !== null).length, 0);
  const decode = await timed(seconds, packets.length, () => decodeAll());
  const decodeOne = await timed(seconds, packets.length, () => decodeAll(["difference"]));

  // Grouping: copies of the folder's packets under new object ids.
  const base = decodeAll(["difference"]);
  const objectsPerCopy = groupAlertSeries(base, { cutout: "difference" }).series.length;
  const copies = 200;
  const many: AlertPacket[] = [];
  for (let k = 0; k < copies; k++) many.push(...base.map((p) => ({ ...p, id: `${p.id}#${k}` })));
  const grouping = await timed(seconds, objectsPerCopy * copies, () => {
    groupAlertSeries(many, { cutout: "difference" });
  });

  const readSeries = () => alertSeries(dir, { cutout: "difference" });
  const infer = args.includes("--no-inference")
    ? { skipped: "--no-inference" }
    : await inference((await readSeries()).series, args, seconds);
  const endToEnd = await timed(seconds, objectsPerCopy, readSeries);

  printJson({
    bench: "alerts",
    dir,
    ...machineInfo(),
    sample: {
      files: files.length,
      bytes: bytes.reduce((n, b) => n + b.length, 0),
      packets: packets.length,
      fitsCutouts,
      objectsWithFrames: objectsPerCopy,
    },
    decode: {
      what: "Avro + gunzip + FITS, 3 cut-outs per packet, bytes in memory",
      ...rate("packets", decode),
    },
    decodeOneCutout: {
      what: "Avro + gunzip + FITS, difference cut-out only",
      ...rate("packets", decodeOne),
    },
    grouping: {
      what: "groupAlertSeries on decoded packets (63x63 pad/mask, sort)",
      ...rate("objects", grouping),
    },
    endToEnd: {
      what: "alertSeries(dir): read files + decode difference cut-out + group",
      ...rate("objects", endToEnd),
    },
    inference: infer,
    corpus: args.includes("--no-corpus") ? { skipped: "--no-corpus" } : await corpusBench(seconds),
  });
}

/** The Rubin bench (`--rubin`). */
async function rubin(args: string[]): Promise<void> {
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
  const forSeries = await timed(seconds, alerts, readAll({ cutouts: ["science"], history: false }));
  const lightCurves = await timed(seconds, alerts, () => rubinLightCurves(dir));
  const sel = await selectBackend(arg(args, "--backend", "wasm") as BackendChoice, { quiet: true });
  const batch = Number(arg(args, "--batch", "32"));
  const model = createConvEntion({ ...PRESETS.cpu, bands: [...RUBIN_BANDS] }, 1);
  const { length, stamp } = model.config;
  const bandMap = new BandMap({ bands: RUBIN_BANDS });
  const norm = flatNormalization([...RUBIN_BANDS], stamp, 1000);
  // One pass: read, group, then batches of `batch` objects reformatted and classified.
  const pass = async () => {
    const { series } = await rubinSeries(dir, { size: stamp });
    for (let at = 0; at < series.length; at += batch) {
      classify(model, series.slice(at, at + batch), bandMap, norm);
    }
    return series.length;
  };
  const objects = await pass();
  const before = tf.memory().numTensors;
  const classified = await timed(seconds, alerts, pass);
  const leaked = tf.memory().numTensors - before;
  model.dispose();
  printJson({
    bench: "alerts --rubin",
    dir,
    ...machineInfo(),
    sample: { files: files.length, alerts, objects },
    read: { what: "readRubinFile: all columns, histories, 3 cut-outs x 3 HDUs", ...read },
    readForSeries: { what: "readRubinFile: science cut-out only, no history", ...forSeries },
    lightCurves: { what: "rubinLightCurves(dir): histories, no cut-out", ...lightCurves },
    classified: {
      what: "rubinSeries + reformat + forward + softmax, ConvEntion cpu preset with ugrizy " +
        "(random weights, seed 1)",
      backend: sel.backend,
      stamp,
      length,
      ...classified,
      tensorsLeaked: leaked,
    },
  });
}
