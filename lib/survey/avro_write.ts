/**
 * Writes Avro object container files (one data block, codec `null` or
 * `deflate`) with npm `avsc`: what tests, examples and benchmarks use to make
 * packets in memory.
 *
 * @module
 */
import avro from "avsc";
import { Buffer } from "node:buffer";
import { deflateRawSync } from "node:zlib";

function varint(n: number): number[] {
  let z = n >= 0 ? n * 2 : -n * 2 - 1; // zig-zag, exact below 2^52
  const out: number[] = [];
  do {
    const b = z % 128;
    z = Math.floor(z / 128);
    out.push(z ? b | 0x80 : b);
  } while (z);
  return out;
}

function bytesField(b: Uint8Array): number[] {
  return [...varint(b.length), ...b];
}

/** Options of {@link writeAvroContainer}. */
export interface WriteAvroOptions {
  /** Block codec (default `null`). */
  codec?: "null" | "deflate";
  /** The 16-byte sync marker (default bytes 1..16). */
  sync?: Uint8Array;
}

/**
 * Encodes records as an Avro object container file.
 *
 * @param schema The writer schema (stored in the header as JSON).
 * @param records Records valid for `schema` (avsc's JavaScript representation).
 * @param options Codec and sync marker.
 * @returns The file's bytes.
 *
 * @example
 * ```ts
 * import { writeAvroContainer } from "./avro_write.ts";
 * const schema = { type: "record", name: "r", fields: [{ name: "a", type: "int" }] };
 * const bytes = writeAvroContainer(schema, [{ a: 1 }, { a: 2 }]);
 * if (new TextDecoder().decode(bytes.subarray(0, 3)) !== "Obj") throw new Error("magic");
 * ```
 */
export function writeAvroContainer(
  schema: unknown,
  records: readonly unknown[],
  options: WriteAvroOptions = {},
): Uint8Array {
  const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false });
  const codec = options.codec ?? "null";
  const sync = options.sync ?? Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  const enc = new TextEncoder();
  const parts: Uint8Array[] = records.map((r) => new Uint8Array(type.toBuffer(r)));
  let body: Uint8Array = new Uint8Array(Buffer.concat(parts));
  if (codec === "deflate") body = new Uint8Array(deflateRawSync(body));
  const header = [
    0x4f,
    0x62,
    0x6a,
    0x01,
    ...varint(2),
    ...bytesField(enc.encode("avro.schema")),
    ...bytesField(enc.encode(JSON.stringify(schema))),
    ...bytesField(enc.encode("avro.codec")),
    ...bytesField(enc.encode(codec)),
    0,
    ...sync,
    ...varint(records.length),
    ...varint(body.length),
  ];
  const out = new Uint8Array(header.length + body.length + 16);
  out.set(header);
  out.set(body, header.length);
  out.set(sync, header.length + body.length);
  return out;
}
