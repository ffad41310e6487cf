import * as tf from "@tensorflow/tfjs-core";
import { conv2d, type Pad2d } from "../../lib/model/ops/conv_exact.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert } from "../util/assert.ts";
import { conv2dRef, conv2dRefGrads, type F64, randomF64, relMaxDiff } from "./reference.ts";

interface Case {
  name: string;
  x: number[];
  k: [number, number, number, number];
  stride: [number, number];
  pad: [[number, number], [number, number]];
}

// conv1 of the paper preset is 11x11, stride 2, padding 2 on 32x32 stamps: the
// first case is that geometry with few channels; the others cover odd sizes,
// padding larger than the stride remainder, asymmetric padding and stride 3.
const CASES: Case[] = [
  {
    name: "paper conv1 geometry",
    x: [2, 32, 32, 2],
    k: [11, 11, 2, 3],
    stride: [2, 2],
    pad: [[2, 2], [2, 2]],
  },
  {
    name: "k5 s2 p2 odd size",
    x: [3, 13, 11, 3],
    k: [5, 5, 3, 4],
    stride: [2, 2],
    pad: [[2, 2], [2, 2]],
  },
  { name: "k3 s1 p1", x: [2, 9, 9, 4], k: [3, 3, 4, 5], stride: [1, 1], pad: [[1, 1], [1, 1]] },
  { name: "k3 s3 asym", x: [2, 10, 8, 2], k: [3, 2, 2, 3], stride: [3, 2], pad: [[0, 2], [1, 0]] },
  {
    name: "k5 p4 > k-1 crop",
    x: [1, 6, 6, 2],
    k: [3, 3, 2, 2],
    stride: [2, 2],
    pad: [[3, 3], [3, 3]],
  },
];

function toTensor(a: F64): tf.Tensor {
  return tf.tensor(Float32Array.from(a.data), a.shape);
}

async function check(backend: "cpu" | "wasm" | "webgpu"): Promise<void> {
  await selectBackend(backend, { quiet: true });
  for (const c of CASES) {
    const x = randomF64(c.x, 1), w = randomF64(c.k, 2);
    const y = conv2dRef(x, w, c.stride, c.pad);
    const g = randomF64(y.shape, 3);
    const { dx, dw } = conv2dRefGrads(x, w, g, c.stride, c.pad);
    const before = tf.memory().numTensors;
    const [yt, dxt, dwt] = tf.tidy(() => {
      const xt = toTensor(x) as tf.Tensor4D, wt = toTensor(w) as tf.Tensor4D;
      const gt = toTensor(g);
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.mul(
            conv2d(a as tf.Tensor4D, b as tf.Tensor4D, { stride: c.stride, pad: c.pad as Pad2d }),
            gt,
          ),
        );
      const grads = tf.grads(f)([xt, wt]);
      return [conv2d(xt, wt, { stride: c.stride, pad: c.pad }), grads[0]!, grads[1]!];
    });
    const ey = relMaxDiff(await yt.data(), y.data);
    const edx = relMaxDiff(await dxt.data(), dx.data);
    const edw = relMaxDiff(await dwt.data(), dw.data);
    tf.dispose([yt, dxt, dwt]);
    assert(tf.memory().numTensors === before, `${c.name}: tensor leak`);
    assert(
      ey < 1e-5 && edx < 1e-5 && edw < 1e-5,
      `${backend} ${c.name}: y ${ey} dx ${edx} dw ${edw}`,
    );
  }
}

Deno.test("conv_exact: conv2d value and gradients match a float64 reference (cpu)", async () => {
  await check("cpu");
});

Deno.test("conv_exact: conv2d value and gradients match a float64 reference (wasm)", async () => {
  await check("wasm");
});

Deno.test("conv_exact: inputGrad false gives only the kernel gradient", async () => {
  await selectBackend("wasm", { quiet: true });
  const x = randomF64([2, 8, 8, 1], 4), w = randomF64([3, 3, 1, 2], 5);
  const y = conv2dRef(x, w, [2, 2], [[1, 1], [1, 1]]);
  const g = randomF64(y.shape, 6);
  const { dw } = conv2dRefGrads(x, w, g, [2, 2], [[1, 1], [1, 1]]);
  const dwt = tf.tidy(() => {
    const xt = toTensor(x) as tf.Tensor4D, gt = toTensor(g);
    return tf.grad((b: tf.Tensor) =>
      tf.sum(
        tf.mul(
          conv2d(xt, b as tf.Tensor4D, { stride: [2, 2], pad: [[1, 1], [1, 1]], inputGrad: false }),
          gt,
        ),
      )
    )(toTensor(w));
  });
  const e = relMaxDiff(await dwt.data(), dw.data);
  dwt.dispose();
  assert(e < 1e-5, `dw ${e}`);
});
