/**
 * Avro object container files (the format of ZTF alert packets), decoded from
 * bytes: magic, metadata map (`avro.schema`, `avro.codec`), sync marker and
 * data blocks are read here; the records themselves are decoded by npm `avsc`
 * with the writer schema stored in the file.
 *
 * Two fixes make the real ZTF schemas (2.0 to 3.5) work with avsc:
 * - unions whose first branch is not `null` but whose default is `null` are
 *   rejected by avsc ("union defaults must match the first branch's type");
 *   those defaults only matter when writing, so they are dropped;
 * - `long` values (candid, pid, objectidps1, ...) exceed 2^53, so every
 *   `long` decodes to a `bigint` instead of a lossy number.
 *
 * @module
 */
import avro from "avsc";
import { Buffer } from "node:buffer";
import { inflateRawSync } from "node:zlib";
import { ConventionError } from "../errors.ts";

/** A file that is not a readable Avro object container. */
export class AvroError extends ConventionError {
  /**
   * Creates the error.
   *
   * @param message What is wrong, naming the file.
   * @param options `hint` (what to do) and `cause`.
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "AvroError";
  }
}

/** The decoded content of one Avro object container file. */
export interface AvroContainer {
  /** The writer schema as stored in the file (parsed JSON, before the fixes). */
  schema: unknown;
  /** The compression codec of the data blocks (`null` or `deflate`). */
  codec: string;
  /** Other metadata entries, decoded as UTF-8. */
  meta: Record<string, string>;
  /** The records, in file order, as avsc decodes them (`long` as `bigint`). */
  records: unknown[];
}

const MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // "Obj\x01"

/** A `long` type that decodes to `bigint`, so that 64-bit ids stay exact. */
const BIGINT_LONG = avro.types.LongType.__with({
  // `noUnpack`: `buf` holds the zig-zag varint bytes as stored.
  fromBuffer: (buf: Buffer): bigint => varintToBigInt(buf),
  toBuffer: (n: bigint): Buffer => {
    let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)); // zig-zag
    const out: number[] = [];
    do {
      const b = Number(z & 0x7fn);
      z >>= 7n;
      out.push(z ? b | 0x80 : b);
    } while (z);
    return Buffer.from(out);
  },
  fromJSON: (v: number | string | bigint): bigint => BigInt(v),
  toJSON: (n: bigint): number => Number(n),
  isValid: (n: unknown): boolean => typeof n === "bigint",
  compare: (a: bigint, b: bigint): number => a === b ? 0 : (a < b ? -1 : 1),
}, true);

/** Decodes a zig-zag varint (Avro `long`) to a bigint; numbers while exact, bigint beyond. */
function varintToBigInt(buf: Uint8Array): bigint {
  let n = 0;
  let mul = 1;
  let i = 0;
  for (; i < buf.length && i < 7; i++) {
    const b = buf[i]!;
    n += (b & 0x7f) * mul;
    mul *= 128;
    if (!(b & 0x80)) {
      // n < 2^49: exact as a number
      return BigInt(n % 2 === 0 ? n / 2 : -(n + 1) / 2);
    }
  }
  let big = BigInt(n);
  let shift = BigInt(7 * i);
  for (; i < buf.length; i++) {
    big |= BigInt(buf[i]! & 0x7f) << shift;
    shift += 7n;
  }
  return (big >> 1n) ^ -(big & 1n);
}

/** Parsed avsc types, keyed by the schema text (packets of one stream share it). */
const typeCache = new Map<string, avro.Type>();

/** Cursor over bytes with Avro's zig-zag varint `long` (safe up to 2^53 here). */
class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly name: string) {}

  long(): number {
    let result = 0;
    let mul = 1;
    let b: number;
    do {
      if (this.pos >= this.bytes.length) throw this.truncated();
      b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    // zig-zag: even -> n/2, odd -> -(n+1)/2
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.bytes.length) throw this.truncated();
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  truncated(): AvroError {
    return new AvroError(
      `${this.name}: Avro container is truncated at byte ${this.pos} of ${this.bytes.length}`,
      { hint: "the file was cut short (incomplete download?); fetch it again" },
    );
  }
}

/**
 * Removes `default: null` from union-typed fields whose first branch is not
 * `null` (avsc rejects them; defaults are only used when writing). Returns a
 * fixed deep copy; the input is not changed.
 */
export function fixZtfSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(fixZtfSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = fixZtfSchema(v);
  if (Array.isArray(out.fields)) {
    for (const f of out.fields as Record<string, unknown>[]) {
      if (
        Array.isArray(f.type) && f.type[0] !== "null" && "default" in f && f.default === null
      ) {
        delete f.default;
      }
    }
  }
  return out;
}

/** Returns the avsc type of a writer schema text, parsed once and cached. */
function typeFor(schemaText: string, name: string): avro.Type {
  let type = typeCache.get(schemaText);
  if (type) return type;
  try {
    type = avro.Type.forSchema(fixZtfSchema(JSON.parse(schemaText)) as avro.Schema, {
      registry: { long: BIGINT_LONG },
      wrapUnions: false,
    });
  } catch (err) {
    throw new AvroError(`${name}: the Avro schema in the file header cannot be used: ${err}`, {
      cause: err,
    });
  }
  typeCache.set(schemaText, type);
  return type;
}

/**
 * Decodes an Avro object container file from its bytes.
 *
 * @param bytes The whole file.
 * @param name The file name, for error messages.
 * @returns The schema, codec, metadata and all records.
 * @throws {AvroError} when the bytes are not an Avro container, are cut
 *   short, use an unsupported codec, or a block does not decode.
 *
 * @example
 * ```ts
 * import { readAvroContainer } from "./ztf_avro.ts";
 * const bytes = await Deno.readFile("../shared/data/ztf-alerts/396522680015020000.avro");
 * const { codec, records } = readAvroContainer(bytes, "396522680015020000.avro");
 * console.log(codec, records.length); // "null" 1
 * ```
 */
export function readAvroContainer(bytes: Uint8Array, name = "<bytes>"): AvroContainer {
  if (bytes.length < 4 || MAGIC.some((m, i) => bytes[i] !== m)) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0"));
    throw new AvroError(
      `${name}: not an Avro object container file (starts with ${
        head.join(" ") || "nothing"
      }, expected 4f 62 6a 01 "Obj\\x01")`,
      { hint: "alert packets are Avro files as distributed by ZTF (*.avro)" },
    );
  }
  const r = new Reader(bytes, name);
  r.pos = 4;
  // Metadata: map<bytes> in blocks; a negative count is followed by a byte size.
  const meta: Record<string, string> = {};
  const dec = new TextDecoder();
  for (;;) {
    let count = r.long();
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      r.long();
    }
    for (let i = 0; i < count; i++) {
      const key = dec.decode(r.take(r.long()));
      meta[key] = dec.decode(r.take(r.long()));
    }
  }
  const sync = r.take(16);
  const schemaText = meta["avro.schema"];
  if (schemaText === undefined) {
    throw new AvroError(`${name}: Avro header has no avro.schema entry`);
  }
  const codec = meta["avro.codec"] ?? "null";
  if (codec !== "null" && codec !== "deflate") {
    throw new AvroError(`${name}: Avro codec "${codec}" is not supported (null and deflate are)`, {
      hint: "re-encode the file with the null or deflate codec",
    });
  }
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch (err) {
    throw new AvroError(`${name}: avro.schema in the header is not valid JSON`, { cause: err });
  }
  const type = typeFor(schemaText, name);
  const records: unknown[] = [];
  let block = 0;
  while (r.pos < bytes.length) {
    const count = r.long();
    const size = r.long();
    let data = r.take(size);
    const marker = r.take(16);
    if (marker.some((b, i) => b !== sync[i])) {
      throw new AvroError(
        `${name}: block ${block} does not end with the file's sync marker (corrupt file)`,
      );
    }
    if (codec === "deflate") {
      try {
        data = inflateRawSync(data);
      } catch (err) {
        throw new AvroError(`${name}: block ${block} does not inflate: ${err}`, { cause: err });
      }
    }
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      let res: { value: unknown; offset: number };
      try {
        res = type.decode(buf, pos);
      } catch (err) {
        throw new AvroError(`${name}: record ${i} of block ${block} does not decode: ${err}`, {
          cause: err,
        });
      }
      if (res.offset < 0) {
        throw new AvroError(`${name}: record ${i} of block ${block} is truncated`);
      }
      records.push(res.value);
      pos = res.offset;
    }
    block++;
  }
  const other: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) if (k !== "avro.schema") other[k] = v;
  return { schema, codec, meta: other, records };
}
