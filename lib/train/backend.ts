/**
 * Choice of the TensorFlow.js backend: `auto`, `webgpu`, `wasm` or `cpu`.
 *
 * `auto` takes webgpu when a GPU adapter exists that is not a software
 * fallback adapter (llvmpipe and the like are slower than wasm and cut shader
 * loops past 65,535 iterations), else wasm with SIMD, else the plain-JS cpu
 * backend. The choice and its reason are printed once on stderr
 * (`backend: wasm (...)`).
 *
 * wasm binaries: the folder `node_modules/@tensorflow/tfjs-backend-wasm/dist/`
 * is looked up, in this order, in `$CONVENTION_WASM_DIR`, relative to this
 * module's URL (`../../node_modules/...`, which is also where `deno compile
 * --include node_modules/@tensorflow/tfjs-backend-wasm/dist` embeds it) and
 * relative to the working directory; when none holds the binaries the wasm
 * package loads them from its own folder (Deno's npm cache or the compiled
 * binary's embedded copy).
 *
 * Threads: TF.js picks the threaded wasm build only where it detects Web
 * threads, which its Node build (the one Deno loads) never does. Forcing it
 * in Deno needs three hacks (worker scripts written to files, os.cpus()
 * doubled because TF.js caps threads at half the logical cores); it then
 * started 2 threads but hung in some starts and was not faster on this
 * shared 2-core VM (docs/model.md), so wasm runs one thread per process;
 * training uses more cores with data-parallel replicas (data_parallel.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { ConventionError, UsageError } from "../errors.ts";

/** What the user asked for. */
export type BackendChoice = "auto" | "webgpu" | "wasm" | "cpu";

/** The backend names accepted by {@link selectBackend}. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "webgpu", "wasm", "cpu"];

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** wasm threads wanted (default: number of cores); see the module doc. */
  threads?: number;
  /** Do not print the `backend: ...` line. */
  quiet?: boolean;
}

/** The outcome of {@link selectBackend}. */
export interface BackendSelection {
  /** TF.js backend name now active: `webgpu`, `wasm` or `cpu`. */
  backend: string;
  /** Why this backend (adapter found, fallback, ...). */
  reason: string;
}

const WASM_BINARY = "tfjs-backend-wasm-simd.wasm";
let wasmPathsSet = false;
let printed = "";

/** What a WebGPU adapter says of itself (`GPUAdapter.info`, two limits, its features). */
export interface AdapterDetails {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** `maxBufferSize` and `maxStorageBufferBindingSize`, where the adapter gives them. */
  limits: Record<string, number>;
  /** The adapter's features, sorted. */
  features: string[];
}

/** Result of probing WebGPU: a usable hardware adapter or why not. */
export interface WebGpuProbe {
  /** True when a non-fallback adapter exists. */
  hardware: boolean;
  /** True when any adapter exists (hardware or software). */
  any: boolean;
  /** Adapter description or the reason there is none. */
  detail: string;
  /** The adapter's details, when there is one. */
  adapter?: AdapterDetails;
}

/**
 * Looks for a WebGPU adapter (high-performance, as TF.js asks for it) and
 * tells whether it is a real (non-fallback) one. Never throws.
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return { hardware: false, any: false, detail: "no navigator.gpu in this runtime" };
  let adapter: (GPUAdapter & { isFallbackAdapter?: boolean }) | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (err) {
    return { hardware: false, any: false, detail: `requestAdapter failed: ${String(err)}` };
  }
  if (!adapter) return { hardware: false, any: false, detail: "no WebGPU adapter" };
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const limits: Record<string, number> = {};
  for (const name of ["maxBufferSize", "maxStorageBufferBindingSize"] as const) {
    if (typeof adapter.limits[name] === "number") limits[name] = adapter.limits[name];
  }
  const details: AdapterDetails = {
    vendor: String(info.vendor ?? ""),
    architecture: String(info.architecture ?? ""),
    device: String(info.device ?? ""),
    description: String(info.description ?? ""),
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
    limits,
    features: [...adapter.features].map(String).sort(),
  };
  const desc = details.description || details.vendor || "unnamed adapter";
  return {
    hardware: !details.isFallbackAdapter,
    any: true,
    detail: details.isFallbackAdapter ? `only a software fallback adapter (${desc})` : desc,
    adapter: details,
  };
}

function wasmDirCandidates(): string[] {
  const out: string[] = [];
  try {
    const env = Deno.env.get("CONVENTION_WASM_DIR");
    if (env) out.push(env.endsWith("/") ? env : env + "/");
  } catch { /* no env permission */ }
  const rel = new URL("../../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url);
  if (rel.protocol === "file:") {
    // decodeURIComponent: paths with spaces.
    out.push(decodeURIComponent(rel.pathname));
  }
  try {
    out.push(`${Deno.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  } catch { /* no read permission on cwd */ }
  return out;
}

/**
 * Points the wasm backend at the folder holding its binaries (see the module
 * doc); returns the folder used, or null to leave the package's default.
 */
function configureWasmPaths(): string | null {
  if (wasmPathsSet) return null;
  for (const dir of wasmDirCandidates()) {
    try {
      if (Deno.statSync(dir + WASM_BINARY).isFile) {
        setWasmPaths(dir);
        wasmPathsSet = true;
        return dir;
      }
    } catch { /* not there */ }
  }
  return null;
}

async function trySet(name: string): Promise<boolean> {
  // Production mode: no debug checks, and no "install tfjs-node" banner (the
  // Node build of TF.js believes it runs in Node.js).
  tf.env().set("PROD", true);
  try {
    return await tf.setBackend(name) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function useWasm(threads: number): Promise<string | null> {
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  configureWasmPaths();
  if (!await trySet("wasm")) return null;
  const t = threads > 1 ? ", 1 thread (threaded wasm not used here: docs/model.md)" : "";
  return `${simd ? "SIMD" : "no SIMD"}${t}`;
}

async function useWebGpu(): Promise<boolean> {
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!await trySet("webgpu")) return false;
  // Submit every command at once. With TF.js's default batching (15 commands
  // per submit) Deno's WebGPU returned results that depend on the order of
  // reads (an argMax over a middle axis read back as zeros once used by later
  // ops): see docs/model.md and tests/webgpu/backend_equivalence_test.ts.
  tf.env().set("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE", 1);
  return true;
}

function announce(sel: BackendSelection, quiet: boolean): void {
  const line = `backend: ${sel.backend} (${sel.reason})`;
  if (!quiet && printed !== line) {
    console.error(line);
    printed = line;
  }
}

/**
 * Selects and initialises the TF.js backend; prints `backend: NAME (reason)`
 * once on stderr.
 *
 * @param choice `auto` (webgpu on a hardware adapter, else wasm, else cpu) or a backend name.
 * @param opts Threads wanted for wasm, quiet.
 * @returns The active backend and why.
 * @throws UsageError for an unknown choice; ConventionError when an explicitly
 * requested backend cannot start.
 *
 * @example
 * ```ts
 * import { selectBackend } from "./backend.ts";
 * const { backend } = await selectBackend("cpu", { quiet: true });
 * if (!(backend === "cpu")) throw new Error("example check failed");
 * ```
 */
export async function selectBackend(
  choice: BackendChoice,
  opts: SelectBackendOptions = {},
): Promise<BackendSelection> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new UsageError(`Unknown backend '${choice}'`, {
      hint: `use one of ${BACKEND_CHOICES.join(", ")}`,
    });
  }
  const threads = opts.threads ?? navigator.hardwareConcurrency ?? 1;
  let sel: BackendSelection | null = null;
  if (choice === "cpu") {
    if (!await trySet("cpu")) throw new ConventionError("The cpu backend failed to start");
    sel = { backend: "cpu", reason: "requested" };
  } else if (choice === "wasm") {
    const r = await useWasm(threads);
    if (r === null) {
      throw new ConventionError("The wasm backend failed to start", {
        hint: "check that node_modules/@tensorflow/tfjs-backend-wasm/dist/ holds the .wasm files " +
          "(or set CONVENTION_WASM_DIR), or use --backend cpu",
      });
    }
    sel = { backend: "wasm", reason: `requested; ${r}` };
  } else if (choice === "webgpu") {
    const probe = await probeWebGpu();
    if (!probe.any) {
      throw new ConventionError(`WebGPU is not available: ${probe.detail}`, {
        hint: "use --backend wasm (or auto)",
      });
    }
    if (!await useWebGpu()) {
      throw new ConventionError(`The webgpu backend failed to start on ${probe.detail}`, {
        hint: "use --backend wasm (or auto)",
      });
    }
    sel = {
      backend: "webgpu",
      reason: probe.hardware
        ? `requested; ${probe.detail}`
        : `requested; ${probe.detail}: slow, and shader loops past 65,535 iterations stop early`,
    };
  } else {
    const probe = await probeWebGpu();
    if (probe.hardware && await useWebGpu()) {
      sel = { backend: "webgpu", reason: `auto: GPU adapter ${probe.detail}` };
    } else {
      const why = probe.hardware ? "the webgpu backend failed to start" : probe.detail;
      const r = await useWasm(threads);
      if (r !== null) sel = { backend: "wasm", reason: `auto: ${why}; ${r}` };
      else if (await trySet("cpu")) {
        sel = { backend: "cpu", reason: `auto: ${why}; the wasm backend failed to start` };
      }
    }
    if (!sel) throw new ConventionError("No TensorFlow.js backend could start");
  }
  announce(sel, opts.quiet ?? false);
  return sel;
}
