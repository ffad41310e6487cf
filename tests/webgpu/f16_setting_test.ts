/**
 * The f16 storage setting of the WebGPU kernels is refused cleanly (typed
 * error naming the reason, nothing changed) where it cannot be given: on a
 * backend other than webgpu, and on a device without `shader-f16` (this
 * machine's software adapter has none; TF.js 4.22 opens its device without).
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  enableF16Storage,
  F16UnavailableError,
  ownConvKernels,
} from "../../lib/model/ops/webgpu/settings.ts";
import { probeWebGpu, selectBackend } from "../../lib/train/backend.ts";
import { assertThrows } from "../util/assert.ts";

Deno.test("f16 storage: refused on the cpu backend, naming the backend", async () => {
  await selectBackend("cpu", { quiet: true });
  assertThrows(() => enableF16Storage(), F16UnavailableError, /needs the webgpu backend/);
});

const gpu = await probeWebGpu();
Deno.test({
  name: "f16 storage: refused on a webgpu device without shader-f16; f32 kernels stay on",
  ignore: !gpu.any,
  fn: async () => {
    await selectBackend("webgpu", { quiet: true });
    const dev = (tf.backend() as unknown as { device: GPUDevice }).device;
    const msg = dev.features.has("shader-f16") ? /not implemented/ : /no .shader-f16. feature/;
    assertThrows(() => enableF16Storage(), F16UnavailableError, msg);
    assertThrows(() => enableF16Storage(), F16UnavailableError, /stay in f32/);
    if (!ownConvKernels()) throw new Error("our kernels were switched off");
  },
});
