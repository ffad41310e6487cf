/**
 * Asks `navigator.gpu` for a high-performance adapter and describes it:
 * vendor, architecture, device, description, fallback flag, the limits that
 * matter for large tensors. Used before TF.js's webgpu backend is started.
 *
 * @module
 */
import type { AdapterReport } from "./report.ts";

const LIMIT_NAMES = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
];

/** Whether adapter strings name an NVIDIA GPU (name or PCI vendor id 0x10de). */
export function looksNvidia(...texts: string[]): boolean {
  return texts.some((t) =>
    /nvidia|geforce|tesla|quadro|\bh100\b|\bh200\b|0x10de|\b4318\b/i.test(t)
  );
}

/** Describes the adapter `navigator.gpu` gives (never throws). */
export async function probeAdapter(): Promise<AdapterReport> {
  const wgpuBackend = Deno.env.get("DENO_WEBGPU_BACKEND") ?? "default";
  const empty: AdapterReport = {
    found: false,
    vendor: "",
    architecture: "",
    device: "",
    description: "",
    isFallbackAdapter: false,
    nvidia: false,
    wgpuBackend,
    limits: {},
    features: [],
  };
  if (!("gpu" in navigator) || !navigator.gpu) {
    return { ...empty, error: "navigator.gpu is undefined in this Deno" };
  }
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { ...empty, error: "navigator.gpu.requestAdapter() returned null" };
    const info = adapter.info;
    const limits: Record<string, number> = {};
    for (const name of LIMIT_NAMES) {
      const v = (adapter.limits as unknown as Record<string, unknown>)[name];
      if (typeof v === "number") limits[name] = v;
    }
    const vendor = String(info.vendor ?? "");
    const architecture = String(info.architecture ?? "");
    const device = String(info.device ?? "");
    const description = String(info.description ?? "");
    // Deno exposes isFallbackAdapter on the info (newer spec) or on the adapter (older).
    const fallback = Boolean(
      (info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
        (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    );
    return {
      found: true,
      vendor,
      architecture,
      device,
      description,
      isFallbackAdapter: fallback,
      nvidia: looksNvidia(vendor, architecture, device, description),
      wgpuBackend,
      limits,
      features: [...adapter.features].map(String).sort(),
    };
  } catch (err) {
    return { ...empty, error: err instanceof Error ? err.message : String(err) };
  }
}
