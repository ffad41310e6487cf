/**
 * ConvEntion configuration: plain JSON objects, the presets, validation and
 * the derived geometry (every tensor shape of the network).
 *
 * @module
 */
import { ModelConfigError } from "./errors.ts";

/** One 3D convolution of the 3D-CNN (paper §3.2), in the authors' (h, w, t) order. */
export interface Conv3dSpec {
  /** Output channels. */
  out: number;
  /** Kernel `[kh, kw, kt]`. */
  kernel: [number, number, number];
  /** Stride `[sh, sw, st]`. */
  stride: [number, number, number];
  /** Zero padding `[ph, pw, pt]` (both sides). */
  padding: [number, number, number];
}

/** Everything needed to build a ConvEntion network (JSON-serialisable). */
export interface ConvEntionConfig {
  /** Stamp side h = w in pixels (the data pipeline centre-crops to it). */
  stamp: number;
  /** Frames per object l (cut or padded by the data pipeline). */
  length: number;
  /** Frames per 3D-CNN group g; tokens n = l / g. */
  group: number;
  /** Rows of the band embedding (10 in the paper; row 0 = padding). */
  bandRows: number;
  /** Bands the data pipeline feeds (ids u,g,r,i,z = 1..5); documentation for the pipeline. */
  bands: string[];
  /** The 3D-CNN layers; the time axis must collapse to 1 and the last `out` must equal `d`. */
  cnn: Conv3dSpec[];
  /** Token channels d. */
  d: number;
  /** Attention heads; d must be a multiple. */
  heads: number;
  /** Convolutional BERT blocks. */
  blocks: number;
  /** Kernel of M, the attention-map convolution (5 in the paper; padding k/2). */
  attnKernel: number;
  /** Kernel of the attention output convolution (3). */
  outKernel: number;
  /** Kernel of the feed-forward convolutions (3). */
  ffKernel: number;
  /** Feed-forward hidden channels (16). */
  ffHidden: number;
  /** Hidden units of the dense head (256). */
  dense: number;
  /** Dropout rate of the head (0.3 in the paper). */
  dropout: number;
  /** Number of classes C. */
  numClasses: number;
}

const PAPER: ConvEntionConfig = {
  stamp: 32,
  length: 99,
  group: 3,
  bandRows: 10,
  bands: ["u", "g", "r", "i", "z"],
  cnn: [
    { out: 64, kernel: [11, 11, 3], stride: [2, 2, 2], padding: [2, 2, 2] },
    { out: 128, kernel: [5, 5, 3], stride: [1, 1, 1], padding: [2, 2, 2] },
    { out: 64, kernel: [3, 3, 3], stride: [1, 1, 1], padding: [0, 0, 0] },
    { out: 8, kernel: [3, 3, 3], stride: [1, 1, 1], padding: [0, 0, 0] },
  ],
  d: 8,
  heads: 4,
  blocks: 2,
  attnKernel: 5,
  outKernel: 3,
  ffKernel: 3,
  ffHidden: 16,
  dense: 256,
  dropout: 0.3,
  numClasses: 4,
};

/**
 * The presets.
 *
 * - `paper`: the authors' network (32x32, l = 99, g = 3, 33 tokens [8, 9, 9],
 *   2 blocks x 4 heads, head 648 -> 256 -> C); 1,253,108 parameters for C = 4.
 * - `paper-g`: the same network for the paper's g-band-only experiment.
 * - `cpu`: the same structure sized for 2 CPU cores (see docs/model.md):
 *   16x16 centre crop, l = 48 (16 tokens [8, 6, 6]); the first conv3d spans
 *   the 3 frames of a group (time kernel 3, no time padding), the next two
 *   refine each token spatially; same attention, feed-forward and head.
 * - `tiny`: for tests (seconds), with the paper's strided first layer.
 *
 * @example Build a variant of a preset
 * ```ts
 * import { PRESETS } from "./config.ts";
 * import { summarize } from "./summary.ts";
 * if (!(PRESETS.paper.stamp === 32 && PRESETS.paper.length === 99)) throw new Error("example check failed");
 * const threeClasses = { ...PRESETS.cpu, numClasses: 3, dropout: 0.1 };
 * console.log(summarize(threeClasses).totalParams);
 * ```
 */
export const PRESETS: Record<"paper" | "paper-g" | "cpu" | "tiny", ConvEntionConfig> = {
  paper: PAPER,
  "paper-g": { ...PAPER, bands: ["g"] },
  cpu: {
    ...PAPER,
    stamp: 16,
    length: 48,
    cnn: [
      { out: 16, kernel: [5, 5, 3], stride: [2, 2, 1], padding: [2, 2, 0] },
      { out: 16, kernel: [3, 3, 1], stride: [1, 1, 1], padding: [1, 1, 0] },
      { out: 8, kernel: [3, 3, 1], stride: [1, 1, 1], padding: [0, 0, 0] },
    ],
    dense: 64,
  },
  tiny: {
    ...PAPER,
    stamp: 12,
    length: 12,
    cnn: [
      { out: 4, kernel: [5, 5, 3], stride: [2, 2, 2], padding: [2, 2, 2] },
      { out: 6, kernel: [3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 2] },
      { out: 4, kernel: [3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 0] },
      { out: 4, kernel: [3, 3, 3], stride: [1, 1, 1], padding: [0, 0, 0] },
    ],
    d: 4,
    heads: 2,
    ffHidden: 8,
    dense: 16,
  },
};

/** Names of the presets. */
export type PresetName = keyof typeof PRESETS;

/** The output times of one 3D conv that share the same valid kernel taps. */
export interface TapGroup {
  /** Output time indices of the group. */
  outTimes: number[];
  /** Valid time taps k (input time = t_out * st - pt + k lies inside the group). */
  taps: number[];
}

/** Shapes of one 3D-CNN layer (per group of g frames). */
export interface Cnn3dLayerGeometry {
  /** The layer's specification. */
  spec: Conv3dSpec;
  /** Input channels. */
  inC: number;
  /** Input `[t, h, w]`. */
  inShape: [number, number, number];
  /** Output `[t, h, w]`. */
  outShape: [number, number, number];
  /** Output times grouped by their valid taps (zero-padding taps are skipped). */
  tapGroups: TapGroup[];
}

/** Every derived shape of a ConvEntion network. */
export interface Geometry {
  /** Tokens n = l / g. */
  tokens: number;
  /** Token spatial size `[h', w']`. */
  tokenHW: [number, number];
  /** The 3D-CNN layers. */
  cnn: Cnn3dLayerGeometry[];
  /** Head input size d * h' * w'. */
  flat: number;
}

function convOut(size: number, k: number, s: number, p: number): number {
  return Math.floor((size + 2 * p - k) / s) + 1;
}

/** Groups the output times of a time convolution by their valid taps. */
export function planTimeTaps(t: number, kt: number, st: number, pt: number): TapGroup[] {
  const tOut = convOut(t, kt, st, pt);
  const groups = new Map<string, TapGroup>();
  for (let to = 0; to < tOut; to++) {
    const taps: number[] = [];
    for (let k = 0; k < kt; k++) {
      const ti = to * st - pt + k;
      if (ti >= 0 && ti < t) taps.push(k);
    }
    const key = taps.join(",");
    const g = groups.get(key);
    if (g) g.outTimes.push(to);
    else groups.set(key, { outTimes: [to], taps });
  }
  return [...groups.values()];
}

function positiveInt(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new ModelConfigError(
      `Model config field "${field}" must be a positive integer, got ${v}`,
    );
  }
  return v;
}

function nonNegInt(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new ModelConfigError(
      `Model config field "${field}" must be a non-negative integer, got ${v}`,
    );
  }
  return v;
}

/**
 * Checks a configuration and derives every shape; throws a
 * {@link ModelConfigError} naming the field at fault.
 *
 * @param c The configuration.
 * @returns The geometry.
 */
export function geometry(c: ConvEntionConfig): Geometry {
  for (
    const f of [
      "stamp",
      "length",
      "group",
      "bandRows",
      "d",
      "heads",
      "blocks",
      "attnKernel",
      "outKernel",
      "ffKernel",
      "ffHidden",
      "dense",
      "numClasses",
    ] as const
  ) positiveInt(c[f], f);
  if (c.length % c.group !== 0) {
    throw new ModelConfigError(
      `Model config: length ${c.length} is not a multiple of group ${c.group}`,
      { hint: "tokens n = length / group must be an integer" },
    );
  }
  if (c.d % c.heads !== 0) {
    throw new ModelConfigError(`Model config: d ${c.d} is not a multiple of heads ${c.heads}`);
  }
  for (const f of ["attnKernel", "outKernel", "ffKernel"] as const) {
    if (c[f] % 2 !== 1) {
      throw new ModelConfigError(
        `Model config field "${f}" must be odd (same padding), got ${c[f]}`,
      );
    }
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) {
    throw new ModelConfigError(`Model config field "dropout" must be in [0, 1), got ${c.dropout}`);
  }
  if (!Array.isArray(c.cnn) || c.cnn.length === 0) {
    throw new ModelConfigError(`Model config field "cnn" must list at least one conv3d layer`);
  }
  let shape: [number, number, number] = [c.group, c.stamp, c.stamp];
  let inC = 2;
  const layers: Cnn3dLayerGeometry[] = [];
  c.cnn.forEach((spec, i) => {
    const f = `cnn[${i}]`;
    positiveInt(spec.out, `${f}.out`);
    const [kh, kw, kt] = spec.kernel.map((v, j) => positiveInt(v, `${f}.kernel[${j}]`));
    const [sh, sw, st] = spec.stride.map((v, j) => positiveInt(v, `${f}.stride[${j}]`));
    const [ph, pw, pt] = spec.padding.map((v, j) => nonNegInt(v, `${f}.padding[${j}]`));
    const out: [number, number, number] = [
      convOut(shape[0], kt!, st!, pt!),
      convOut(shape[1], kh!, sh!, ph!),
      convOut(shape[2], kw!, sw!, pw!),
    ];
    if (out.some((v) => v < 1)) {
      throw new ModelConfigError(
        `Model config ${f}: input [t, h, w] = [${shape}] gives an empty output [${out}]`,
      );
    }
    layers.push({
      spec,
      inC,
      inShape: shape,
      outShape: out,
      tapGroups: planTimeTaps(shape[0], kt!, st!, pt!),
    });
    shape = out;
    inC = spec.out;
  });
  if (shape[0] !== 1) {
    throw new ModelConfigError(
      `Model config: the 3D-CNN leaves ${shape[0]} time steps per group; it must collapse to 1`,
      { hint: "adjust the time kernels, strides or paddings of the cnn layers" },
    );
  }
  if (inC !== c.d) {
    throw new ModelConfigError(`Model config: the last cnn layer has ${inC} channels, d is ${c.d}`);
  }
  return {
    tokens: c.length / c.group,
    tokenHW: [shape[1], shape[2]],
    cnn: layers,
    flat: c.d * shape[1] * shape[2],
  };
}
