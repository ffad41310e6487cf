/**
 * conv3d expressed as 2D convolutions over the valid time taps (cnn3d.ts)
 * against a float64 PyTorch-layout conv3d, values and gradients, on the
 * geometries of the paper preset (stride 2 + padding 2 in every axis for
 * conv 1; time padding 2 for conv 2; no padding for conv 3).
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv3d } from "../../lib/model/cnn3d.ts";
import { type Conv3dSpec, planTimeTaps } from "../../lib/model/config.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert, assertEquals } from "../util/assert.ts";
import {
  conv3dRef,
  conv3dRefGrads,
  type F64,
  permute,
  randomF64,
  relMaxDiff,
} from "./reference.ts";

interface Case {
  name: string;
  /** [G, C, H, W, T] */
  x: [number, number, number, number, number];
  spec: Conv3dSpec;
}

const CASES: Case[] = [
  {
    name: "paper conv1 (k 11x11x3, stride 2, padding 2)",
    x: [3, 2, 20, 20, 3],
    spec: { out: 3, kernel: [11, 11, 3], stride: [2, 2, 2], padding: [2, 2, 2] },
  },
  {
    name: "paper conv2 (k 5x5x3, padding 2: time 3 -> 5)",
    x: [2, 3, 9, 9, 3],
    spec: { out: 4, kernel: [5, 5, 3], stride: [1, 1, 1], padding: [2, 2, 2] },
  },
  {
    name: "paper conv3 (k 3x3x3, no padding: time 5 -> 3)",
    x: [2, 4, 7, 7, 5],
    spec: { out: 3, kernel: [3, 3, 3], stride: [1, 1, 1], padding: [0, 0, 0] },
  },
  {
    name: "odd: stride 3 in time, padding 1",
    x: [2, 2, 6, 5, 7],
    spec: { out: 2, kernel: [3, 2, 3], stride: [1, 2, 3], padding: [1, 0, 1] },
  },
];

function f32(a: F64): Float32Array {
  return Float32Array.from(a.data);
}

Deno.test("cnn3d: time taps are grouped and zero-padding taps skipped", () => {
  // paper conv1: time 3, kernel 3, stride 2, padding 2 -> outputs 0, 1, 2
  assertEquals(planTimeTaps(3, 3, 2, 2), [
    { outTimes: [0], taps: [2] },
    { outTimes: [1], taps: [0, 1, 2] },
    { outTimes: [2], taps: [0] },
  ]);
  // paper conv3: every output uses all taps -> one batched conv2d
  assertEquals(planTimeTaps(5, 3, 1, 0), [{ outTimes: [0, 1, 2], taps: [0, 1, 2] }]);
});

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`cnn3d: conv3d over time taps = float64 conv3d, values and gradients (${backend})`, async () => {
    await selectBackend(backend, { quiet: true });
    for (const c of CASES) {
      const [g, ci, h, w, t] = c.x;
      const [kh, kw, kt] = c.spec.kernel;
      const x = randomF64(c.x, 11), wt = randomF64([c.spec.out, ci, kh, kw, kt], 12);
      const y = conv3dRef(x, wt, c.spec.stride, c.spec.padding);
      const gy = randomF64(y.shape, 13);
      const { dx, dw } = conv3dRefGrads(x, wt, gy, c.spec.stride, c.spec.padding);
      const [, , ho, wo, to] = y.shape as number[];
      const layer = {
        spec: c.spec,
        inC: ci,
        inShape: [t, h, w] as [number, number, number],
        outShape: [to!, ho!, wo!] as [number, number, number],
        tapGroups: planTimeTaps(t, kt, c.spec.stride[2], c.spec.padding[2]),
      };
      // ours: time folded into channels, [G, H, W, T * C]
      const xt = tf.tensor4d(f32(permute(x, [0, 2, 3, 4, 1])), [g, h, w, t * ci]);
      const wv = tf.tensor(f32(wt), wt.shape);
      const gyt = tf.tensor4d(f32(permute(gy, [0, 2, 3, 4, 1])), [g, ho!, wo!, to! * c.spec.out]);
      const before = tf.memory().numTensors;
      const [yo, gx, gw] = tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(conv3d(a as tf.Tensor4D, b, layer), gyt));
        const [ga, gb] = tf.grads(f)([xt, wv]);
        return [conv3d(xt, wv, layer), ga!, gb!];
      });
      const ey = relMaxDiff(await yo.data(), permute(y, [0, 2, 3, 4, 1]).data);
      const edx = relMaxDiff(await gx.data(), permute(dx, [0, 2, 3, 4, 1]).data);
      const edw = relMaxDiff(await gw.data(), dw.data);
      tf.dispose([yo, gx, gw]);
      assert(tf.memory().numTensors === before, `${c.name}: tensor leak`);
      tf.dispose([xt, wv, gyt]);
      assert(ey < 1e-5 && edx < 1e-5 && edw < 1e-5, `${c.name}: y ${ey}, dx ${edx}, dw ${edw}`);
    }
  });
}
