/**
 * The wasm backend's Sum accumulates sequentially in float32; the blocked
 * sums used by BatchNorm/LayerNorm (reduce.ts) stay at the cpu backend's
 * accuracy. This test fails if either the blocked sums lose accuracy or the
 * workaround is removed while wasm's Sum is still imprecise.
 */
import * as tf from "@tensorflow/tfjs-core";
import { addBias, sumLast, sumRows } from "../../lib/model/ops/reduce.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert, assertEquals } from "../util/assert.ts";

const N = 200_003; // prime: exercises the zero-padded blocks
const xs = Float32Array.from(
  { length: 2 * N },
  (_, i) => 0.5 + Math.abs(Math.sin(i * 12.9898)) * 0.1,
);

function exact(row: number): { sum: number; abs: number } {
  let sum = 0, abs = 0;
  for (let i = 0; i < N; i++) {
    sum += xs[row * N + i]!;
    abs += Math.abs(xs[row * N + i]!);
  }
  return { sum, abs };
}

Deno.test("reduce: blocked sums are accurate on wasm where tf.sum is not", async () => {
  await selectBackend("wasm", { quiet: true });
  const x = tf.tensor2d(xs, [2, N]);
  const plain = await tf.sum(x, 1).data();
  const blocked = await sumLast(x).data();
  const rows = await sumRows(tf.transpose(x) as tf.Tensor2D).data();
  for (let r = 0; r < 2; r++) {
    const e = exact(r);
    const errPlain = Math.abs(plain[r]! - e.sum) / e.abs;
    const errBlocked = Math.abs(blocked[r]! - e.sum) / e.abs;
    const errRows = Math.abs(rows[r]! - e.sum) / e.abs;
    assert(errBlocked < 2e-7 && errRows < 2e-7, `blocked sums: ${errBlocked}, ${errRows}`);
    // Documents the wasm kernel's float32 accumulation (about 1e-4 of the sum here).
    // If this fails, wasm's Sum became accurate and reduce.ts could go.
    if (Deno.env.get("SHOW")) console.log(errPlain, errBlocked, errRows);
    assert(errPlain > 10 * errBlocked, `wasm tf.sum error ${errPlain} vs blocked ${errBlocked}`);
  }
  x.dispose();
});

Deno.test("reduce: addBias adds over the last axis and sums the bias gradient", async () => {
  await selectBackend("wasm", { quiet: true });
  const x = tf.ones([3, 2, 4]), b = tf.tensor1d([1, 2, 3, 4]);
  const dy = tf.tensor3d([...Array(24)].map((_, i) => i), [3, 2, 4]);
  const [gx, gb] = tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(addBias(a, c), dy)))([
    x,
    b,
  ]);
  assertEquals(Array.from(await addBias(x, b).data()).slice(0, 4), [2, 3, 4, 5]);
  assertEquals(Array.from(await gx!.data()), [...Array(24)].map((_, i) => i));
  assertEquals(Array.from(await gb!.data()), [60, 66, 72, 78]);
  tf.dispose([x, b, dy, gx!, gb!]);
});

Deno.test("reduce: sumRows is sumLast of the transpose, bit for bit, without a 2D transpose", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await selectBackend(backend, { quiet: true });
    const xt = tf.tensor2d(xs.subarray(0, 3 * 20_011), [3, 20_011]); // prime rows: padded blocks
    const x = tf.transpose(xt) as tf.Tensor2D; // [20011, 3]
    const kernels: string[] = [];
    const prof = await tf.profile(() => sumRows(x));
    for (const k of prof.kernels) {
      if (k.name === "Transpose") kernels.push(`${k.inputShapes[0]!.length}D`);
    }
    const rows = await sumRows(x).data();
    const last = await sumLast(xt).data();
    assertEquals(Array.from(rows), Array.from(last), backend);
    // webgpu's 2D transpose shader fails past 1,048,560 rows (reduce.ts): no 2D transpose here.
    assert(!kernels.includes("2D"), `${backend}: transposes ${kernels.join(", ")}`);
    tf.dispose([x, xt]);
  }
});
