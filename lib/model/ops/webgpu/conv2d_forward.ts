/**
 * WebGPU kernel: the forward 2D convolution as an implicit GEMM
 * (`out[n, oh, ow, co] = sum over kh, kw, ci of x[n, oh sh - pt + kh,
 * ow sw - pl + kw, ci] w[kh, kw, ci, co]`), with an optional fused epilogue:
 * bias per output channel, then ReLU.
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { type ConvGeometry, forwardGemm, geometryConstants, geometryKey } from "./conv_geometry.ts";
import { gemmShader, rowDispatch, tilesKey } from "./gemm_shader.ts";
import { type Tiles, validateTiles } from "./tiles.ts";

/** Epilogue of {@link ConvForwardProgram}. */
export interface ForwardEpilogue {
  /** Add a bias `[co]` (third input). */
  bias: boolean;
  /** Apply ReLU after the bias. */
  relu: boolean;
}

/** TF.js program of the forward convolution; output `[n ho wo, co]`. */
export class ConvForwardProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  uniforms = "steps : i32,";
  /** Tile steps over the depth: a uniform, so that no compiler unrolls the main loop. */
  readonly steps: number;
  private readonly g: ConvGeometry;
  private readonly t: Tiles;
  private readonly ep: ForwardEpilogue;

  /** @param g Geometry. @param t Tiles. @param ep Fused bias / ReLU. */
  constructor(g: ConvGeometry, t: Tiles, ep: ForwardEpilogue) {
    validateTiles(t);
    const s = forwardGemm(g);
    this.g = g;
    this.t = t;
    this.ep = ep;
    this.outputShape = [s.rows, s.cols];
    this.variableNames = ep.bias ? ["x", "W", "bias"] : ["x", "W"];
    this.workgroupSize = [t.tn / t.rn, t.tm / t.rm, 1];
    this.steps = Math.ceil(s.depth / t.tk);
    this.dispatch = rowDispatch(s.rows, s.cols, t);
    this.shaderKey = `cvfwd_${geometryKey(g)}_${tilesKey(t)}_${ep.bias}_${ep.relu}`;
  }

  /** WGSL after TF.js's preamble. */
  getUserCode(): string {
    const s = forwardGemm(this.g);
    const helpers = `
${geometryConstants(this.g)}
const M = ${s.rows};
const K = ${s.depth};
fn loadA(m : i32, k : i32) -> f32 {
  if (m >= M || k >= K) { return 0.0; }
  let n = m / (OH * OW);
  let r = m - n * (OH * OW);
  let oh = r / OW;
  let ow = r - oh * OW;
  let kh = k / (KW * CI);
  let r2 = k - kh * (KW * CI);
  let kw = r2 / CI;
  let ci = r2 - kw * CI;
  let ih = oh * SH - PT + kh;
  let iw = ow * SW - PL + kw;
  if (ih < 0 || ih >= IH || iw < 0 || iw >= IW) { return 0.0; }
  return x[((n * IH + ih) * IW + iw) * CI + ci];
}
fn loadB(k : i32, c : i32) -> f32 {
  if (k >= K || c >= CO) { return 0.0; }
  return W[k * CO + c];
}
fn store(m : i32, c : i32, v : f32) {
  if (m >= M || c >= CO) { return; }
  var o = v;
  ${this.ep.bias ? "o = o + bias[c];" : ""}
  ${this.ep.relu ? "o = max(o, 0.0);" : ""}
  result[m * CO + c] = o;
}`;
    const origin =
      "let row0 = (i32(workgroupId.z) * i32(numWorkgroups.y) + i32(workgroupId.y)) * TM;\n  let kBegin = 0;";
    return gemmShader(this.t, { helpers, origin });
  }
}
