import * as tf from "@tensorflow/tfjs-core";
import { UsageError } from "../../lib/errors.ts";
import { type BackendChoice, probeWebGpu, selectBackend } from "../../lib/train/backend.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../util/assert.ts";

function captureStderr<T>(f: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => lines.push(a.join(" "));
  return f().then((value) => ({ value, lines })).finally(() => console.error = orig);
}

Deno.test("backend: auto picks webgpu only on a hardware adapter, else wasm, and says why once", async () => {
  const probe = await probeWebGpu();
  const { value, lines } = await captureStderr(async () => {
    const a = await selectBackend("auto");
    await selectBackend("auto");
    return a;
  });
  assertEquals(lines.length, 1);
  assertMatch(lines[0]!, /^backend: (webgpu|wasm|cpu) \(auto: .+\)$/);
  assertEquals(value.backend, probe.hardware ? "webgpu" : "wasm");
  assertEquals(tf.getBackend(), value.backend);
  if (!probe.hardware) assertMatch(value.reason, /fallback adapter|no WebGPU|no navigator.gpu/);
});

Deno.test("backend: explicit choices start that backend; unknown names are usage errors", async () => {
  for (const b of ["cpu", "wasm"] as const) {
    const r = await selectBackend(b, { quiet: true });
    assertEquals(r.backend, b);
    assertEquals(tf.getBackend(), b);
  }
  await assertRejects(
    () => selectBackend("tpu" as BackendChoice),
    UsageError,
    /Unknown backend 'tpu'/,
  );
  const r = await selectBackend("wasm", { quiet: true, threads: 2 });
  assert(/SIMD/.test(r.reason), r.reason);
});

Deno.test("probeWebGpu: an adapter comes with its details, and the same fallback verdict", async () => {
  const probe = await probeWebGpu();
  assertEquals(probe.adapter !== undefined, probe.any);
  if (!probe.adapter) return;
  const a = probe.adapter;
  assertEquals(probe.hardware, !a.isFallbackAdapter);
  assert(typeof a.vendor === "string" && typeof a.description === "string");
  assert(a.limits.maxBufferSize! > 0 && a.limits.maxStorageBufferBindingSize! > 0);
  assertEquals(a.features, [...a.features].sort());
});
