/**
 * Registers the convolution kernels of this folder for TF.js's `webgpu`
 * backend under their own names (TF.js's `Conv2D*` kernels stay as they are,
 * for other callers and as the fallback), and runs them as TF.js ops, so that
 * the engine tracks their memory and `tf.profile` sees them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { type ConvGeometry, filterGradGemm, forwardGemm, inputGradGemm } from "./conv_geometry.ts";
import { ConvForwardProgram } from "./conv2d_forward.ts";
import { ConvInputGradProgram } from "./conv2d_input_grad.ts";
import { ConvFilterGradProgram } from "./conv2d_filter_grad.ts";
import { SplitKReduceProgram } from "./split_k_reduce.ts";
import { type ConvKernel, type DeviceFamily, type Tiles, tilesFor } from "./tiles.ts";

/** Kernel names registered for `webgpu`. */
export const KERNELS = {
  forward: "ConvEntionConv2dForward",
  input: "ConvEntionConv2dInputGrad",
  filter: "ConvEntionConv2dFilterGrad",
} as const;

type Attrs = { geometry: ConvGeometry; tiles?: Tiles; relu?: boolean };

function attrsOf(a: tf.NamedAttrMap): Attrs {
  return a as unknown as Attrs;
}

/** The device family of a webgpu backend (Deno exposes `device.adapterInfo.isFallbackAdapter`). */
export function deviceFamily(backend: WebGPUBackend): DeviceFamily {
  const info = (backend.device as unknown as { adapterInfo?: { isFallbackAdapter?: boolean } })
    .adapterInfo;
  return info?.isFallbackAdapter ? "software" : "gpu";
}

let observer: ((kernel: ConvKernel, g: ConvGeometry) => void) | null = null;

/**
 * Calls `f` with every convolution our kernels run until called again with
 * null (the GPU check collects the model's shapes this way).
 *
 * @param f Observer, or null to stop.
 */
export function observeConvs(f: ((kernel: ConvKernel, g: ConvGeometry) => void) | null): void {
  observer = f;
}

function stepsUniform(p: { steps: number }): { type: string; data: number[] }[] {
  return [{ type: "int32", data: [p.steps] }];
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const a = attrsOf(attrs!);
  observer?.("forward", a.geometry);
  const t = a.tiles ??
    tilesFor("forward", forwardGemm(a.geometry), deviceFamily(backend as WebGPUBackend));
  const bias = inputs.bias;
  const prog = new ConvForwardProgram(a.geometry, t, { bias: !!bias, relu: !!a.relu });
  const ins = [inputs.x!, inputs.W!, ...(bias ? [bias] : [])];
  return (backend as WebGPUBackend).runWebGPUProgram(prog, ins, "float32", stepsUniform(prog));
};

const inputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const a = attrsOf(attrs!);
  observer?.("input", a.geometry);
  const t = a.tiles ??
    tilesFor("input", inputGradGemm(a.geometry), deviceFamily(backend as WebGPUBackend));
  const prog = new ConvInputGradProgram(a.geometry, t);
  return (backend as WebGPUBackend).runWebGPUProgram(
    prog,
    [inputs.dy!, inputs.W!],
    "float32",
    stepsUniform(prog),
  );
};

const filterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const a = attrsOf(attrs!);
  observer?.("filter", a.geometry);
  const s = filterGradGemm(a.geometry);
  const t = a.tiles ?? tilesFor("filter", s, deviceFamily(backend as WebGPUBackend));
  const b = backend as WebGPUBackend;
  const prog = new ConvFilterGradProgram(a.geometry, t);
  const partial = b.runWebGPUProgram(prog, [inputs.x!, inputs.dy!], "float32", stepsUniform(prog));
  const splits = prog.outputShape[0]!;
  if (splits === 1) return partial;
  const out = b.runWebGPUProgram(
    new SplitKReduceProgram(splits, s.rows * s.cols),
    [partial],
    "float32",
  );
  b.disposeData(partial.dataId);
  return out;
};

/** Registers the three kernels for `webgpu` once (later calls do nothing). */
export function registerConvKernels(): void {
  const pairs: [string, tf.KernelFunc][] = [
    [KERNELS.forward, forwardKernel],
    [KERNELS.input, inputKernel],
    [KERNELS.filter, filterKernel],
  ];
  for (const [kernelName, kernelFunc] of pairs) {
    if (!tf.getKernel(kernelName, "webgpu")) {
      tf.registerKernel({ kernelName, backendName: "webgpu", kernelFunc });
    }
  }
}
registerConvKernels();

function attrMap(a: Attrs): tf.NamedAttrMap {
  return a as unknown as tf.NamedAttrMap;
}

/**
 * Forward convolution on webgpu with our kernel, optional fused bias and
 * ReLU; `[n, ho, wo, co]`.
 *
 * @param x `[n, h, w, ci]`. @param w `[kh, kw, ci, co]`. @param g Geometry.
 * @param bias Optional `[co]`. @param relu ReLU after the bias.
 * @param tiles Tile override (else the table / tuned setting).
 */
export function gpuConv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  g: ConvGeometry,
  bias?: tf.Tensor1D,
  relu = false,
  tiles?: Tiles,
): tf.Tensor4D {
  const inputs: tf.NamedTensorMap = bias ? { x, W: w, bias } : { x, W: w };
  const y = tf.engine().runKernel(KERNELS.forward, inputs, attrMap({ geometry: g, relu, tiles }));
  return tf.reshape(y as tf.Tensor, [g.n, g.ho, g.wo, g.co]);
}

/** Input gradient `[n, h, w, ci]` of a convolution from `dy` `[n, ho, wo, co]` and `w`. */
export function gpuConv2dInputGrad(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  g: ConvGeometry,
  tiles?: Tiles,
): tf.Tensor4D {
  const y = tf.engine().runKernel(KERNELS.input, { dy, W: w }, attrMap({ geometry: g, tiles }));
  return tf.reshape(y as tf.Tensor, [g.n, g.h, g.w, g.ci]);
}

/** Kernel gradient `[kh, kw, ci, co]` of a convolution from `x` and `dy`. */
export function gpuConv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  tiles?: Tiles,
): tf.Tensor4D {
  const y = tf.engine().runKernel(KERNELS.filter, { x, dy }, attrMap({ geometry: g, tiles }));
  return tf.reshape(y as tf.Tensor, [g.kh, g.kw, g.ci, g.co]);
}
