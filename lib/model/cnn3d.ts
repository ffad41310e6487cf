/**
 * The 3D-CNN (paper §3.2): each group of g consecutive frames, as a
 * `[2, h, w, g]` volume (pixels + band-embedding channel), goes through
 * conv3d + BatchNorm3d + ReLU layers that collapse time to one step and give
 * one token `[d, h', w']`.
 *
 * Exact 3D convolution from 2D convolutions: a conv3d output at time t' is
 * the sum over its time taps k of a 2D convolution of input frame
 * `t' st - pt + k` with the kernel slice k. Taps that fall on zero time
 * padding contribute nothing and are skipped (PyTorch computes them; the
 * results are the same). The valid taps of an output time read consecutive
 * frames, so with the time axis folded into the channels
 * (`[G, h, w, t * C]`, channel `t * C + c`) their input is one channel range
 * and the whole sum is one conv2d whose kernel stacks the tap slices along
 * its input channels. Every conv2d has the forward-convolution gradients of
 * `conv_exact.ts`.
 *
 * First layer: the pixel channel has one channel per frame, so all output
 * times are one conv2d on `[G, h, w, g]` with a block kernel (zeros where no
 * tap applies; cheap, since C = 1). The embedding channel's contribution
 * depends only on the band id: the first kernel's embedding slice is applied
 * once to the `rows` embedding images and each frame picks its rows by a
 * one-hot matrix product.
 *
 * PyTorch module (tasks/pytorch/convention_ref.py): `cnn.{i}.conv`
 * (nn.Conv3d on `[G, C, h, w, t]`, weight `[out, in, kh, kw, kt]`) and
 * `cnn.{i}.bn` (nn.BatchNorm3d). G = batch * n groups.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { bandOneHot } from "./band_embedding.ts";
import type { Cnn3dLayerGeometry } from "./config.ts";
import { conv2d, customGrad } from "./ops/conv_exact.ts";
import { unstack0 } from "./ops/layout.ts";
import { biasNormRelu } from "./ops/norm.ts";
import type { ParamStore } from "./infra/params.ts";

/** Adds `cnn.{i}.conv.weight/bias` and `cnn.{i}.bn.*` for every layer. */
export function addCnn3d(p: ParamStore, layers: Cnn3dLayerGeometry[]): void {
  layers.forEach((l, i) => {
    const [kh, kw, kt] = l.spec.kernel;
    p.addAffine(`cnn.${i}.conv`, [l.spec.out, l.inC, kh, kw, kt]);
    p.addBatchNorm(`cnn.${i}.bn`, l.spec.out);
  });
}

/**
 * Kernel slices per time tap, `[kh, kw, in, out]` each, from the PyTorch
 * weight `[out, in, kh, kw, kt]` (4D transposes only: wasm's 5D transpose is
 * very slow).
 */
function tapKernels(w: tf.Tensor): tf.Tensor4D[] {
  const [out, inC, kh, kw, kt] = w.shape as [number, number, number, number, number];
  const t = tf.transpose(tf.reshape(w, [out, inC, kh * kw, kt]), [3, 2, 1, 0]); // [kt, kh kw, in, out]
  return unstack0(tf.reshape(t, [kt, kh, kw, inC, out])) as tf.Tensor4D[];
}

function pad2(l: Cnn3dLayerGeometry): [[number, number], [number, number]] {
  const [ph, pw] = l.spec.padding;
  return [[ph, ph], [pw, pw]];
}

function stride2(l: Cnn3dLayerGeometry): [number, number] {
  return [l.spec.stride[0], l.spec.stride[1]];
}

/** Valid taps `[k0, k1]` (inclusive) of output time `to`. */
function validTaps(l: Cnn3dLayerGeometry, to: number): [number, number] {
  const t = l.inShape[0], kt = l.spec.kernel[2];
  const st = l.spec.stride[2], pt = l.spec.padding[2];
  const k0 = Math.max(0, pt - to * st), k1 = Math.min(kt - 1, t - 1 + pt - to * st);
  return [k0, k1];
}

/**
 * A conv3d (no bias) on time-folded input, PyTorch weight layout: exactly
 * PyTorch's `nn.Conv3d` on `[G, C, h, w, t]` with kernel `(kh, kw, kt)`.
 *
 * @param x `[G, h, w, t * C]` (channel `t * C + c`).
 * @param weight `[out, C, kh, kw, kt]`.
 * @param l Layer geometry.
 * @param inputGrad Whether `x` needs a gradient (default true).
 * @returns `[G, h', w', t' * out]`.
 */
export function conv3d(
  x: tf.Tensor4D,
  weight: tf.Tensor,
  l: Cnn3dLayerGeometry,
  inputGrad = true,
): tf.Tensor4D {
  const kernels = tapKernels(weight);
  const c = l.inC, t = l.inShape[0], st = l.spec.stride[2], pt = l.spec.padding[2];
  const cache = new Map<string, tf.Tensor4D>();
  const outs: tf.Tensor4D[] = [];
  for (let to = 0; to < l.outShape[0]; to++) {
    const [k0, k1] = validTaps(l, to);
    const first = to * st - pt + k0, frames = k1 - k0 + 1;
    const xin = first === 0 && frames === t
      ? x
      : tf.slice(x, [0, 0, 0, first * c], [-1, -1, -1, frames * c]) as tf.Tensor4D;
    const key = `${k0},${k1}`;
    let w = cache.get(key);
    if (!w) {
      const ks = kernels.slice(k0, k1 + 1);
      w = ks.length === 1 ? ks[0]! : tf.concat(ks, 2) as tf.Tensor4D;
      cache.set(key, w);
    }
    outs.push(conv2d(xin, w, { stride: stride2(l), pad: pad2(l), inputGrad }));
  }
  return outs.length === 1 ? outs[0]! : tf.concat(outs, 3) as tf.Tensor4D;
}

/**
 * Pixel-channel contribution of the first layer, `[G, h', w', t' * out]`:
 * the g frames of a group are the channels of one conv2d whose kernel holds,
 * for input frame t and output time t', the tap k = t - t' st + pt (zeros
 * where no tap applies).
 *
 * @param frames `[G, h, w, g]` frames of each group as channels.
 * @param kernels Per-tap kernels of the pixel channel `[kh, kw, 1, out]`.
 */
function pixelPart(
  frames: tf.Tensor4D,
  kernels: tf.Tensor4D[],
  l: Cnn3dLayerGeometry,
): tf.Tensor4D {
  const t = frames.shape[3];
  const to = l.outShape[0];
  const st = l.spec.stride[2], pt = l.spec.padding[2];
  const zero = tf.zerosLike(kernels[0]!);
  const rows: tf.Tensor[] = [];
  for (let ti = 0; ti < t; ti++) {
    const cols: tf.Tensor[] = [];
    for (let o = 0; o < to; o++) {
      const k = ti - o * st + pt;
      cols.push(k >= 0 && k < kernels.length ? kernels[k]! : zero);
    }
    rows.push(tf.concat(cols, 3)); // [kh, kw, 1, t' out]
  }
  const w = tf.concat(rows, 2) as tf.Tensor4D; // [kh, kw, g, t' out]
  return conv2d(frames, w, { stride: stride2(l), pad: pad2(l), inputGrad: false });
}

/**
 * `a @ z` for a constant one-hot `a`, with the gradient `a^T dy` computed
 * from an explicit transpose (wasm's transposed-operand matMul is slow).
 */
function oneHotProduct(a: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D {
  const f = customGrad(([zi], save) => {
    save([a]);
    return {
      value: tf.matMul(a, zi as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.matMul(tf.transpose(saved[0]!) as tf.Tensor2D, dy as tf.Tensor2D),
    };
  });
  return f(z) as tf.Tensor2D;
}

/**
 * Embedding-channel contribution of the first layer, `[G, h', w', t' * out]`.
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
): tf.Tensor4D {
  const rows = images.shape[0];
  const kt = kernels.length, out = l.spec.out;
  const [to, ho, wo] = l.outShape;
  const st = l.spec.stride[2], pt = l.spec.padding[2];
  const [gFrames, g] = [onehot.shape[0], onehot.shape[1]];
  // Z: every tap's kernel on every embedding image, [kt * rows, h' * w' * out].
  const z = conv2d(images, tf.concat(kernels, 3) as tf.Tensor4D, {
    stride: stride2(l),
    pad: pad2(l),
  }); // [rows, h', w', kt * out]
  const zr = tf.reshape(
    tf.transpose(tf.reshape(z, [rows, ho * wo, kt, out]), [2, 0, 1, 3]),
    [kt * rows, ho * wo * out],
  );
  // A: [t' * G, kt * rows], block k = one-hot band of the frame tap k reads.
  const zeros = tf.zeros([g, rows]);
  const frameOh = unstack0(onehot) as tf.Tensor2D[];
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
  const e = oneHotProduct(a, zr as tf.Tensor2D); // [t' G, h' w' out], time-major
  const folded = tf.transpose(tf.reshape(e, [to, g * ho * wo, out]), [1, 0, 2]);
  return tf.reshape(folded, [g, ho, wo, to * out]) as tf.Tensor4D;
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
 * @param updateStats Update the BatchNorm running statistics (training mode).
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
  // [G, h, w, g]: the frames of each group as channels (folded, C = 1).
  let x = tf.transpose(tf.reshape(frames, [g, group, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
  layers.forEach((layer, i) => {
    const weight = p.get(`cnn.${i}.conv.weight`);
    let pre: tf.Tensor4D;
    if (i === 0) {
      const kernels = tapKernels(weight);
      const pix = kernels.map((k) => tf.slice(k, [0, 0, 0, 0], [-1, -1, 1, -1]) as tf.Tensor4D);
      const emb = kernels.map((k) => tf.slice(k, [0, 0, 1, 0], [-1, -1, 1, -1]) as tf.Tensor4D);
      const onehot = bandOneHot(bands, group, rows);
      pre = tf.add(pixelPart(x, pix, layer), embeddingPart(images, onehot, emb, layer));
    } else {
      pre = conv3d(x, weight, layer);
    }
    // bias + BatchNorm3d + ReLU per output channel: [G h' w' t', out]
    const z = tf.reshape(pre, [-1, layer.spec.out]);
    x = tf.reshape(
      biasNormRelu(z, p, `cnn.${i}.conv`, `cnn.${i}.bn`, "bn-relu", training, updateStats),
      pre.shape,
    ) as tf.Tensor4D;
  });
  const last = layers[layers.length - 1]!;
  return tf.reshape(x, [b, n, last.outShape[1], last.outShape[2], last.spec.out]);
}
