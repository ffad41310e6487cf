/**
 * Counts the GPU programs (compute dispatches) TF.js's webgpu backend runs
 * during a function, by program class, by wrapping the backend's
 * `runWebGPUProgram` for that time. Data uploads, reshapes and reads are not
 * dispatches and are not counted.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";

/** Dispatches of one run of a function. */
export interface DispatchCount<T> {
  /** The function's result. */
  value: T;
  /** All dispatches. */
  total: number;
  /** Dispatches by program class name (e.g. `Conv2DMMProgram`, `ConvForwardProgram`). */
  byProgram: Record<string, number>;
}

/**
 * Runs `f` on the active webgpu backend and counts its dispatches.
 *
 * @param f Work to count (awaited).
 * @throws Error when the active backend is not webgpu.
 */
export async function countDispatches<T>(f: () => Promise<T> | T): Promise<DispatchCount<T>> {
  if (tf.getBackend() !== "webgpu") {
    throw new Error(`countDispatches needs the webgpu backend (active: ${tf.getBackend()})`);
  }
  const b = tf.backend() as unknown as WebGPUBackend;
  const orig = b.runWebGPUProgram;
  const byProgram: Record<string, number> = {};
  let total = 0;
  b.runWebGPUProgram = function (this: WebGPUBackend, ...args: Parameters<typeof orig>) {
    const name = (args[0] as { constructor: { name: string } }).constructor.name;
    byProgram[name] = (byProgram[name] ?? 0) + 1;
    total++;
    return orig.apply(this, args);
  };
  try {
    const value = await f();
    return { value, total, byProgram };
  } finally {
    b.runWebGPUProgram = orig;
  }
}
