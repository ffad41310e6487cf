/**
 * Layer list of a ConvEntion configuration: per-object output shapes
 * (PyTorch order), parameter counts and multiply-accumulates, computed from
 * the configuration alone (no tensors).
 *
 * MACs are counted two ways: `macs` is what this implementation runs (conv3d
 * time taps on zero padding skipped, the first layer's band-embedding channel
 * as a one-hot product, attention maps as 2n convolutions); `macsDense` is
 * what the authors' PyTorch formulation runs (dense conv3d over the padded
 * volume, n^2 attention-map convolutions). FLOPs = 2 x MACs. A training step
 * is estimated as forward + backward, the backward of each convolution and
 * dense layer being twice its forward (input and weight gradients), except
 * the pixel channel of the first convolution, which needs no input gradient.
 *
 * @module
 */
import { type ConvEntionConfig, type Geometry, geometry } from "./config.ts";

/** One row of the layer list. */
export interface LayerSummary {
  /** PyTorch module name (`cnn.0.conv`) or a description (`max over tokens`). */
  name: string;
  /** Operation. */
  kind: string;
  /** Output shape per object, PyTorch order. */
  output: number[];
  /** Trainable parameters. */
  params: number;
  /** MACs per object in this implementation. */
  macs: number;
  /** MACs per object in the authors' dense formulation. */
  macsDense: number;
}

/** The whole summary. */
export interface ModelSummary {
  /** Layers in forward order. */
  layers: LayerSummary[];
  /** Trainable parameters (= the model's paramCount()). */
  totalParams: number;
  /** Forward MACs per object, this implementation. */
  macsForward: number;
  /** Forward MACs per object, the authors' dense formulation. */
  macsForwardDense: number;
  /** 2 x macsForward. */
  flopsForward: number;
  /** Estimated training-step FLOPs per object (forward + backward), this implementation. */
  flopsTrainStep: number;
}

/** A layer and the MACs of its backward pass. */
interface Row {
  layer: LayerSummary;
  backward: number;
}

/** A row whose backward pass costs twice its forward MACs (input and weight gradients). */
function row(
  name: string,
  kind: string,
  output: number[],
  params: number,
  macs = 0,
  macsDense = macs,
): Row {
  return { layer: { name, kind, output, params, macs, macsDense }, backward: 2 * macs };
}

/** The band embedding and the 3D-CNN (§3.1, §3.2). */
function cnnRows(c: ConvEntionConfig, g: Geometry): Row[] {
  const n = g.tokens;
  const rows = [
    row(
      "embedding",
      `band embedding ${c.bandRows} x ${c.stamp * c.stamp}`,
      [c.length, c.stamp, c.stamp],
      c.bandRows * c.stamp * c.stamp,
    ),
  ];
  g.cnn.forEach((l, i) => {
    const [kh, kw, kt] = l.spec.kernel;
    const [to, ho, wo] = l.outShape;
    const out = l.spec.out;
    const taps = l.tapGroups.reduce((s, gr) => s + gr.outTimes.length * gr.taps.length, 0);
    const perTap = ho * wo * kh * kw * out;
    // First layer: the pixel channel (no input gradient) plus the embedding's one-hot product.
    const pixel = i === 0 ? n * taps * perTap : 0;
    const macs = i === 0
      ? pixel + n * to * kt * c.bandRows * ho * wo * out
      : n * taps * perTap * l.inC;
    const conv = row(
      `cnn.${i}.conv`,
      `conv3d ${l.inC}->${out} k(${l.spec.kernel}) s(${l.spec.stride}) p(${l.spec.padding})`,
      [n, out, ho, wo, to],
      out * l.inC * kh * kw * kt + out,
      macs,
      n * to * ho * wo * kh * kw * kt * l.inC * out,
    );
    conv.backward = 2 * macs - pixel;
    rows.push(conv, row(`cnn.${i}.bn`, "BatchNorm3d + ReLU", [n, out, ho, wo, to], 2 * out));
  });
  return rows;
}

/** One convolutional BERT block (§3.4): norms, attention, feed-forward. */
function bertRows(c: ConvEntionConfig, g: Geometry, b: number): Row[] {
  const n = g.tokens, [th, tw] = g.tokenHW, px = th * tw, d = c.d;
  const k2 = (k: number) => k * k;
  const p = `bert.${b}`;
  const tokens = [n, d, th, tw];
  const ln = 2 * n * d * px;
  const qkv = n * px * d * 3 * d;
  const mOne = px * k2(c.attnKernel) * d * c.heads;
  const o = n * px * k2(c.outKernel) * d * d;
  const f1 = n * px * k2(c.ffKernel) * d * c.ffHidden;
  const ff = `conv ${c.ffKernel}x${c.ffKernel}`;
  return [
    row(`${p}.norm1`, "LayerNorm", tokens, ln),
    row(`${p}.attn.qkv`, `conv 1x1 ${d}->${3 * d}`, [n, 3 * d, th, tw], 3 * d * d + 3 * d, qkv),
    row(
      `${p}.attn.m`,
      `attention maps M(Q_i)+W*K_j, conv ${c.attnKernel}x${c.attnKernel} ${d}->${c.heads}`,
      [n, n, c.heads, th, tw],
      c.heads * d * k2(c.attnKernel) + c.heads,
      2 * n * mOne,
      n * n * mOne,
    ),
    row(`${p}.attn.softmax`, "softmax over j, sum_j H(i,j) V_j", tokens, 0, n * n * px * d),
    row(
      `${p}.attn.out`,
      `conv ${c.outKernel}x${c.outKernel} ${d}->${d}, residual`,
      tokens,
      d * d * k2(c.outKernel) + d,
      o,
    ),
    row(`${p}.norm2`, "LayerNorm", tokens, ln),
    row(
      `${p}.ff.conv1`,
      `${ff} ${d}->${c.ffHidden} + ReLU + BatchNorm`,
      [n, c.ffHidden, th, tw],
      c.ffHidden * d * k2(c.ffKernel) + c.ffHidden + 2 * c.ffHidden,
      f1,
    ),
    row(
      `${p}.ff.conv2`,
      `${ff} ${c.ffHidden}->${d} + ReLU + BatchNorm, residual`,
      tokens,
      d * c.ffHidden * k2(c.ffKernel) + d + 2 * d,
      f1,
    ),
  ];
}

/** Max over tokens and the dense head (§3.4, end). */
function headRows(c: ConvEntionConfig, g: Geometry): Row[] {
  const [th, tw] = g.tokenHW;
  return [
    row("max over tokens", "max", [c.d, th, tw], 0),
    row(
      "classifier.fc1",
      `dropout ${c.dropout}, dense ${g.flat}->${c.dense}, ReLU`,
      [c.dense],
      g.flat * c.dense + c.dense,
      g.flat * c.dense,
    ),
    row(
      "classifier.fc2",
      `dropout ${c.dropout}, dense ${c.dense}->${c.numClasses}`,
      [c.numClasses],
      c.dense * c.numClasses + c.numClasses,
      c.dense * c.numClasses,
    ),
  ];
}

/**
 * Summarises a configuration.
 *
 * @param c The configuration (validated here).
 * @example
 * ```ts
 * import { PRESETS } from "./config.ts";
 * import { summarize } from "./summary.ts";
 * const s = summarize(PRESETS.paper);
 * if (!(s.totalParams === 1_253_108)) throw new Error("example check failed");
 * for (const l of s.layers) console.log(l.name, l.output, l.params);
 * console.log(`${(s.flopsForward / 1e6).toFixed(1)} MFLOP per object`);
 * ```
 */
export function summarize(c: ConvEntionConfig): ModelSummary {
  const g = geometry(c);
  const rows = [
    ...cnnRows(c, g),
    row("positional encoding", "sinusoid, added", [g.tokens, c.d, ...g.tokenHW], 0),
    ...Array.from({ length: c.blocks }, (_, b) => bertRows(c, g, b)).flat(),
    ...headRows(c, g),
  ];
  const layers = rows.map((r) => r.layer);
  const macsForward = layers.reduce((s, l) => s + l.macs, 0);
  const backward = rows.reduce((s, r) => s + r.backward, 0);
  return {
    layers,
    totalParams: layers.reduce((s, l) => s + l.params, 0),
    macsForward,
    macsForwardDense: layers.reduce((s, l) => s + l.macsDense, 0),
    flopsForward: 2 * macsForward,
    flopsTrainStep: 2 * (macsForward + backward),
  };
}
