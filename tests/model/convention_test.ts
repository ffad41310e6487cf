import * as tf from "@tensorflow/tfjs-core";
import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import { ModelConfigError, ModelInputError } from "../../lib/model/errors.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert, assertEquals, assertThrows } from "../util/assert.ts";
import { absMaxDiff } from "./reference.ts";

await selectBackend("wasm", { quiet: true });

Deno.test("convention: the paper preset has exactly 1,253,108 parameters (C = 4)", () => {
  for (const preset of ["paper", "paper-g"] as const) {
    const m = createConvEntion(preset);
    assertEquals(m.paramCount(), 1_253_108, preset);
    m.dispose();
  }
});

Deno.test("convention: PyTorch names and layouts of the paper preset", () => {
  const m = createConvEntion("paper");
  const shapes = Object.fromEntries([...m.weights()].map(([k, v]) => [k, v.shape]));
  assertEquals(shapes["embedding.weight"], [10, 1024]);
  assertEquals(shapes["cnn.0.conv.weight"], [64, 2, 11, 11, 3]);
  assertEquals(shapes["cnn.1.conv.weight"], [128, 64, 5, 5, 3]);
  assertEquals(shapes["cnn.3.bn.running_var"], [8]);
  assertEquals(shapes["cnn.3.bn.num_batches_tracked"], []);
  assertEquals(shapes["bert.0.norm1.weight"], [33, 8, 9, 9]);
  assertEquals(shapes["bert.1.attn.qkv.weight"], [24, 8, 1, 1]);
  assertEquals(shapes["bert.1.attn.m.weight"], [4, 8, 5, 5]);
  assertEquals(shapes["bert.1.attn.out.weight"], [8, 8, 3, 3]);
  assertEquals(shapes["bert.1.ff.conv1.weight"], [16, 8, 3, 3]);
  assertEquals(shapes["bert.1.ff.conv2.weight"], [8, 16, 3, 3]);
  assertEquals(shapes["classifier.fc1.weight"], [256, 648]);
  assertEquals(shapes["classifier.fc2.weight"], [4, 256]);
  assertEquals(m.weights().get("cnn.0.bn.num_batches_tracked")!.dtype, "int32");
  // 4 conv3d + 2 blocks x 2 BatchNorms hold running statistics
  assertEquals(m.weights().size - m.trainableVariables().length, 8 * 3);
  // embedding row 0 (padding) starts at zero
  const row0 = m.weights().get("embedding.weight")!.dataSync().slice(0, 1024);
  assert(row0.every((v) => v === 0));
  m.dispose();
});

Deno.test("convention: every preset builds and gives [batch, C] logits", () => {
  for (const name of ["tiny", "cpu"] as const) {
    const m = createConvEntion(name, 1);
    const c = m.config;
    const frames = tf.zeros([2, c.length, c.stamp, c.stamp]) as tf.Tensor4D;
    const bands = tf.ones([2, c.length], "int32") as tf.Tensor2D;
    const y = m.apply({ frames, bands }, { training: false });
    assertEquals(y.shape, [2, c.numClasses]);
    tf.dispose([y, frames, bands]);
    m.dispose();
  }
});

Deno.test("convention: bad configurations are refused with the field named", () => {
  assertThrows(
    () => createConvEntion({ ...PRESETS.tiny, length: 13 }),
    ModelConfigError,
    /multiple of group/,
  );
  assertThrows(
    () => createConvEntion({ ...PRESETS.tiny, d: 6 }),
    ModelConfigError,
    /channels, d is 6/,
  );
  assertThrows(
    () => createConvEntion({ ...PRESETS.tiny, cnn: PRESETS.tiny.cnn.slice(0, 3) }),
    ModelConfigError,
    /collapse to 1/,
  );
  assertThrows(
    () => createConvEntion({ ...PRESETS.tiny, heads: 3 }),
    ModelConfigError,
    /multiple of heads/,
  );
  assertThrows(
    () => createConvEntion({ ...PRESETS.tiny, dropout: 1 }),
    ModelConfigError,
    /dropout/,
  );
  assertThrows(
    () => createConvEntion("huge" as "tiny"),
    ModelConfigError,
    /Unknown ConvEntion preset/,
  );
});

function batch(b: number, seed: number) {
  const c = PRESETS.tiny;
  return {
    frames: tf.randomNormal([b, c.length, c.stamp, c.stamp], 0, 1, "float32", seed) as tf.Tensor4D,
    bands: tf.tensor2d([...Array(b * c.length)].map((_, i) => (i % 6 === 5 ? 0 : 1 + (i % 5))), [
      b,
      c.length,
    ], "int32"),
  };
}

Deno.test("convention: initialisation and dropout are deterministic from their seeds", async () => {
  const input = batch(3, 1);
  const a = createConvEntion("tiny", 7),
    b = createConvEntion("tiny", 7),
    c = createConvEntion("tiny", 8);
  const la = a.apply(input, { training: false }), lb = b.apply(input, { training: false });
  const lc = c.apply(input, { training: false });
  assertEquals(await la.data(), await lb.data());
  assert(absMaxDiff(await la.data(), await lc.data()) > 1e-3, "other seed, other weights");
  const d1 = a.apply(input, { training: true, seed: 5 }),
    d2 = b.apply(input, { training: true, seed: 5 });
  const d3 = a.apply(input, { training: true, seed: 6 });
  assertEquals(await d1.data(), await d2.data());
  assert(absMaxDiff(await d1.data(), await d3.data()) > 1e-4, "other dropout seed, other masks");
  tf.dispose([la, lb, lc, d1, d2, d3, input.frames, input.bands]);
  [a, b, c].forEach((m) => m.dispose());
});

Deno.test("convention: training mode updates BatchNorm statistics, inference and MC dropout do not", async () => {
  const m = createConvEntion("tiny", 2);
  const input = batch(2, 3);
  const stats = () =>
    [...m.weights()].filter(([k]) => /running_|num_batches/.test(k)).map(([, v]) =>
      Array.from(v.dataSync())
    );
  const s0 = stats();
  tf.dispose(m.apply(input, { training: false }));
  assertEquals(stats(), s0);
  const mc1 = m.apply(input, { training: false, mcDropout: true, seed: 1 });
  const mc2 = m.apply(input, { training: false, mcDropout: true, seed: 2 });
  assert(absMaxDiff(await mc1.data(), await mc2.data()) > 1e-5, "MC dropout samples differ");
  assertEquals(stats(), s0);
  tf.dispose([mc1, mc2, m.apply(input, { training: true, seed: 1 })]);
  const s1 = stats();
  assert(JSON.stringify(s1) !== JSON.stringify(s0), "running statistics changed");
  assertEquals(m.weights().get("cnn.0.bn.num_batches_tracked")!.dataSync()[0], 1);
  // running_mean = 0.9 * 0 + 0.1 * batch mean
  tf.dispose([input.frames, input.bands]);
  m.dispose();
});

Deno.test("convention: inputs of the wrong shape or dtype are refused", () => {
  const m = createConvEntion("tiny", 1);
  const f = tf.zeros([2, 12, 16, 16]) as tf.Tensor4D, b = tf.zeros([2, 12], "int32") as tf.Tensor2D;
  assertThrows(
    () => m.apply({ frames: f, bands: b }, { training: false }),
    ModelInputError,
    /expected \[batch, 12, 12, 12\]/,
  );
  const f2 = tf.zeros([2, 12, 12, 12]) as tf.Tensor4D, b2 = tf.zeros([2, 12]) as tf.Tensor2D;
  assertThrows(
    () => m.apply({ frames: f2, bands: b2 }, { training: false }),
    ModelInputError,
    /int32/,
  );
  tf.dispose([f, b, f2, b2]);
  m.dispose();
});
