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
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafeTensor,
} from "../model/infra/safetensors.ts";

/** One array with its shape. */
export interface NamedArray {
  /** Values (float32 or int32). */
  data: Float32Array | Int32Array;
  /** Shape (product = data.length). */
  shape: number[];
}

/** Encodes float32/int32 arrays and string metadata as safetensors bytes (lib/model's codec). */
export function encodeTensors(
  arrays: Map<string, NamedArray>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const tensors = new Map<string, SafeTensor>();
  for (const [name, a] of arrays) {
    if (numel(a.shape) !== a.data.length) {
      throw new RangeError(`Tensor ${name}: shape [${a.shape}] does not hold ${a.data.length}`);
    }
    tensors.set(name, {
      dtype: a.data instanceof Int32Array ? "I32" : "F32",
      shape: a.shape,
      data: a.data,
    });
  }
  return encodeSafetensors(tensors, metadata);
}

/**
 * Decodes safetensors bytes of float32/int32 arrays (lib/model's codec, which validates the
 * header, shapes and offsets); `where` names the file in errors.
 */
export function decodeTensors(
  bytes: Uint8Array,
  where = "<bytes>",
): { arrays: Map<string, NamedArray>; metadata: Record<string, string> } {
  const hint = "The checkpoint may be damaged; resume from an earlier run or train again.";
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(bytes, where);
  } catch (err) {
    throw new ConventionError(
      `${where} is not a valid safetensors file: ${(err as Error).message}`,
      {
        hint,
        cause: err,
      },
    );
  }
  const arrays = new Map<string, NamedArray>();
  for (const [name, t] of decoded.tensors) {
    if (t.dtype !== "F32" && t.dtype !== "I32") {
      throw new ConventionError(
        `${where} is not a valid checkpoint: tensor ${name} has dtype ${t.dtype} (only F32 and I32 are written).`,
        { hint },
      );
    }
    arrays.set(name, { data: t.data as Float32Array | Int32Array, shape: t.shape });
  }
  return { arrays, metadata: decoded.metadata };
}

const numel = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

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
