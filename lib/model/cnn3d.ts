/**
 * The 3D-CNN (paper §3.2): each group of g consecutive frames, as a
 * `[2, h, w, g]` volume (pixels + band-embedding channel), goes through
 * conv3d + BatchNorm3d + ReLU layers that collapse time to one step and give
 * one token `[d, h', w']`.
 *
 * Exact 3D convolution from 2D convolutions: a conv3d output at time t is the
 * sum over its time taps k of a 2D convolution of input frame
 * `t * st - pt + k` with the kernel slice k. Taps that fall on zero time
 * padding contribute nothing and are skipped (PyTorch computes them; the
 * results are the same). Output times with the same valid taps are batched
 * into one conv2d whose input stacks the frames of the taps as channels.
 * Every conv2d has the forward-convolution gradients of `conv_exact.ts`.
 *
 * The embedding channel of the first layer is exact too but cheap: its
 * contribution depends only on the band id, so the first kernel's embedding
 * slice is applied once to the `rows` embedding images and each frame picks
 * its rows by a one-hot matrix product.
 *
 * Layout inside: time-major `[t, G, h, w, C]` with G = batch * n groups.
 * PyTorch module (tasks/pytorch/convention_ref.py): `cnn.{i}.conv`
 * (nn.Conv3d on `[G, C, h, w, t]`, weight `[out, in, kh, kw, kt]`) and
 * `cnn.{i}.bn` (nn.BatchNorm3d).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { bandOneHot } from "./band_embedding.ts";
import type { Cnn3dLayerGeometry } from "./config.ts";
import { conv2d } from "./conv_exact.ts";
import { batchNorm } from "./norm.ts";
import type { ParamStore } from "./params.ts";
import { addBias } from "./reduce.ts";

/** Adds `cnn.{i}.conv.weight/bias` and `cnn.{i}.bn.*` for every layer. */
export function addCnn3d(p: ParamStore, layers: Cnn3dLayerGeometry[]): void {
  layers.forEach((l, i) => {
    const [kh, kw, kt] = l.spec.kernel;
    p.addAffine(`cnn.${i}.conv`, [l.spec.out, l.inC, kh, kw, kt]);
    p.addBatchNorm(`cnn.${i}.bn`, l.spec.out);
  });
}

/** Kernel slices per time tap, `[kh, kw, in, out]` each, from `[out, in, kh, kw, kt]`. */
function tapKernels(w: tf.Tensor): tf.Tensor4D[] {
  return tf.unstack(tf.transpose(w, [4, 2, 3, 1, 0])) as tf.Tensor4D[];
}

function pad2(l: Cnn3dLayerGeometry): [[number, number], [number, number]] {
  const [ph, pw] = l.spec.padding;
  return [[ph, ph], [pw, pw]];
}

/**
 * A conv3d (no bias) on time-major input, PyTorch weight layout: exactly
 * PyTorch's `nn.Conv3d` on `[G, C, h, w, t]` with kernel `(kh, kw, kt)`.
 *
 * @param x `[t, G, h, w, C]`.
 * @param weight `[out, C, kh, kw, kt]`.
 * @param l Layer geometry (stride, padding, tap groups).
 * @returns `[t', G, h', w', out]`.
 */
export function conv3d(x: tf.Tensor, weight: tf.Tensor, l: Cnn3dLayerGeometry): tf.Tensor {
  return tf.tidy(() => conv3dTaps(tf.unstack(x) as tf.Tensor4D[], tapKernels(weight), l, true));
}

/**
 * One conv3d over time-major input as batched conv2d over the valid taps.
 *
 * @param frames Input frames per time, each `[G, h, w, C]`.
 * @param kernels Per-tap kernels `[kh, kw, C, out]`.
 * @returns `[t', G, h', w', out]`.
 */
function conv3dTaps(
  frames: tf.Tensor4D[],
  kernels: tf.Tensor4D[],
  l: Cnn3dLayerGeometry,
  inputGrad: boolean,
): tf.Tensor {
  const st = l.spec.stride[2], pt = l.spec.padding[2];
  const outs: tf.Tensor4D[] = new Array(l.outShape[0]);
  for (const grp of l.tapGroups) {
    const cat = (ts: tf.Tensor4D[], axis: number) => ts.length === 1 ? ts[0]! : tf.concat(ts, axis);
    // [|group| * G, h, w, |taps| * C]: frames of the taps stacked as channels.
    const x = cat(
      grp.outTimes.map((to) => cat(grp.taps.map((k) => frames[to * st - pt + k]!), 3)),
      0,
    );
    const w = cat(grp.taps.map((k) => kernels[k]!), 2);
    const y = conv2d(x, w, {
      stride: [l.spec.stride[0], l.spec.stride[1]],
      pad: pad2(l),
      inputGrad,
    });
    const parts = grp.outTimes.length === 1 ? [y] : tf.split(y, grp.outTimes.length, 0);
    grp.outTimes.forEach((to, i) => outs[to] = parts[i]! as tf.Tensor4D);
  }
  return tf.stack(outs, 0);
}

/**
 * Embedding-channel contribution of the first layer, `[t', G, h', w', out]`.
 *
 * @param images `[rows, h, w, 1]` embedding images.
 * @param onehot `[g, G, rows]` one-hot band ids.
 * @param kernels Per-tap kernels of the embedding channel `[kh, kw, 1, out]`.
 */
function embeddingPart(
  images: tf.Tensor4D,
  onehot: tf.Tensor3D,
  kernels: tf.Tensor4D[],
  l: Cnn3dLayerGeometry,
): tf.Tensor {
  const rows = images.shape[0];
  const kt = kernels.length, out = l.spec.out;
  const [to, ho, wo] = l.outShape;
  const st = l.spec.stride[2], pt = l.spec.padding[2];
  const [gFrames, g] = [onehot.shape[0], onehot.shape[1]];
  // Z: every tap's kernel on every embedding image, [kt * rows, h' * w' * out].
  const z = conv2d(images, tf.concat(kernels, 3) as tf.Tensor4D, {
    stride: [l.spec.stride[0], l.spec.stride[1]],
    pad: pad2(l),
  }); // [rows, h', w', kt * out]
  const zr = tf.reshape(
    tf.transpose(tf.reshape(z, [rows, ho * wo, kt, out]), [2, 0, 1, 3]),
    [kt * rows, ho * wo * out],
  );
  // A: [t' * G, kt * rows], block k = one-hot band of the frame tap k reads.
  const zeros = tf.zeros([g, rows]);
  const frameOh = tf.unstack(onehot) as tf.Tensor2D[];
  const blocks: tf.Tensor[] = [];
  for (let t = 0; t < to; t++) {
    const row: tf.Tensor[] = [];
    for (let k = 0; k < kt; k++) {
      const ti = t * st - pt + k;
      row.push(ti >= 0 && ti < gFrames ? frameOh[ti]! : zeros);
    }
    blocks.push(tf.concat(row, 1));
  }
  const a = tf.concat(blocks, 0) as tf.Tensor2D;
  return tf.reshape(tf.matMul(a, zr as tf.Tensor2D), [to, g, ho, wo, out]);
}

/**
 * Runs the 3D-CNN on a batch.
 *
 * @param frames `[batch, l, h, w]` normalised pixels.
 * @param bands `[batch, l]` int32 band ids.
 * @param images `[rows, h, w, 1]` band-embedding images.
 * @param p Parameters.
 * @param layers Layer geometry.
 * @param group Frames per group g.
 * @param training Training mode (BatchNorm batch statistics + running update).
 * @returns Tokens `[batch, n, h', w', d]`.
 */
export function cnn3d(
  frames: tf.Tensor4D,
  bands: tf.Tensor2D,
  images: tf.Tensor4D,
  p: ParamStore,
  layers: Cnn3dLayerGeometry[],
  group: number,
  training: boolean,
  updateStats = training,
): tf.Tensor {
  const [b, l, h, w] = frames.shape;
  const n = l / group, g = b * n;
  const rows = images.shape[0];
  // [g, G, h, w, 1] time-major groups.
  const x0 = tf.transpose(tf.reshape(frames, [g, group, h, w]), [1, 0, 2, 3]);
  let frameList = tf.unstack(tf.reshape(x0, [group, g, h, w, 1])) as tf.Tensor4D[];
  let y: tf.Tensor | null = null;
  layers.forEach((layer, i) => {
    const kernels = tapKernels(p.get(`cnn.${i}.conv.weight`));
    let pre: tf.Tensor;
    if (i === 0) {
      const pix = kernels.map((k) => tf.slice(k, [0, 0, 0, 0], [-1, -1, 1, -1]) as tf.Tensor4D);
      const emb = kernels.map((k) => tf.slice(k, [0, 0, 1, 0], [-1, -1, 1, -1]) as tf.Tensor4D);
      const onehot = bandOneHot(bands, group, rows);
      pre = tf.add(
        conv3dTaps(frameList, pix, layer, false),
        embeddingPart(images, onehot, emb, layer),
      );
    } else {
      pre = conv3dTaps(frameList, kernels, layer, true);
    }
    pre = addBias(pre, p.get(`cnn.${i}.conv.bias`));
    y = tf.relu(batchNorm(pre, p, `cnn.${i}.bn`, training, updateStats));
    if (i < layers.length - 1) frameList = tf.unstack(y) as tf.Tensor4D[];
  });
  const [, ho, wo] = layers[layers.length - 1]!.outShape;
  return tf.reshape(y!, [b, n, ho, wo, layers[layers.length - 1]!.spec.out]);
}
