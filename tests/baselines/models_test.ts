/**
 * Every baseline model: forward shapes, one training step lowers the loss on a tiny batch,
 * save/load gives the same logits, no tensor leak per step (wasm backend, as training runs).
 */
import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals } from "../util/assert.ts";
import { useBackend } from "./tf_setup.ts";
import type { Classifier, ModelInput } from "../../lib/baselines/types.ts";
import { createCnnLstm } from "../../lib/baselines/cnn_lstm.ts";
import { createCnnGru } from "../../lib/baselines/cnn_gru.ts";
import { SuperNnova, superNnovaConfig } from "../../lib/baselines/supernnova.ts";
import { SitsBert, sitsBertConfig } from "../../lib/baselines/sits_bert.ts";
import { Scone, SCONE_PRESETS } from "../../lib/baselines/scone.ts";
import { encodeLightCurves, lcFeatureCount } from "../../lib/baselines/lc_features.ts";
import { lcModelInput } from "../../lib/baselines/lc_input.ts";
import type { LightCurve } from "../../lib/baselines/photometry.ts";
import { loadWeights, saveWeights } from "../../lib/model/infra/safetensors.ts";
import { lossOf } from "../../lib/model/ops/loss.ts";
import { Adam } from "../../lib/model/infra/optimizer.ts";
import { trainStep } from "../../lib/model/infra/train_step.ts";
import { Rng } from "../../lib/util/rng.ts";

const B = 6, C = 4;
const BANDS = ["u", "g", "r", "i", "z"];

function imageInput(bands: number, l: number, size: number): ModelInput {
  const rng = new Rng(3);
  const frames = Float32Array.from({ length: B * l * size * size }, () => rng.normal());
  const ids = Int32Array.from({ length: B * l }, (_, i) => (i % l < l - 1 ? 1 + (i % bands) : 0));
  return {
    frames: tf.tensor4d(frames, [B, l, size, size]),
    bands: tf.tensor2d(ids, [B, l], "int32"),
  };
}

function lightCurves(): LightCurve[] {
  const rng = new Rng(4);
  return Array.from({ length: B }, (_, k) => ({
    id: `o${k}`,
    skipped: 0,
    points: Array.from({ length: 5 * (4 + k) }, (_, i) => ({
      mjd: 53600 + 3 * Math.floor(i / 5) + 0.001 * (i % 5),
      band: BANDS[i % 5]!,
      flux: (k % C) * 5 * Math.sin(i / 4) + rng.normal(),
      fluxErr: 1,
    })),
  }));
}

function lcInput(maxEpochs: number): ModelInput {
  return lcModelInput(encodeLightCurves(lightCurves(), { bands: BANDS, fluxScale: 1, maxEpochs }));
}

function heatmapInput(w: number, d: number): ModelInput {
  const rng = new Rng(5);
  const frames = Float32Array.from({ length: B * 2 * w * d }, () => rng.normal());
  return {
    frames: tf.tensor4d(frames, [B, 2, w, d]),
    bands: tf.ones([B, 2], "int32") as tf.Tensor2D,
  };
}

const nf = lcFeatureCount(BANDS.length);
const CASES: { name: string; make: (seed: number) => Classifier; input: () => ModelInput }[] = [
  {
    name: "cnn-lstm (ugriz)",
    make: (s) => createCnnLstm("tiny", 5, C, s, { dropout: 0 }),
    input: () => imageInput(5, 6, 8),
  },
  {
    name: "cnn-lstm (g)",
    make: (s) => createCnnLstm("tiny", 1, C, s, { dropout: 0 }),
    input: () => imageInput(1, 6, 8),
  },
  {
    name: "cnn-gru (ugriz)",
    make: (s) => createCnnGru("tiny", 5, C, s, { dropout: 0 }),
    input: () => imageInput(5, 6, 8),
  },
  {
    name: "supernnova",
    make: (s) =>
      new SuperNnova(
        superNnovaConfig({ featureCount: nf, maxEpochs: 8, hidden: 6, dropout: 0 }),
        s,
      ),
    input: () => lcInput(8),
  },
  {
    name: "supernnova-bayes",
    make: (s) =>
      new SuperNnova(
        superNnovaConfig({
          featureCount: nf,
          maxEpochs: 8,
          hidden: 6,
          dropout: 0.1,
          bayesian: true,
          mcSamples: 4,
        }),
        s,
      ),
    input: () => lcInput(8),
  },
  {
    name: "sits-bert",
    make: (s) =>
      new SitsBert(
        sitsBertConfig({
          featureCount: nf,
          maxEpochs: 8,
          dModel: 8,
          heads: 2,
          layers: 1,
          ffHidden: 8,
          dropout: 0,
        }),
        s,
      ),
    input: () => lcInput(8),
  },
  {
    name: "scone",
    make: (s) => new Scone({ ...SCONE_PRESETS.tiny, dropout: 0, numClasses: C }, s),
    input: () => heatmapInput(SCONE_PRESETS.tiny.wavelengthBins, SCONE_PRESETS.tiny.dayBins),
  },
];

const labels = (): tf.Tensor1D => tf.tensor1d(Array.from({ length: B }, (_, i) => i % C), "int32");

function inferenceLoss(model: Classifier, input: ModelInput, y: tf.Tensor1D): number {
  return tf.tidy(() =>
    lossOf(model.apply(input, { training: false, seed: 1 }), y, { loss: "cross-entropy" })
      .dataSync()[0]!
  );
}

for (const c of CASES) {
  Deno.test(`${c.name}: shapes, a training step lowers the loss, save/load, no leak`, async () => {
    await useBackend("wasm");
    const model = c.make(7);
    const input = c.input();
    const y = labels();
    const before = tf.memory().numTensors;
    const train = model.apply(input, { training: true, seed: 3 });
    const infer = model.apply(input, { training: false });
    assertEquals(train.shape, [B, C]);
    assertEquals(infer.shape, [B, C]);
    tf.dispose([train, infer]);
    assertEquals(tf.memory().numTensors, before);

    const opt = new Adam(new Map([...model.weights()].filter(([, v]) => v.trainable)), {
      lr: 0.01,
    });
    const l0 = inferenceLoss(model, input, y);
    await trainStep(model, opt, input, y, { loss: "cross-entropy", seed: 11 });
    const afterFirst = tf.memory().numTensors;
    await trainStep(model, opt, input, y, { loss: "cross-entropy", seed: 12 });
    assertEquals(tf.memory().numTensors, afterFirst, "tensors leaked by a training step");
    const l1 = inferenceLoss(model, input, y);
    assert(l1 < l0, `loss did not decrease: ${l0} -> ${l1}`);

    const dir = await Deno.makeTempDir();
    try {
      await saveWeights(model, `${dir}/w.safetensors`, { model: model.name });
      const other = c.make(99);
      await loadWeights(other, `${dir}/w.safetensors`);
      const a = model.apply(input, { training: false, seed: 5 });
      const b = other.apply(input, { training: false, seed: 5 });
      assertEquals(Array.from(a.dataSync()), Array.from(b.dataSync()));
      tf.dispose([a, b]);
      other.dispose();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    opt.dispose();
    model.dispose();
    tf.dispose([input.frames, input.bands, y]);
  });
}

Deno.test("supernnova-bayes: MC dropout gives a mean and a non-zero spread", async () => {
  await useBackend("wasm");
  const model = new SuperNnova(
    superNnovaConfig({ featureCount: nf, maxEpochs: 8, hidden: 6, dropout: 0.2, bayesian: true }),
    3,
  );
  const input = lcInput(8);
  const { mean, std } = model.predictMc(input, 10, 1);
  assertEquals(mean.shape, [B, C]);
  const rows = tf.sum(mean, 1).dataSync();
  for (const r of rows) assert(Math.abs(r - 1) < 1e-5, `row sum ${r}`);
  assert(tf.max(std).dataSync()[0]! > 0, "no spread");
  tf.dispose([mean, std, input.frames, input.bands]);
  model.dispose();
});
