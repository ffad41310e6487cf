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
import { type ConvEntionConfig, geometry } from "./config.ts";

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
  const n = g.tokens, [th, tw] = g.tokenHW, px = th * tw, d = c.d;
  const layers: LayerSummary[] = [];
  let backward = 0;
  const add = (l: LayerSummary, backwardMacs = 2 * l.macs) => {
    layers.push(l);
    backward += backwardMacs;
  };
  add({
    name: "embedding",
    kind: `band embedding ${c.bandRows} x ${c.stamp * c.stamp}`,
    output: [c.length, c.stamp, c.stamp],
    params: c.bandRows * c.stamp * c.stamp,
    macs: 0,
    macsDense: 0,
  });
  g.cnn.forEach((l, i) => {
    const [kh, kw, kt] = l.spec.kernel;
    const [to, ho, wo] = l.outShape;
    const out = l.spec.out;
    const taps = l.tapGroups.reduce((s, gr) => s + gr.outTimes.length * gr.taps.length, 0);
    const perTap = ho * wo * kh * kw * out;
    let macs: number, pixel = 0;
    if (i === 0) {
      pixel = n * taps * perTap; // pixel channel
      const embed = n * to * kt * c.bandRows * ho * wo * out; // one-hot product
      macs = pixel + embed;
    } else {
      macs = n * taps * perTap * l.inC;
    }
    add(
      {
        name: `cnn.${i}.conv`,
        kind:
          `conv3d ${l.inC}->${out} k(${l.spec.kernel}) s(${l.spec.stride}) p(${l.spec.padding})`,
        output: [n, out, ho, wo, to],
        params: out * l.inC * kh * kw * kt + out,
        macs,
        macsDense: n * to * ho * wo * kh * kw * kt * l.inC * out,
      },
      2 * macs - pixel,
    );
    add({
      name: `cnn.${i}.bn`,
      kind: "BatchNorm3d + ReLU",
      output: [n, out, ho, wo, to],
      params: 2 * out,
      macs: 0,
      macsDense: 0,
    });
  });
  add({
    name: "positional encoding",
    kind: "sinusoid, added",
    output: [n, d, th, tw],
    params: 0,
    macs: 0,
    macsDense: 0,
  });
  const k2 = (k: number) => k * k;
  for (let b = 0; b < c.blocks; b++) {
    const p = `bert.${b}`;
    const ln = 2 * n * d * px;
    add({
      name: `${p}.norm1`,
      kind: "LayerNorm",
      output: [n, d, th, tw],
      params: ln,
      macs: 0,
      macsDense: 0,
    });
    const qkv = n * px * d * 3 * d;
    add({
      name: `${p}.attn.qkv`,
      kind: `conv 1x1 ${d}->${3 * d}`,
      output: [n, 3 * d, th, tw],
      params: 3 * d * d + 3 * d,
      macs: qkv,
      macsDense: qkv,
    });
    const mOne = px * k2(c.attnKernel) * d * c.heads;
    add({
      name: `${p}.attn.m`,
      kind: `attention maps M(Q_i)+W*K_j, conv ${c.attnKernel}x${c.attnKernel} ${d}->${c.heads}`,
      output: [n, n, c.heads, th, tw],
      params: c.heads * d * k2(c.attnKernel) + c.heads,
      macs: 2 * n * mOne,
      macsDense: n * n * mOne,
    });
    add({
      name: `${p}.attn.softmax`,
      kind: "softmax over j, sum_j H(i,j) V_j",
      output: [n, d, th, tw],
      params: 0,
      macs: n * n * px * d,
      macsDense: n * n * px * d,
    });
    const o = n * px * k2(c.outKernel) * d * d;
    add({
      name: `${p}.attn.out`,
      kind: `conv ${c.outKernel}x${c.outKernel} ${d}->${d}, residual`,
      output: [n, d, th, tw],
      params: d * d * k2(c.outKernel) + d,
      macs: o,
      macsDense: o,
    });
    add({
      name: `${p}.norm2`,
      kind: "LayerNorm",
      output: [n, d, th, tw],
      params: ln,
      macs: 0,
      macsDense: 0,
    });
    const f1 = n * px * k2(c.ffKernel) * d * c.ffHidden;
    add({
      name: `${p}.ff.conv1`,
      kind: `conv ${c.ffKernel}x${c.ffKernel} ${d}->${c.ffHidden} + ReLU + BatchNorm`,
      output: [n, c.ffHidden, th, tw],
      params: c.ffHidden * d * k2(c.ffKernel) + c.ffHidden + 2 * c.ffHidden,
      macs: f1,
      macsDense: f1,
    });
    add({
      name: `${p}.ff.conv2`,
      kind: `conv ${c.ffKernel}x${c.ffKernel} ${c.ffHidden}->${d} + ReLU + BatchNorm, residual`,
      output: [n, d, th, tw],
      params: d * c.ffHidden * k2(c.ffKernel) + d + 2 * d,
      macs: f1,
      macsDense: f1,
    });
  }
  add({
    name: "max over tokens",
    kind: "max",
    output: [d, th, tw],
    params: 0,
    macs: 0,
    macsDense: 0,
  });
  add({
    name: "classifier.fc1",
    kind: `dropout ${c.dropout}, dense ${g.flat}->${c.dense}, ReLU`,
    output: [c.dense],
    params: g.flat * c.dense + c.dense,
    macs: g.flat * c.dense,
    macsDense: g.flat * c.dense,
  });
  add({
    name: "classifier.fc2",
    kind: `dropout ${c.dropout}, dense ${c.dense}->${c.numClasses}`,
    output: [c.numClasses],
    params: c.dense * c.numClasses + c.numClasses,
    macs: c.dense * c.numClasses,
    macsDense: c.dense * c.numClasses,
  });
  const macsForward = layers.reduce((s, l) => s + l.macs, 0);
  return {
    layers,
    totalParams: layers.reduce((s, l) => s + l.params, 0),
    macsForward,
    macsForwardDense: layers.reduce((s, l) => s + l.macsDense, 0),
    flopsForward: 2 * macsForward,
    flopsTrainStep: 2 * (macsForward + backward),
  };
}
