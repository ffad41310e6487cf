/**
 * Settings of the WebGPU kernels: whether the model's convolutions use our
 * kernels (default) or TF.js's, and the optional f16 storage, which needs
 * the `shader-f16` feature on the device TF.js's webgpu backend opened.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

let ownConv = true;

/** Whether `conv_exact.ts` runs our convolution kernels on webgpu. */
export function ownConvKernels(): boolean {
  return ownConv;
}

/**
 * Chooses our convolution kernels (true, default) or TF.js's (false) on webgpu.
 *
 * @param on The choice.
 */
export function setOwnConvKernels(on: boolean): void {
  ownConv = on;
}

/** True when the active backend is webgpu and our convolution kernels are on. */
export function useOwnConv(): boolean {
  return ownConv && tf.getBackend() === "webgpu";
}

/** f16 storage was asked for where it cannot be given. */
export class F16UnavailableError extends Error {
  /** @param message Why, and what to do. */
  constructor(message: string) {
    super(message);
    this.name = "F16UnavailableError";
  }
}

/**
 * Asks for f16 storage of the convolution operands. Refused, with the
 * reason, when the backend is not webgpu or its device lacks `shader-f16`
 * (TF.js 4.22 opens its device with `timestamp-query` only, and this
 * machine's software adapter does not offer `shader-f16` at all); f32 stays
 * in use. Not implemented beyond that check: on a device with the feature it
 * is refused too, saying so.
 *
 * @throws F16UnavailableError always, with the reason.
 */
export function enableF16Storage(): never {
  if (tf.getBackend() !== "webgpu") {
    throw new F16UnavailableError(
      `f16 storage needs the webgpu backend (active: ${tf.getBackend()}); run with --backend webgpu`,
    );
  }
  const dev = (tf.backend() as unknown as { device: GPUDevice }).device;
  if (!dev.features.has("shader-f16")) {
    throw new F16UnavailableError(
      "f16 storage refused: the webgpu device has no 'shader-f16' feature (TF.js opens it without; " +
        "the adapter may lack it too); the kernels stay in f32",
    );
  }
  throw new F16UnavailableError(
    "f16 storage refused: not implemented in this version; the kernels stay in f32",
  );
}
