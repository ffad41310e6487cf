/**
 * Named float32/int32 arrays in one safetensors file (an 8-byte little-endian
 * header length, a JSON header `{name: {dtype, shape, data_offsets}}` with
 * `__metadata__` strings, then the raw little-endian data). Used for the
 * training checkpoints (model variables and optimiser moments, stored
 * exactly as TF.js holds them).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

/** One array with its shape. */
export interface NamedArray {
  /** Values (float32 or int32). */
  data: Float32Array | Int32Array;
  /** Shape (product = data.length). */
  shape: number[];
}

/** Encodes arrays (in the map's order) and string metadata as safetensors bytes. */
export function encodeTensors(
  arrays: Map<string, NamedArray>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, a] of arrays) {
    const n = a.shape.reduce((p, d) => p * d, 1);
    if (n !== a.data.length) {
      throw new RangeError(`Tensor ${name}: shape [${a.shape}] does not hold ${a.data.length}`);
    }
    const bytes = a.data.length * 4;
    header[name] = {
      dtype: a.data instanceof Float32Array ? "F32" : "I32",
      shape: a.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let o = 8 + head.length;
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (const a of arrays.values()) {
    const raw = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
    if (!little) throw new ConventionError("Big-endian machines are not supported.");
    out.set(raw, o);
    o += raw.length;
  }
  return out;
}

/** Decodes safetensors bytes written by {@link encodeTensors}; `where` names the file in errors. */
export function decodeTensors(
  bytes: Uint8Array,
  where = "<bytes>",
): { arrays: Map<string, NamedArray>; metadata: Record<string, string> } {
  const bad = (why: string): never => {
    throw new ConventionError(`${where} is not a valid safetensors file: ${why}.`, {
      hint: "The checkpoint may be damaged; resume from an earlier run or train again.",
    });
  };
  if (bytes.length < 8) bad("shorter than 8 bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = Number(view.getBigUint64(0, true));
  if (8 + hlen > bytes.length) bad(`header length ${hlen} exceeds the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen)));
  } catch {
    return bad("the header is not JSON");
  }
  const base = 8 + hlen;
  const arrays = new Map<string, NamedArray>();
  let metadata: Record<string, string> = {};
  for (const [name, e] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = e as unknown as Record<string, string>;
      continue;
    }
    const [a, b] = e.data_offsets;
    if (!(a >= 0 && b >= a && base + b <= bytes.length)) bad(`tensor ${name} is out of range`);
    const copy = bytes.slice(base + a, base + b);
    let data: Float32Array | Int32Array;
    if (e.dtype === "F32") data = new Float32Array(copy.buffer);
    else if (e.dtype === "I32") data = new Int32Array(copy.buffer);
    else return bad(`tensor ${name} has dtype ${e.dtype} (only F32 and I32 are written)`);
    if (e.shape.reduce((p, d) => p * d, 1) !== data.length) bad(`tensor ${name} shape mismatch`);
    arrays.set(name, { data, shape: e.shape });
  }
  return { arrays, metadata };
}

/**
 * The `__metadata__` strings of a safetensors file, reading only its header;
 * null when the file is missing or not safetensors.
 */
export async function readSafetensorsMetadata(
  path: string,
): Promise<Record<string, string> | null> {
  let f: Deno.FsFile;
  try {
    f = await Deno.open(path);
  } catch {
    return null;
  }
  try {
    const head = new Uint8Array(8);
    if (await f.read(head) !== 8) return null;
    const n = Number(new DataView(head.buffer).getBigUint64(0, true));
    if (!(n > 0 && n < 100_000_000)) return null;
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = await f.read(buf.subarray(got));
      if (r === null) return null;
      got += r;
    }
    const header = JSON.parse(new TextDecoder().decode(buf)) as Record<string, unknown>;
    const md = header["__metadata__"];
    return md && typeof md === "object" ? md as Record<string, string> : {};
  } catch {
    return null;
  } finally {
    f.close();
  }
}
