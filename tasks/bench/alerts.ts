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
 * With `--rubin`, the Rubin alert bench instead (tasks/bench/alerts_rubin.ts).
 *
 * @module
 */
import { listAlertFiles } from "../../lib/survey/ztf_files.ts";
import { type AlertPacket, readAlertPackets } from "../../lib/survey/ztf_packet.ts";
import { alertSeries, groupAlertSeries } from "../../lib/survey/ztf_series.ts";
import type { ObjectSeries } from "../../lib/survey/series.ts";
import * as tf from "@tensorflow/tfjs-core";
import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import { evalLogits } from "../../lib/model/infra/train_step.ts";
import { type BackendChoice, selectBackend } from "../../lib/train/backend.ts";
import { reformatSeries } from "../../lib/data/reformat.ts";
import type { Normalization } from "../../lib/data/normalization.ts";
import { BandMap } from "../../lib/survey/bands.ts";
import { corpusBench } from "./alerts_corpus.ts";
import { arg, machineInfo, timed } from "./shared.ts";

/**
 * Per-band mean/std of the valid (mask = 1) pixels in the central `size` crop
 * of the series' frames (what the training split would give; here only to
 * make the numbers realistic, it does not change the speed).
 */
function bandNormalization(
  series: readonly ObjectSeries[],
  bands: string[],
  size: number,
): Normalization {
  const n = bands.map(() => 0), s1 = bands.map(() => 0), s2 = bands.map(() => 0);
  for (const o of series) {
    for (const f of o.frames) {
      const b = bands.indexOf(f.band);
      if (b < 0) continue;
      const x0 = Math.floor((f.width - size) / 2), y0 = Math.floor((f.height - size) / 2);
      for (let y = y0; y < y0 + size; y++) {
        for (let x = x0; x < x0 + size; x++) {
          const i = y * f.width + x;
          if (f.mask && !f.mask[i]) continue;
          const v = f.pixels[i]!;
          n[b]!++;
          s1[b]! += v;
          s2[b]! += v * v;
        }
      }
    }
  }
  const mean = bands.map((_, b) => (n[b] ? s1[b]! / n[b]! : 0));
  const std = bands.map((_, b) => {
    const v = n[b] ? s2[b]! / n[b]! - mean[b]! ** 2 : 0;
    return v > 0 ? Math.sqrt(v) : 1;
  });
  return { bands, mean, std, pixels: n, objects: series.length, size };
}

/** Inference objects/s of the cpu preset on the alert series. */
async function inference(
  series: readonly ObjectSeries[],
  backend: BackendChoice,
  batch: number,
  seconds: number,
): Promise<Record<string, unknown>> {
  const sel = await selectBackend(backend, { quiet: true });
  const cfg = PRESETS.cpu;
  const L = cfg.length, S = cfg.stamp;
  const bandMap = new BandMap();
  const norm = bandNormalization(series, [...cfg.bands], S);
  const model = createConvEntion("cpu", 1);
  const objects = Array.from({ length: batch }, (_, i) => ({
    ...series[i % series.length]!,
    id: `${series[i % series.length]!.id}#${i}`,
  }));
  const frames = new Float32Array(batch * L * S * S);
  const bands = new Int32Array(batch * L);
  const pass = (): void => {
    objects.forEach((o, i) => {
      const b = reformatSeries(o, { bands: bandMap, length: L, size: S, normalization: norm });
      frames.set(b.frames, i * L * S * S);
      bands.set(b.bands, i * L);
    });
    const probs = tf.tidy(() => {
      const input = {
        frames: tf.tensor4d(frames, [batch, L, S, S]),
        bands: tf.tensor2d(bands, [batch, L], "int32"),
      };
      return tf.softmax(evalLogits(model, input)); // [batch, C]
    });
    probs.dataSync();
    probs.dispose();
  };
  const before = tf.memory().numTensors;
  const t = await timed(seconds, batch, pass);
  const leaked = tf.memory().numTensors - before;
  model.dispose();
  return {
    what: "ConvEntion cpu preset (random weights, seed 1): reformat + forward + softmax",
    backend: sel.backend,
    backendDetail: sel.reason,
    preset: "cpu",
    stamp: S,
    length: L,
    batch,
    objects: t.items,
    seconds: t.seconds,
    objectsPerSec: t.perSec,
    cpuSeconds: t.cpuSeconds,
    objectsPerCpuSec: t.perCpuSec,
    tensorsLeaked: leaked,
  };
}

/** Entry point: prints one JSON object (`--rubin`: the Rubin bench, alerts_rubin.ts). */
export async function main(args: string[]): Promise<void> {
  if (args.includes("--rubin")) return await (await import("./alerts_rubin.ts")).main(args);
  const dir = arg(args, "--dir", "fixtures/ztf/alerts");
  const seconds = Number(arg(args, "--seconds", "2"));
  const files = await listAlertFiles([dir]);
  const bytes = await Promise.all(files.map((f) => Deno.readFile(f)));
  const totalBytes = bytes.reduce((n, b) => n + b.length, 0);
  let packetsPerPass = 0;
  let fitsCutouts = 0;
  for (let i = 0; i < files.length; i++) {
    for (const p of readAlertPackets(bytes[i]!, files[i]!)) {
      packetsPerPass++;
      fitsCutouts += Object.values(p.cutouts).filter((c) => c.pixels !== null).length;
    }
  }
  const decodeAll = (cutouts?: ["difference"]): number => {
    let n = 0;
    for (let i = 0; i < files.length; i++) {
      n += readAlertPackets(bytes[i]!, files[i]!, cutouts ? { cutouts } : {}).length;
    }
    return n;
  };
  const decode = await timed(seconds, packetsPerPass, () => decodeAll());
  const decodeOne = await timed(seconds, packetsPerPass, () => decodeAll(["difference"]));

  // Grouping: copies of the folder's packets under new object ids.
  const base: AlertPacket[] = [];
  for (let i = 0; i < files.length; i++) {
    base.push(...readAlertPackets(bytes[i]!, files[i]!, { cutouts: ["difference"] }));
  }
  const objectsPerCopy = groupAlertSeries(base, { cutout: "difference" }).series.length;
  const copies = 200;
  const many: AlertPacket[] = [];
  for (let k = 0; k < copies; k++) {
    for (const p of base) many.push({ ...p, id: `${p.id}#${k}` });
  }
  const grouping = await timed(seconds, objectsPerCopy * copies, () => {
    groupAlertSeries(many, { cutout: "difference" });
  });

  const withInference = !args.includes("--no-inference");
  const series = (await alertSeries(dir, { cutout: "difference" })).series;
  const infer = withInference
    ? await inference(
      series,
      arg(args, "--backend", "wasm") as BackendChoice,
      Number(arg(args, "--batch", "32")),
      seconds,
    )
    : { skipped: "--no-inference" };

  const endToEnd = await timed(
    seconds,
    objectsPerCopy,
    () => alertSeries(dir, { cutout: "difference" }),
  );

  console.log(JSON.stringify(
    {
      bench: "alerts",
      dir,
      ...machineInfo(),
      sample: {
        files: files.length,
        bytes: totalBytes,
        packets: packetsPerPass,
        fitsCutouts,
        objectsWithFrames: objectsPerCopy,
      },
      decode: {
        what: "Avro + gunzip + FITS, 3 cut-outs per packet, bytes in memory",
        packets: decode.items,
        seconds: decode.seconds,
        packetsPerSec: decode.perSec,
        cpuSeconds: decode.cpuSeconds,
        packetsPerCpuSec: decode.perCpuSec,
      },
      decodeOneCutout: {
        what: "Avro + gunzip + FITS, difference cut-out only",
        packets: decodeOne.items,
        seconds: decodeOne.seconds,
        packetsPerSec: decodeOne.perSec,
        cpuSeconds: decodeOne.cpuSeconds,
        packetsPerCpuSec: decodeOne.perCpuSec,
      },
      grouping: {
        what: "groupAlertSeries on decoded packets (63x63 pad/mask, sort)",
        objects: grouping.items,
        seconds: grouping.seconds,
        objectsPerSec: grouping.perSec,
        cpuSeconds: grouping.cpuSeconds,
        objectsPerCpuSec: grouping.perCpuSec,
      },
      endToEnd: {
        what: "alertSeries(dir): read files + decode difference cut-out + group",
        objects: endToEnd.items,
        seconds: endToEnd.seconds,
        objectsPerSec: endToEnd.perSec,
        cpuSeconds: endToEnd.cpuSeconds,
        objectsPerCpuSec: endToEnd.perCpuSec,
      },
      inference: infer,
      corpus: args.includes("--no-corpus")
        ? { skipped: "--no-corpus" }
        : await corpusBench(seconds),
    },
    null,
    2,
  ));
}
