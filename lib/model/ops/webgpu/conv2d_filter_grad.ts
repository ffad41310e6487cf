/**
 * WebGPU kernel: the kernel gradient of a 2D convolution, first pass of a
 * split-K reduction (`dw[kh, kw, ci, co] = sum over n, oh, ow of
 * x[n, oh sh - pt + kh, ow sw - pl + kw, ci] dy[n, oh, ow, co]`). The
 * reduction over batch x output pixels is cut into chunks; workgroup z
 * computes the partial sums of chunk z into `[splits, kh kw ci, co]`, which
 * `split_k_reduce.ts` sums. No thread sums more than one chunk.
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import {
  type ConvGeometry,
  filterGradGemm,
  geometryConstants,
  geometryKey,
} from "./conv_geometry.ts";
import { gemmShader, tilesKey } from "./gemm_shader.ts";
import { defaultChunk, MAX_SHADER_LOOP, type Tiles, validateTiles } from "./tiles.ts";

/** Chunk length and number of splits for a reduction of `depth` (at most 4,096 splits). */
export function splitPlan(depth: number, t: Tiles): { chunk: number; splits: number } {
  let chunk = t.chunk ?? defaultChunk(depth, t.tk);
  if (Math.ceil(depth / chunk) > MAX_SHADER_LOOP) {
    chunk = Math.ceil(depth / MAX_SHADER_LOOP / t.tk) * t.tk;
  }
  return { chunk, splits: Math.ceil(depth / chunk) };
}

/** TF.js program of the partial kernel gradients; inputs `x`, `dy`; output `[splits, rows, co]`. */
export class ConvFilterGradProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  variableNames = ["x", "dy"];
  workgroupSize: [number, number, number];
  uniforms = "steps : i32,";
  /** Tile steps over the depth: a uniform, so that no compiler unrolls the main loop. */
  readonly steps: number;
  private readonly g: ConvGeometry;
  private readonly t: Tiles;
  private readonly chunk: number;

  /** @param g Geometry of the forward convolution. @param t Tiles (with the chunk). */
  constructor(g: ConvGeometry, t: Tiles) {
    validateTiles(t);
    const s = filterGradGemm(g);
    const { chunk, splits } = splitPlan(s.depth, t);
    this.g = g;
    this.t = t;
    this.chunk = chunk;
    this.outputShape = [splits, s.rows, s.cols];
    this.workgroupSize = [t.tn / t.rn, t.tm / t.rm, 1];
    this.steps = chunk / t.tk;
    this.dispatch = [Math.ceil(s.cols / t.tn), Math.ceil(s.rows / t.tm), splits];
    this.shaderKey = `cvdw_${geometryKey(this.g)}_${tilesKey(t)}_${chunk}`;
  }

  /** WGSL after TF.js's preamble. */
  getUserCode(): string {
    const s = filterGradGemm(this.g);
    const helpers = `
${geometryConstants(this.g)}
const M = ${s.rows};
const K = ${s.depth};
const CHUNK = ${this.chunk};
var<private> kEnd : i32;
var<private> split : i32;
fn loadA(m : i32, k : i32) -> f32 {
  if (m >= M || k >= kEnd) { return 0.0; }
  let kh = m / (KW * CI);
  let r = m - kh * (KW * CI);
  let kw = r / CI;
  let ci = r - kw * CI;
  let n = k / (OH * OW);
  let r2 = k - n * (OH * OW);
  let oh = r2 / OW;
  let ow = r2 - oh * OW;
  let ih = oh * SH - PT + kh;
  let iw = ow * SW - PL + kw;
  if (ih < 0 || ih >= IH || iw < 0 || iw >= IW) { return 0.0; }
  return x[((n * IH + ih) * IW + iw) * CI + ci];
}
fn loadB(k : i32, c : i32) -> f32 {
  if (k >= kEnd || c >= CO) { return 0.0; }
  return dy[k * CO + c];
}
fn store(m : i32, c : i32, v : f32) {
  if (m >= M || c >= CO) { return; }
  result[(split * M + m) * CO + c] = v;
}`;
    const origin = `let row0 = i32(workgroupId.y) * TM;
  split = i32(workgroupId.z);
  let kBegin = split * CHUNK;
  kEnd = min(kBegin + CHUNK, K);`;
    return gemmShader(this.t, { helpers, origin });
  }
}
