/**
 * WebGPU kernel: second pass of a split-K reduction, `out[i] = sum over s of
 * partial[s, i]` for `partial` `[splits, size]` (one thread per output, at
 * most 4,096 terms each).
 *
 * @module
 */
import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

/** TF.js program of the split sum; input `partial` `[splits, size]`; output `[size]`. */
export class SplitKReduceProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ["partial"];
  workgroupSize: [number, number, number] = [64, 1, 1];
  private readonly splits: number;
  private readonly outSize: number;

  /** @param splits Number of partial sums. @param size Outputs. */
  constructor(splits: number, size: number) {
    this.splits = splits;
    this.outSize = size;
    this.outputShape = [size];
    const groups = Math.ceil(size / 64);
    const x = Math.min(groups, 32768);
    this.dispatch = [x, Math.ceil(groups / x), 1];
    this.shaderKey = `splitk_${splits}_${size}`;
  }

  /** WGSL after TF.js's preamble. */
  getUserCode(): string {
    return `
fn main(index : i32) {
  _ = uniforms.NAN; // TF.js binds its uniforms: keep them in the layout
  if (index >= ${this.outSize}) { return; }
  var acc = 0.0;
  for (var s = 0; s < ${this.splits}; s = s + 1) {
    acc = acc + partial[s * ${this.outSize} + index];
  }
  result[index] = acc;
}`;
  }
}
