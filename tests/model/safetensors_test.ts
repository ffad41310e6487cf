import * as tf from "@tensorflow/tfjs-core";
import { createConvEntion, PRESETS } from "../../lib/model/convention.ts";
import { WeightsError } from "../../lib/model/errors.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  loadWeights,
  type SafeTensor,
  saveWeights,
  toFloat32,
} from "../../lib/model/infra/safetensors.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../util/assert.ts";

await selectBackend("wasm", { quiet: true });

Deno.test("safetensors: encode/decode round trip of every dtype, header aligned to 8", () => {
  const t = new Map<string, SafeTensor>([
    ["a.f32", { dtype: "F32", shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) }],
    ["b.f64", { dtype: "F64", shape: [1], data: Float64Array.from([Math.PI]) }],
    ["c.i64", { dtype: "I64", shape: [], data: BigInt64Array.from([7n]) }],
    ["d.i32", { dtype: "I32", shape: [2], data: Int32Array.from([-1, 2]) }],
    ["e.u8", { dtype: "U8", shape: [3], data: Uint8Array.from([0, 128, 255]) }],
    ["f.f16", { dtype: "F16", shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) }],
    ["g.empty", { dtype: "F32", shape: [0, 4], data: new Float32Array(0) }],
  ]);
  const bytes = encodeSafetensors(t, { format: "pt", note: "x" });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assertEquals(n % 8, 0);
  const { tensors, metadata } = decodeSafetensors(bytes);
  assertEquals(metadata, { format: "pt", note: "x" });
  for (const [k, v] of t) {
    const d = tensors.get(k)!;
    assertEquals(d.dtype, v.dtype, k);
    assertEquals(d.shape, v.shape, k);
    assertEquals(
      Array.from(d.data as ArrayLike<number | bigint>),
      Array.from(v.data as ArrayLike<number | bigint>),
      k,
    );
  }
  assertEquals(Array.from(toFloat32(tensors.get("f.f16")!)), [1, -2]);
});

Deno.test("safetensors: malformed files are refused with a WeightsError", () => {
  const good = encodeSafetensors(
    new Map([["x", { dtype: "F32", shape: [4], data: new Float32Array(4) } as SafeTensor]]),
  );
  assertThrows(() => decodeSafetensors(good.slice(0, 5), "f"), WeightsError, /too short/);
  assertThrows(
    () => decodeSafetensors(good.slice(0, good.length - 4), "f"),
    WeightsError,
    /needs 16 bytes/,
  );
  const badLen = good.slice();
  new DataView(badLen.buffer).setBigUint64(0, 1n << 40n, true);
  assertThrows(() => decodeSafetensors(badLen, "f"), WeightsError, /exceeds the file/);
  const hdr = (o: unknown) => {
    const j = new TextEncoder().encode(JSON.stringify(o));
    const b = new Uint8Array(8 + j.length + 16);
    new DataView(b.buffer).setBigUint64(0, BigInt(j.length), true);
    b.set(j, 8);
    return b;
  };
  assertThrows(
    () => decodeSafetensors(hdr({ x: { dtype: "Q8", shape: [1], data_offsets: [0, 1] } })),
    WeightsError,
    /dtype/,
  );
  assertThrows(
    () => decodeSafetensors(hdr({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } })),
    WeightsError,
    /shape/,
  );
  assertThrows(
    () =>
      decodeSafetensors(hdr({
        x: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        y: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
      })),
    WeightsError,
    /overlap/,
  );
  assertThrows(
    () => decodeSafetensors(new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 123, 125 + 1])),
    WeightsError,
    /JSON/,
  );
});

Deno.test("weights: save, load into a fresh model, same logits", async () => {
  const dir = await Deno.makeTempDir();
  const a = createConvEntion("tiny", 1), b = createConvEntion("tiny", 2);
  const frames = tf.randomNormal([3, 12, 12, 12], 0, 1, "float32", 4) as tf.Tensor4D;
  const bands = tf.tensor2d([...Array(36)].map((_, i) => i % 6), [3, 12], "int32");
  // make the BatchNorm statistics non-trivial first
  tf.dispose(a.apply({ frames, bands }, { training: true, seed: 1 }));
  await saveWeights(a, `${dir}/w.safetensors`, { run: "test" });
  await loadWeights(b, `${dir}/w.safetensors`);
  const la = a.apply({ frames, bands }, { training: false });
  const lb = b.apply({ frames, bands }, { training: false });
  assertEquals(await lb.data(), await la.data());
  const { metadata, tensors } = decodeSafetensors(await Deno.readFile(`${dir}/w.safetensors`));
  assertEquals(metadata.format, "pt");
  assertEquals(metadata.run, "test");
  assertEquals(JSON.parse(metadata.config!).stamp, 12);
  assertEquals(tensors.get("cnn.0.bn.num_batches_tracked")!.dtype, "I64");
  assertEquals(tensors.get("cnn.0.conv.weight")!.shape, [4, 2, 5, 5, 3]);
  tf.dispose([frames, bands, la, lb]);
  a.dispose();
  b.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("weights: a file of another architecture is refused, nothing assigned", async () => {
  const dir = await Deno.makeTempDir();
  const tiny = createConvEntion("tiny", 1);
  const other = createConvEntion({ ...PRESETS.tiny, ffHidden: 6 }, 1);
  await saveWeights(other, `${dir}/o.safetensors`);
  const before = Array.from(tiny.weights().get("embedding.weight")!.dataSync());
  const e = await assertRejects(
    () => loadWeights(tiny, `${dir}/o.safetensors`),
    WeightsError,
    /ff.conv1.weight has shape \[6,4,3,3\]/,
  );
  assert(e.message.includes(`${dir}/o.safetensors`), "names the file");
  assertEquals(Array.from(tiny.weights().get("embedding.weight")!.dataSync()), before);
  await assertRejects(
    () => loadWeights(tiny, `${dir}/missing.safetensors`),
    WeightsError,
    /Cannot read/,
  );
  const small = createConvEntion({ ...PRESETS.tiny, blocks: 1 }, 1);
  await saveWeights(small, `${dir}/s.safetensors`);
  await assertRejects(
    () => loadWeights(tiny, `${dir}/s.safetensors`),
    WeightsError,
    /missing bert.1/,
  );
  [tiny, other, small].forEach((m) => m.dispose());
  await Deno.remove(dir, { recursive: true });
});
