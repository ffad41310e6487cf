/**
 * WebGPU kernels of a fused Adam / AdamW update over flat buffers: every
 * parameter, gradient and moment of the model in one tensor each, so that an
 * update is two dispatches instead of about a dozen per variable.
 *
 * - {@link AdamMomentsProgram}: `S = [m ; v]` (`[2 * total]`), gradient `G`
 *   (`[total]`) -> `[m' ; v']` with `m' = b1 m + (1 - b1) g`,
 *   `v' = b2 v + (1 - b2) g^2`;
 *   (`1 - b` is computed in float64 and passed in: `1 - b2` in f32 loses
 *   1.3e-5 of its value);
 * - {@link AdamParamsProgram}: parameters `P`, new moments -> `P'` with
 *   `p' = p (1 - lr wd) - stepSize m' / (sqrt(v') / sqrt(1 - b2^t) + eps)`
 *   (the update of `lib/model`'s Adam, in f32).
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

function flatDispatch(size: number): [number, number, number] {
  const groups = Math.ceil(size / 64);
  const x = Math.min(groups, 32768);
  return [x, Math.ceil(groups / x), 1];
}

/** Moments update; inputs `S` `[2 total]`, `G` `[total]`; output `[2 total]`. */
export class AdamMomentsProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ["S", "G"];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = "beta1 : f32, beta2 : f32, oneMinusBeta1 : f32, oneMinusBeta2 : f32,";
  private readonly total: number;

  /** @param total Number of parameters. */
  constructor(total: number) {
    this.total = total;
    this.outputShape = [2 * total];
    this.dispatch = flatDispatch(2 * total);
    this.shaderKey = `adam_moments_${total}`;
  }

  /** WGSL after TF.js's preamble. */
  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index >= ${2 * this.total}) { return; }
  if (index < ${this.total}) {
    let g = G[index];
    result[index] = uniforms.beta1 * S[index] + uniforms.oneMinusBeta1 * g;
  } else {
    let g = G[index - ${this.total}];
    result[index] = uniforms.beta2 * S[index] + uniforms.oneMinusBeta2 * g * g;
  }
}`;
  }
}

/** Parameter update; inputs `P` `[total]`, `S` `[2 total]` (new moments); output `[total]`. */
export class AdamParamsProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ["P", "S"];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = "decay : f32, stepSize : f32, sqrtBc2 : f32, eps : f32,";
  private readonly total: number;

  /** @param total Number of parameters. */
  constructor(total: number) {
    this.total = total;
    this.outputShape = [total];
    this.dispatch = flatDispatch(total);
    this.shaderKey = `adam_params_${total}`;
  }

  /** WGSL after TF.js's preamble. */
  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index >= ${this.total}) { return; }
  let m = S[index];
  let v = S[index + ${this.total}];
  let denom = sqrt(v) / uniforms.sqrtBc2 + uniforms.eps;
  result[index] = P[index] * uniforms.decay - (m / denom) * uniforms.stepSize;
}`;
  }
}
