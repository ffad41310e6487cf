/**
 * safetensors reader and writer (the format of Hugging Face's `safetensors`
 * package): an 8-byte little-endian header length N, N bytes of JSON
 * `{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
 * "__metadata__": {"key": "value"}}` (padded with spaces to a multiple of 8),
 * then the raw little-endian tensor bytes; offsets are relative to the end of
 * the header. `torch` reads these files with `safetensors.torch.load_file`, or
 * by hand (tasks/pytorch/convention_ref.py).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { writeFileAtomic } from "../../util/atomic.ts";
import { WeightsError } from "../errors.ts";
import type { Classifier } from "../types.ts";

/** safetensors dtypes handled here. */
export type SafeDtype =
  | "F64"
  | "F32"
  | "F16"
  | "BF16"
  | "I64"
  | "I32"
  | "I16"
  | "I8"
  | "U64"
  | "U32"
  | "U16"
  | "U8"
  | "BOOL";

/** Typed arrays that hold tensor data (F16/BF16 are kept as raw Uint16Array bits). */
export type SafeData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** One tensor of a safetensors file. */
export interface SafeTensor {
  /** Element type. */
  dtype: SafeDtype;
  /** Shape (row-major, PyTorch order). */
  shape: number[];
  /** Elements, row-major. */
  data: SafeData;
}

const SIZE: Record<SafeDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAX_HEADER = 100 * 1024 * 1024;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function view(dtype: SafeDtype, buf: ArrayBuffer): SafeData {
  switch (dtype) {
    case "F64":
      return new Float64Array(buf);
    case "F32":
      return new Float32Array(buf);
    case "F16":
    case "BF16":
    case "U16":
      return new Uint16Array(buf);
    case "I64":
      return new BigInt64Array(buf);
    case "U64":
      return new BigUint64Array(buf);
    case "I32":
      return new Int32Array(buf);
    case "U32":
      return new Uint32Array(buf);
    case "I16":
      return new Int16Array(buf);
    case "I8":
      return new Int8Array(buf);
    case "U8":
    case "BOOL":
      return new Uint8Array(buf);
  }
}

function checkEndianness(): void {
  if (!LITTLE_ENDIAN) {
    throw new WeightsError("safetensors I/O needs a little-endian machine");
  }
}

/**
 * Encodes tensors (sorted by name) and string metadata as safetensors bytes.
 *
 * @param tensors Tensors by name.
 * @param metadata `__metadata__` strings.
 * @returns The file bytes.
 */
export function encodeSafetensors(
  tensors: Map<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  checkEndianness();
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header["__metadata__"] = { ...metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const bytes = numel(t.shape) * SIZE[t.dtype];
    if (t.data.byteLength !== bytes) {
      throw new WeightsError(
        `Tensor ${name}: ${t.data.byteLength} bytes of data for dtype ${t.dtype} shape [${t.shape}]`,
      );
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

/**
 * Decodes safetensors bytes; validates the header, dtypes, shapes and offsets.
 *
 * @param bytes The file bytes.
 * @param source File name for error messages.
 * @throws WeightsError on a malformed file.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = "safetensors data",
): { tensors: Map<string, SafeTensor>; metadata: Record<string, string> } {
  checkEndianness();
  if (bytes.length < 8) throw new WeightsError(`${source}: too short for a safetensors header`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    throw new WeightsError(`${source}: header length ${n} exceeds the file`, {
      hint: "the file is truncated or not a safetensors file",
    });
  }
  const start = 8 + Number(n);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, start)));
  } catch (err) {
    throw new WeightsError(`${source}: the safetensors header is not valid JSON`, { cause: err });
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new WeightsError(`${source}: the safetensors header is not a JSON object`);
  }
  const dataLen = bytes.length - start;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, SafeTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (raw && typeof raw === "object") {
        for (const [k, v] of Object.entries(raw)) {
          if (typeof v !== "string") {
            throw new WeightsError(`${source}: metadata value of "${k}" is not a string`);
          }
          metadata[k] = v;
        }
      }
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = e?.dtype as SafeDtype;
    if (typeof dtype !== "string" || !(dtype in SIZE)) {
      throw new WeightsError(`${source}: tensor ${name} has unsupported dtype ${String(e?.dtype)}`);
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new WeightsError(`${source}: tensor ${name} has an invalid shape`);
    }
    const off = e.data_offsets;
    if (
      !Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0)
    ) {
      throw new WeightsError(`${source}: tensor ${name} has invalid data_offsets`);
    }
    const [b, end] = off as [number, number];
    const want = numel(shape as number[]) * SIZE[dtype];
    if (end - b !== want || end > dataLen) {
      throw new WeightsError(
        `${source}: tensor ${name} (${dtype} [${shape}]) needs ${want} bytes, offsets [${b}, ${end}] ` +
          `in ${dataLen} bytes of data`,
        { hint: "the file is truncated or corrupt" },
      );
    }
    spans.push([b, end, name]);
    // Copy: the offsets need not be aligned for the typed array.
    const buf = bytes.slice(start + b, start + end).buffer;
    tensors.set(name, { dtype, shape: [...shape as number[]], data: view(dtype, buf) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) {
      throw new WeightsError(
        `${source}: tensors ${spans[i - 1]![2]} and ${spans[i]![2]} overlap`,
      );
    }
  }
  return { tensors, metadata };
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * Math.pow(2, -14) * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * Math.pow(2, e - 15) * (1 + f / 1024);
}

/** The tensor's values as float32 (any numeric dtype). */
export function toFloat32(t: SafeTensor): Float32Array {
  const d = t.data;
  if (t.dtype === "F32") return d as Float32Array;
  const out = new Float32Array(d.length);
  if (t.dtype === "F16") {
    for (let i = 0; i < d.length; i++) out[i] = f16ToF32((d as Uint16Array)[i]!);
  } else if (t.dtype === "BF16") {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < d.length; i++) u[i] = (d as Uint16Array)[i]! << 16;
  } else {
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
  }
  return out;
}

/** The tensor's values as int32 (integer dtypes within int32 range). */
export function toInt32(t: SafeTensor, source = "safetensors data", name = "?"): Int32Array {
  if (t.dtype === "I32") return t.data as Int32Array;
  if (t.dtype.startsWith("F") || t.dtype === "BF16") {
    throw new WeightsError(
      `${source}: tensor ${name} is ${t.dtype}, an integer tensor is expected`,
    );
  }
  const out = new Int32Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    const v = Number(t.data[i]!);
    if (!Number.isSafeInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new WeightsError(`${source}: tensor ${name} value ${v} does not fit int32`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Reads variables as safetensors entries: float32 -> F32, int32 -> I64
 * (PyTorch's dtype for num_batches_tracked).
 */
export async function variablesToSafetensors(
  vars: Map<string, tf.Variable>,
): Promise<Map<string, SafeTensor>> {
  const out = new Map<string, SafeTensor>();
  for (const [name, v] of vars) {
    const data = await v.data();
    if (v.dtype === "int32") {
      out.set(name, {
        dtype: "I64",
        shape: [...v.shape],
        data: BigInt64Array.from(data as Int32Array, (x) => BigInt(x)),
      });
    } else {
      out.set(name, { dtype: "F32", shape: [...v.shape], data: Float32Array.from(data) });
    }
  }
  return out;
}

/**
 * Saves every weight of a model (parameters and BatchNorm statistics, PyTorch
 * names and layouts) as safetensors, atomically. Metadata gets `format: pt`,
 * the model name and its JSON config.
 *
 * @param model The model.
 * @param path Output file.
 * @param metadata Extra metadata strings.
 * @example
 * ```ts
 * import { selectBackend } from "../../train/backend.ts";
 * import { createConvEntion } from "../convention.ts";
 * import { saveWeights } from "./safetensors.ts";
 * await selectBackend("cpu", { quiet: true });
 * const dir = await Deno.makeTempDir();
 * const model = createConvEntion("tiny", 1);
 * await saveWeights(model, `${dir}/tiny.safetensors`, { note: "untrained" });
 * // Readable in Python: safetensors.torch.load_file(path) gives the PyTorch state_dict.
 * if (!((await Deno.stat(`${dir}/tiny.safetensors`)).size > 0)) throw new Error("example check failed");
 * model.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveWeights(
  model: Classifier,
  path: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  const tensors = await variablesToSafetensors(model.weights());
  const bytes = encodeSafetensors(tensors, {
    format: "pt",
    model: model.name,
    config: JSON.stringify(model.config),
    ...metadata,
  });
  await writeFileAtomic(path, bytes);
}

/**
 * Assigns decoded tensors to variables after checking that the names and
 * shapes match exactly (nothing is assigned when any check fails).
 *
 * @throws WeightsError naming the missing, unexpected or mis-shaped tensors.
 */
export function assignSafetensors(
  vars: Map<string, tf.Variable>,
  tensors: Map<string, SafeTensor>,
  source: string,
): void {
  const missing = [...vars.keys()].filter((k) => !tensors.has(k));
  const unexpected = [...tensors.keys()].filter((k) => !vars.has(k));
  const show = (a: string[]) =>
    a.slice(0, 5).join(", ") + (a.length > 5 ? `, ... (${a.length})` : "");
  if (missing.length || unexpected.length) {
    throw new WeightsError(
      `${source} does not match the model: ` +
        [
          missing.length ? `missing ${show(missing)}` : "",
          unexpected.length ? `unexpected ${show(unexpected)}` : "",
        ].filter(Boolean).join("; "),
      { hint: "load weights saved from a model with the same preset/config" },
    );
  }
  const values = new Map<string, Float32Array | Int32Array>();
  for (const [name, v] of vars) {
    const t = tensors.get(name)!;
    if (t.shape.length !== v.shape.length || t.shape.some((s, i) => s !== v.shape[i])) {
      throw new WeightsError(
        `${source}: tensor ${name} has shape [${t.shape}], the model expects [${v.shape}]`,
        { hint: "load weights saved from a model with the same preset/config" },
      );
    }
    values.set(name, v.dtype === "int32" ? toInt32(t, source, name) : toFloat32(t));
  }
  for (const [name, v] of vars) {
    const data = values.get(name)!;
    // tf.tensor copies the data; the variable keeps the new buffer.
    const t = tf.tensor(data, v.shape, v.dtype);
    v.assign(t);
    t.dispose();
  }
}

/**
 * Loads a safetensors file into a model (names and shapes must match exactly).
 *
 * @param model The model.
 * @param path File written by {@link saveWeights} or by PyTorch.
 * @throws WeightsError when the file is missing, malformed or does not match.
 * @example Save one model and load its weights into another of the same preset
 * ```ts
 * import { selectBackend } from "../../train/backend.ts";
 * import { createConvEntion } from "../convention.ts";
 * import { loadWeights, saveWeights } from "./safetensors.ts";
 * await selectBackend("cpu", { quiet: true });
 * const dir = await Deno.makeTempDir();
 * const a = createConvEntion("tiny", 1), b = createConvEntion("tiny", 2);
 * await saveWeights(a, `${dir}/a.safetensors`);
 * await loadWeights(b, `${dir}/a.safetensors`);
 * for (const [name, v] of a.weights()) {
 *   const w = b.weights().get(name)!;
 *   if (!v.dataSync().every((x, i) => x === w.dataSync()[i])) throw new Error(name);
 * }
 * a.dispose();
 * b.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadWeights(model: Classifier, path: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new WeightsError(`Cannot read weights file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const { tensors } = decodeSafetensors(bytes, path);
  assignSafetensors(model.weights(), tensors, path);
}
