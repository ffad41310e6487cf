/**
 * WebGPU kernel: the input gradient of a 2D convolution as an implicit GEMM
 * over the output gradient (`dx[n, ih, iw, ci] = sum over kh, kw, co of
 * dy[n, (ih + pt - kh) / sh, (iw + pl - kw) / sw, co] w[kh, kw, ci, co]`,
 * terms whose division is not exact or falls outside `dy` being zero): no
 * dilated or padded copy of `dy`, no flipped copy of the kernel.
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import {
  type ConvGeometry,
  geometryConstants,
  geometryKey,
  inputGradGemm,
} from "./conv_geometry.ts";
import { gemmShader, rowDispatch, tilesKey } from "./gemm_shader.ts";
import { type Tiles, validateTiles } from "./tiles.ts";

/** TF.js program of the input gradient; inputs `dy`, `W`; output `[n h w, ci]`. */
export class ConvInputGradProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  variableNames = ["dy", "W"];
  workgroupSize: [number, number, number];
  uniforms = "steps : i32,";
  /** Tile steps over the depth: a uniform, so that no compiler unrolls the main loop. */
  readonly steps: number;
  private readonly g: ConvGeometry;
  private readonly t: Tiles;

  /** @param g Geometry of the forward convolution. @param t Tiles. */
  constructor(g: ConvGeometry, t: Tiles) {
    validateTiles(t);
    const s = inputGradGemm(g);
    this.g = g;
    this.t = t;
    this.outputShape = [s.rows, s.cols];
    this.workgroupSize = [t.tn / t.rn, t.tm / t.rm, 1];
    this.steps = Math.ceil(s.depth / t.tk);
    this.dispatch = rowDispatch(s.rows, s.cols, t);
    this.shaderKey = `cvdx_${geometryKey(g)}_${tilesKey(t)}`;
  }

  /** WGSL after TF.js's preamble. */
  getUserCode(): string {
    const s = inputGradGemm(this.g);
    const helpers = `
${geometryConstants(this.g)}
const M = ${s.rows};
const K = ${s.depth};
fn loadA(m : i32, k : i32) -> f32 {
  if (m >= M || k >= K) { return 0.0; }
  let n = m / (IH * IW);
  let r = m - n * (IH * IW);
  let ih = r / IW;
  let iw = r - ih * IW;
  let tap = k / CO;
  let co = k - tap * CO;
  let kh = tap / KW;
  let kw = tap - kh * KW;
  let th = ih + PT - kh;
  let tw = iw + PL - kw;
  if (th < 0 || tw < 0) { return 0.0; }
  let oh = th / SH;
  let ow = tw / SW;
  if (oh * SH != th || ow * SW != tw || oh >= OH || ow >= OW) { return 0.0; }
  return dy[((n * OH + oh) * OW + ow) * CO + co];
}
fn loadB(k : i32, c : i32) -> f32 {
  if (k >= K || c >= CI) { return 0.0; }
  let tap = k / CO;
  let co = k - tap * CO;
  return W[(tap * CI + c) * CO + co];
}
fn store(m : i32, c : i32, v : f32) {
  if (m >= M || c >= CI) { return; }
  result[m * CI + c] = v;
}`;
    const origin =
      "let row0 = (i32(workgroupId.z) * i32(numWorkgroups.y) + i32(workgroupId.y)) * TM;\n  let kBegin = 0;";
    return gemmShader(this.t, { helpers, origin });
  }
}
