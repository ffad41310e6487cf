/**
 * `deno task test` runs the main suite with DENO_WEBGPU_BACKEND set to the
 * empty list, so no test module opens a (software GL) WebGPU device; the
 * WebGPU tests run afterwards, on their own, from tests/webgpu/ (docs/testing.md
 * says why). This test fails if Deno stops honouring the empty list.
 */
import { probeWebGpu } from "../../lib/train/backend.ts";
import { assertEquals } from "../util/assert.ts";

Deno.test({
  name: "webgpu off: an empty DENO_WEBGPU_BACKEND leaves no adapter to the main suite",
  ignore: Deno.env.get("DENO_WEBGPU_BACKEND") !== "",
  async fn() {
    const probe = await probeWebGpu();
    assertEquals(probe.any, false, probe.detail);
  },
});
