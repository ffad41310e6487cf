/**
 * Native Rubin (LSST) alerts in Avro: as they travel on Kafka, in the
 * Confluent wire format (byte 0 = magic 0, bytes 1-4 = the schema id, big
 * endian, then one Avro binary record written with that schema, which is not
 * in the message: the user gives it, `--schema FILE.avsc` or a folder of
 * `<id>.avsc` files), and as Avro object container files (schema embedded;
 * codecs null and deflate). `long` decodes to `bigint` (ids exceed 2^53).
 *
 * The LSST schema files are not shipped (GPL-3.0); a schema given must be
 * self-contained (every named type defined in it, as a schema registry
 * serves it).
 *
 * @module
 */
import avro from "avsc";
import { Buffer } from "node:buffer";
import { inflateRawSync } from "node:zlib";
import { ConventionError } from "../errors.ts";
import { BIGINT_LONG } from "./avro_bigint.ts";

/** A message or file that is not readable Rubin Avro, or a schema that is missing. */
export class RubinAvroError extends ConventionError {
  /** Creates the error (`message` names the file; `hint` says what to do). */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "RubinAvroError";
  }
}

/** Writer schemas by Confluent schema id; `any` is used for every id when set. */
export interface RubinSchemas {
  /** One schema for every id (from `--schema FILE.avsc`). */
  any?: avro.Type;
  /** Schemas by id (from a folder of `<id>.avsc`). */
  byId: Map<number, avro.Type>;
  /** Where they came from, for messages. */
  origin: string;
}

/**
 * Parses an Avro schema (JSON text) into a decoder with `bigint` longs.
 *
 * @param text The schema, JSON.
 * @param origin Its file, for messages.
 * @throws {RubinAvroError} when the text is not a valid Avro schema.
 */
export function parseRubinSchema(text: string, origin: string): avro.Type {
  try {
    return avro.Type.forSchema(JSON.parse(text) as avro.Schema, {
      registry: { long: BIGINT_LONG } as unknown as Record<string, avro.Type>,
    });
  } catch (err) {
    throw new RubinAvroError(`${origin} is not a valid Avro schema: ${(err as Error).message}`, {
      hint: "give a self-contained .avsc (every named type defined in it)",
      cause: err,
    });
  }
}

/**
 * Loads the schemas for Confluent-framed messages: a file is the schema for
 * every id; a folder holds `<id>.avsc` (or `<id>.json`) files, one per id.
 *
 * @param path An `.avsc` file or a folder.
 * @throws {RubinAvroError} when the path is missing or a schema does not parse.
 */
export function loadRubinSchemas(path: string): RubinSchemas {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    throw new RubinAvroError(`schema path ${path} does not exist`, {
      hint: "give --schema FILE.avsc or a folder of <id>.avsc files",
    });
  }
  if (info.isFile) {
    return {
      any: parseRubinSchema(Deno.readTextFileSync(path), path),
      byId: new Map(),
      origin: path,
    };
  }
  const byId = new Map<number, avro.Type>();
  for (const e of Deno.readDirSync(path)) {
    const m = /^(\d+)\.(avsc|json)$/i.exec(e.name);
    if (!m || e.isDirectory) continue;
    const f = `${path.replace(/\/+$/, "")}/${e.name}`;
    byId.set(Number(m[1]), parseRubinSchema(Deno.readTextFileSync(f), f));
  }
  return { byId, origin: path };
}

/** Whether bytes look like a Confluent wire-format message (magic byte 0, then a schema id). */
export function isConfluentFramed(bytes: Uint8Array): boolean {
  return bytes.length > 5 && bytes[0] === 0;
}

/** Whether bytes start an Avro object container ("Obj" 0x01). */
export function isAvroContainer(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x4f && bytes[1] === 0x62 && bytes[2] === 0x6a &&
    bytes[3] === 0x01;
}

/**
 * Decodes one Confluent-framed message.
 *
 * @param bytes The message (magic 0, schema id, Avro binary).
 * @param name Its file, for messages.
 * @param schemas The writer schemas.
 * @returns The schema id and the record.
 * @throws {RubinAvroError} without the magic byte, without a schema for the id, or when the
 *   record does not decode with it.
 */
export function decodeConfluent(
  bytes: Uint8Array,
  name: string,
  schemas: RubinSchemas | null,
): { schemaId: number; record: Record<string, unknown> } {
  if (!isConfluentFramed(bytes)) {
    throw new RubinAvroError(`${name}: not a Confluent wire-format message (no magic byte 0)`);
  }
  const schemaId = new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0, false);
  const type = schemas?.any ?? schemas?.byId.get(schemaId);
  if (!type) {
    throw new RubinAvroError(
      `${name}: Confluent message with schema id ${schemaId} and no schema for it` +
        (schemas ? ` in ${schemas.origin}` : ""),
      { hint: `give --schema FILE.avsc, or a folder holding ${schemaId}.avsc` },
    );
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset + 5, bytes.byteLength - 5);
  try {
    return { schemaId, record: type.fromBuffer(buf) as Record<string, unknown> };
  } catch (err) {
    throw new RubinAvroError(
      `${name}: the record does not decode with schema id ${schemaId}: ${(err as Error).message}`,
      { hint: "check that the schema given is the one the message was written with", cause: err },
    );
  }
}

/** A cursor over bytes reading Avro varints. */
class Cursor {
  pos = 0;
  constructor(readonly b: Uint8Array, readonly name: string) {}
  long(): number {
    let z = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.b.length) throw new RubinAvroError(`${this.name}: truncated Avro file`);
      const x = this.b[this.pos++]!;
      z += (x & 0x7f) * mul;
      mul *= 128;
      if (!(x & 0x80)) break;
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.b.length) {
      throw new RubinAvroError(`${this.name}: truncated Avro file`);
    }
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function readHeader(c: Cursor): { meta: Map<string, Uint8Array>; sync: Uint8Array } {
  c.bytes(4);
  const meta = new Map<string, Uint8Array>();
  const dec = new TextDecoder();
  for (let n = c.long(); n !== 0; n = c.long()) {
    if (n < 0) {
      n = -n;
      c.long(); // block size in bytes
    }
    for (let i = 0; i < n; i++) {
      const k = dec.decode(c.bytes(c.long()));
      meta.set(k, c.bytes(c.long()));
    }
  }
  return { meta, sync: c.bytes(16) };
}

/**
 * Decodes an Avro object container file (schema embedded).
 *
 * @param bytes The whole file.
 * @param name Its name, for messages.
 * @returns The records in file order.
 * @throws {RubinAvroError} when it is not a container, is truncated, uses another codec than
 *   null or deflate, or a block does not decode.
 */
export function readRubinContainer(bytes: Uint8Array, name: string): Record<string, unknown>[] {
  if (!isAvroContainer(bytes)) throw new RubinAvroError(`${name}: not an Avro container file`);
  const c = new Cursor(bytes, name);
  const { meta, sync } = readHeader(c);
  const schema = meta.get("avro.schema");
  if (!schema) throw new RubinAvroError(`${name}: Avro container without avro.schema`);
  const type = parseRubinSchema(new TextDecoder().decode(schema), `${name} (embedded schema)`);
  const codec = new TextDecoder().decode(meta.get("avro.codec") ?? new Uint8Array()) || "null";
  if (codec !== "null" && codec !== "deflate") {
    throw new RubinAvroError(`${name}: Avro codec "${codec}" is not supported`, {
      hint: "re-encode the file with the null or deflate codec",
    });
  }
  const out: Record<string, unknown>[] = [];
  while (c.pos < bytes.length) {
    const count = c.long();
    let data = c.bytes(c.long());
    if (!c.bytes(16).every((b, i) => b === sync[i])) {
      throw new RubinAvroError(`${name}: sync marker mismatch after block ${out.length}`);
    }
    try {
      if (codec === "deflate") data = inflateRawSync(data);
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      let pos = 0;
      for (let i = 0; i < count; i++) {
        const r = type.decode(buf, pos);
        if (r.offset < 0) throw new Error("record runs past the block");
        out.push(r.value as Record<string, unknown>);
        pos = r.offset;
      }
    } catch (err) {
      throw new RubinAvroError(`${name}: a block does not decode: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return out;
}
