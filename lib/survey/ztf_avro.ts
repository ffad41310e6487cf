/**
 * Avro object container files (the format of ZTF alert packets), decoded from
 * bytes: magic, metadata map (`avro.schema`, `avro.codec`), sync marker and
 * data blocks are read here; the records themselves are decoded by npm `avsc`
 * with the writer schema stored in the file.
 *
 * What python-avro and fastavro read, this reads:
 * - codecs `null`, `deflate` and `snappy` (with the CRC-32 check);
 * - schemas whose field defaults do not match their type (a `null` default
 *   on an `int`, `0` on a `null`-first union): defaults are never used when
 *   decoding with the writer schema, so those are dropped
 *   ({@link repairSchemaDefaults});
 * - `long` values (candid, pid, objectidps1, ...) exceed 2^53, so every
 *   `long` decodes to a `bigint` instead of a lossy number.
 *
 * Every length and count read from the file is checked against the bytes
 * left and against {@link AvroReadLimits} before anything is allocated, and
 * every failure is an {@link AvroError} with a {@link AvroErrorKind} that says
 * what was found (not Avro, Confluent-framed, truncated, corrupt block, ...).
 *
 * @module
 */
import avro from "avsc";
import { Buffer } from "node:buffer";
import { inflateRawSync } from "node:zlib";
import { ConventionError } from "../errors.ts";
import { repairSchemaDefaults } from "./avro_schema.ts";
import { BIGINT_LONG } from "./avro_bigint.ts";
import { installAvroBounds } from "./avro_bounds.ts";
import { sniffNonAvro } from "./avro_sniff.ts";
import { avroSnappyBlock } from "./snappy.ts";

installAvroBounds();

/** What kind of problem an {@link AvroError} reports. */
export type AvroErrorKind =
  | "not-avro"
  | "confluent-framed"
  | "truncated"
  | "corrupt"
  | "codec"
  | "schema"
  | "too-large"
  | "not-ztf"
  | "archive";

/** A file that is not a readable Avro object container (or not a ZTF alert). */
export class AvroError extends ConventionError {
  /** What was found, as a tag (`not-avro`, `truncated`, `corrupt`, ...). */
  readonly kind: AvroErrorKind;
  /**
   * Creates the error.
   *
   * @param message What is wrong, naming the file.
   * @param options `kind` (default `corrupt`), `hint` (what to do) and `cause`.
   */
  constructor(
    message: string,
    options: { kind?: AvroErrorKind; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = "AvroError";
    this.kind = options.kind ?? "corrupt";
  }
}

/** Size limits and checks applied while reading untrusted Avro files. */
export interface AvroReadLimits {
  /** Most bytes one data block may decompress to (default 64 MiB). */
  maxBlockBytes?: number;
  /**
   * Called with the header before the schema is compiled; throws (an
   * {@link AvroError}) to refuse a file whose schema is not the expected kind.
   */
  checkHeader?: (header: AvroHeader, name: string) => void;
}

/** Default {@link AvroReadLimits.maxBlockBytes}: 64 MiB (a ZTF alert is about 70 KB). */
export const DEFAULT_MAX_BLOCK_BYTES = 64 * 1024 * 1024;

/** The decoded content of one Avro object container file. */
export interface AvroContainer {
  /** The writer schema as stored in the file (parsed JSON, before the repairs). */
  schema: unknown;
  /** The compression codec of the data blocks (`null`, `deflate` or `snappy`). */
  codec: string;
  /** Other metadata entries, decoded as UTF-8. */
  meta: Record<string, string>;
  /** Field defaults dropped by the schema repair (`record.field`). */
  repairedDefaults: string[];
  /** The records, in file order, as avsc decodes them (`long` as `bigint`). */
  records: unknown[];
}

/** The header of a container, before its blocks are decoded. */
export interface AvroHeader {
  /** The writer schema (parsed JSON). */
  schema: unknown;
  /** The schema text as stored. */
  schemaText: string;
  /** Block codec. */
  codec: string;
  /** All metadata entries but `avro.schema`. */
  meta: Record<string, string>;
  /** The 16-byte sync marker. */
  sync: Uint8Array;
  /** Byte offset of the first data block. */
  dataStart: number;
}

const MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // "Obj\x01"
const CODECS = new Set(["null", "deflate", "snappy"]);

/** Parsed avsc types, keyed by the schema text (packets of one stream share it). */
const typeCache = new Map<string, { type: avro.Type; repaired: string[] }>();
const TYPE_CACHE_MAX = 64;

/** Cursor over bytes with Avro's zig-zag varint `long` (safe up to 2^53 here). */
class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly name: string) {}

  long(what: string): number {
    let result = 0;
    let mul = 1;
    let b: number;
    let k = 0;
    do {
      if (this.pos >= this.bytes.length) throw this.truncated(what, 1);
      if (++k > 10) {
        throw new AvroError(`${this.name}: ${what} at byte ${this.pos} is not a valid varint`);
      }
      b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    // zig-zag: even -> n/2, odd -> -(n+1)/2
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  take(n: number, what: string): Uint8Array {
    if (!(n >= 0)) {
      throw new AvroError(`${this.name}: ${what} at byte ${this.pos} has a negative length ${n}`);
    }
    if (this.pos + n > this.bytes.length) throw this.truncated(what, n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  truncated(what: string, needs: number): AvroError {
    const left = this.bytes.length - this.pos;
    return new AvroError(
      `${this.name}: Avro container is truncated: ${what} at byte ${this.pos} needs ` +
        `${needs.toLocaleString("en-US")} bytes but ${left.toLocaleString("en-US")} remain ` +
        `(file of ${this.bytes.length.toLocaleString("en-US")} bytes)`,
      { kind: "truncated", hint: "the file was cut short or is corrupt; fetch it again" },
    );
  }
}

/**
 * Removes field defaults that do not match their type (avsc rejects them;
 * defaults are only used when writing or resolving). Returns a fixed deep
 * copy; the input is not changed. Same as {@link repairSchemaDefaults}.
 */
export function fixZtfSchema(schema: unknown): unknown {
  return repairSchemaDefaults(schema);
}

/** Returns the avsc type of a writer schema, parsed once and cached. */
function typeFor(header: AvroHeader, name: string): { type: avro.Type; repaired: string[] } {
  const hit = typeCache.get(header.schemaText);
  if (hit) return hit;
  const repaired: string[] = [];
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(repairSchemaDefaults(header.schema, repaired) as avro.Schema, {
      registry: { long: BIGINT_LONG },
      wrapUnions: false,
    });
  } catch (err) {
    throw new AvroError(
      `${name}: the Avro schema in the file header cannot be used: ${(err as Error).message}`,
      { kind: "schema", cause: err },
    );
  }
  if (typeCache.size >= TYPE_CACHE_MAX) typeCache.delete(typeCache.keys().next().value!);
  const entry = { type, repaired };
  typeCache.set(header.schemaText, entry);
  return entry;
}

/** Throws the typed error for bytes that lack the container magic. */
function notAvro(bytes: Uint8Array, name: string): never {
  const { kind, found } = sniffNonAvro(bytes);
  const confluent = kind === "confluent-framed";
  throw new AvroError(
    `${name}: not an Avro object container file: ${found} (expected 4f 62 6a 01 "Obj\\x01")`,
    {
      kind: confluent ? "confluent-framed" : "not-avro",
      hint: confluent
        ? "decode Kafka messages with their registry schema, or save alerts as .avro container files"
        : "alert packets are Avro files as distributed by ZTF (*.avro), or zip/tar archives of them",
    },
  );
}

/** Reads the metadata map of the header (blocks of key/value bytes). */
function readMeta(r: Reader): Record<string, string> {
  const meta: Record<string, string> = {};
  const dec = new TextDecoder();
  for (let blocks = 0;; blocks++) {
    let count = r.long("header metadata count");
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      r.long("header metadata size");
    }
    if (count > r.bytes.length - r.pos) {
      throw new AvroError(
        `${r.name}: header metadata claims ${count} entries in ${r.bytes.length - r.pos} bytes`,
      );
    }
    for (let i = 0; i < count; i++) {
      const key = dec.decode(r.take(r.long("metadata key length"), "metadata key"));
      meta[key] = dec.decode(r.take(r.long("metadata value length"), `metadata "${key}"`));
    }
  }
  return meta;
}

/**
 * Reads the header of an Avro object container: magic, metadata, sync marker.
 *
 * @param bytes The whole file.
 * @param name The file name, for error messages.
 * @throws {AvroError} when the bytes are not an Avro container (kind
 *   `not-avro`, `confluent-framed`), the header is cut short, the schema is
 *   missing or not JSON, or the codec is not `null`, `deflate` or `snappy`.
 */
export function readAvroHeader(bytes: Uint8Array, name = "<bytes>"): AvroHeader {
  if (bytes.length < 4 || MAGIC.some((m, i) => bytes[i] !== m)) notAvro(bytes, name);
  const r = new Reader(bytes, name);
  r.pos = 4;
  const meta = readMeta(r);
  const sync = r.take(16, "sync marker");
  const schemaText = meta["avro.schema"];
  if (schemaText === undefined) {
    throw new AvroError(`${name}: Avro header has no avro.schema entry`, { kind: "schema" });
  }
  const codec = meta["avro.codec"] ?? "null";
  if (!CODECS.has(codec)) {
    throw new AvroError(
      `${name}: Avro codec "${codec}" is not supported (null, deflate and snappy are)`,
      { kind: "codec", hint: "re-encode the file with the null, deflate or snappy codec" },
    );
  }
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch (err) {
    throw new AvroError(`${name}: avro.schema in the header is not valid JSON`, {
      kind: "schema",
      cause: err,
    });
  }
  const other: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) if (k !== "avro.schema") other[k] = v;
  return { schema, schemaText, codec, meta: other, sync, dataStart: r.pos };
}

/** Decompresses one block's data with the file's codec, within the size limit. */
function inflateBlock(data: Uint8Array, codec: string, max: number, where: string): Uint8Array {
  if (codec === "null") {
    if (data.length > max) throw tooLarge(where, data.length, max);
    return data;
  }
  try {
    if (codec === "deflate") return inflateRawSync(data, { maxOutputLength: max });
    return avroSnappyBlock(data, max);
  } catch (err) {
    const msg = (err as Error).message;
    if (/maxOutputLength|over the .*limit|Cannot create a Buffer larger/i.test(msg)) {
      throw tooLarge(where, null, max);
    }
    throw new AvroError(`${where} does not decompress (${codec}): ${msg}`, { cause: err });
  }
}

function tooLarge(where: string, size: number | null, max: number): AvroError {
  return new AvroError(
    `${where} is ${
      size === null ? "larger than" : `${size.toLocaleString("en-US")} bytes, over`
    } ` +
      `the ${max.toLocaleString("en-US")}-byte block limit`,
    { kind: "too-large", hint: "raise maxBlockBytes if the file is trusted" },
  );
}

/** Decodes `count` records from one decompressed block. */
function decodeBlock(type: avro.Type, data: Uint8Array, count: number, where: string): unknown[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: unknown[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let res: { value: unknown; offset: number };
    try {
      res = type.decode(buf, pos);
    } catch (err) {
      throw new AvroError(`${where}: record ${i} does not decode: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (res.offset < 0) {
      throw new AvroError(`${where}: record ${i} runs past the end of the block (corrupt data)`);
    }
    out.push(res.value);
    pos = res.offset;
  }
  return out;
}

/**
 * Decodes an Avro object container file from its bytes.
 *
 * @param bytes The whole file.
 * @param name The file name, for error messages.
 * @param limits Size limits (block size after decompression).
 * @returns The schema, codec, metadata and all records.
 * @throws {AvroError} when the bytes are not an Avro container, are cut
 *   short, use an unsupported codec, or a block does not decode; its `kind`
 *   says which.
 *
 * @example
 * ```ts
 * import { readAvroContainer } from "./ztf_avro.ts";
 * import { makeAlertPacket } from "./ztf_example.ts";
 * const { codec, records } = readAvroContainer(makeAlertPacket(), "example.avro");
 * if (codec !== "null" || records.length !== 1) throw new Error("example packet");
 * ```
 */
export function readAvroContainer(
  bytes: Uint8Array,
  name = "<bytes>",
  limits: AvroReadLimits = {},
): AvroContainer {
  const header = readAvroHeader(bytes, name);
  limits.checkHeader?.(header, name);
  const { type, repaired } = typeFor(header, name);
  return {
    schema: header.schema,
    codec: header.codec,
    meta: header.meta,
    repairedDefaults: repaired,
    records: readAvroBlocks(bytes, header, type, name, limits),
  };
}

/** Reads and decodes every data block after the header. */
function readAvroBlocks(
  bytes: Uint8Array,
  header: AvroHeader,
  type: avro.Type,
  name: string,
  limits: AvroReadLimits,
): unknown[] {
  const max = limits.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
  const r = new Reader(bytes, name);
  r.pos = header.dataStart;
  const records: unknown[] = [];
  for (let block = 0; r.pos < bytes.length; block++) {
    const where = `${name}: block ${block}`;
    const count = r.long(`block ${block} record count`);
    const size = r.long(`block ${block} size`);
    const data = r.take(size, `block ${block} data`);
    const marker = r.take(16, `block ${block} sync marker`);
    if (marker.some((b, i) => b !== header.sync[i])) {
      throw new AvroError(
        `${where} does not end with the file's sync marker (corrupt file: expected sync marker ` +
          `not found)`,
      );
    }
    const plain = inflateBlock(data, header.codec, max, where);
    if (count < 0 || count > plain.length + 1) {
      throw new AvroError(`${where} claims ${count} records in ${plain.length} bytes`);
    }
    for (const rec of decodeBlock(type, plain, count, where)) records.push(rec);
  }
  return records;
}
