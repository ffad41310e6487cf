/**
 * The geometry of one 2D convolution (NHWC input `[n, h, w, ci]`, kernel
 * `[kh, kw, ci, co]`, explicit padding, stride, no dilation) as the WebGPU
 * kernels bake it into their shaders, and the three implicit GEMMs it
 * defines (forward, input gradient, kernel gradient).
 *
 * @module
 */
import type { GemmShape } from "./tiles.ts";

/** Sizes of a convolution; `ho`, `wo` follow the floor convention. */
export interface ConvGeometry {
  /** Batch. */
  n: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Input channels. */
  ci: number;
  /** Kernel height. */
  kh: number;
  /** Kernel width. */
  kw: number;
  /** Output channels. */
  co: number;
  /** Stride along rows. */
  sh: number;
  /** Stride along columns. */
  sw: number;
  /** Zero rows added on top. */
  pt: number;
  /** Zero columns added on the left. */
  pl: number;
  /** Output height. */
  ho: number;
  /** Output width. */
  wo: number;
}

/**
 * Geometry from the tensor shapes, stride and padding `[[top, bottom], [left, right]]`.
 *
 * @param x `[n, h, w, ci]`.
 * @param k `[kh, kw, ci, co]`.
 */
export function convGeometry(
  x: readonly number[],
  k: readonly number[],
  stride: readonly [number, number],
  pad: readonly (readonly [number, number])[],
): ConvGeometry {
  const [n, h, w, ci] = x as [number, number, number, number];
  const [kh, kw, , co] = k as [number, number, number, number];
  const ho = Math.floor((h + pad[0]![0] + pad[0]![1] - kh) / stride[0]) + 1;
  const wo = Math.floor((w + pad[1]![0] + pad[1]![1] - kw) / stride[1]) + 1;
  return {
    n,
    h,
    w,
    ci,
    kh,
    kw,
    co,
    sh: stride[0],
    sw: stride[1],
    pt: pad[0]![0],
    pl: pad[1]![0],
    ho,
    wo,
  };
}

/** Forward: rows = output pixels, cols = output channels, depth = taps x input channels. */
export function forwardGemm(g: ConvGeometry): GemmShape {
  return { rows: g.n * g.ho * g.wo, cols: g.co, depth: g.kh * g.kw * g.ci };
}

/** Input gradient: rows = input pixels, cols = input channels, depth = taps x output channels. */
export function inputGradGemm(g: ConvGeometry): GemmShape {
  return { rows: g.n * g.h * g.w, cols: g.ci, depth: g.kh * g.kw * g.co };
}

/** Kernel gradient: rows = taps x input channels, cols = output channels, depth = output pixels. */
export function filterGradGemm(g: ConvGeometry): GemmShape {
  return { rows: g.kh * g.kw * g.ci, cols: g.co, depth: g.n * g.ho * g.wo };
}

/** WGSL constants of a geometry (names upper case; `IW` for the input width). */
export function geometryConstants(g: ConvGeometry): string {
  const c: Record<string, number> = {
    BN: g.n,
    IH: g.h,
    IW: g.w,
    CI: g.ci,
    KH: g.kh,
    KW: g.kw,
    CO: g.co,
    SH: g.sh,
    SW: g.sw,
    PT: g.pt,
    PL: g.pl,
    OH: g.ho,
    OW: g.wo,
  };
  return Object.entries(c).map(([k, v]) => `const ${k} = ${v};`).join("\n");
}

/** Cache key of a geometry. */
export function geometryKey(g: ConvGeometry): string {
  return [g.n, g.h, g.w, g.ci, g.kh, g.kw, g.co, g.sh, g.sw, g.pt, g.pl].join("_");
}
