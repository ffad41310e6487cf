/**
 * Says what a file that is not an Avro object container is, from its first
 * bytes: a Confluent-framed (schemaless) Avro message, JSON, text, an archive,
 * FITS, an image, or unknown bytes.
 *
 * @module
 */

function hex(bytes: Uint8Array, k: number): string {
  return Array.from(bytes.subarray(0, k), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Whether the first `k` bytes are printable text (UTF-8 text with tabs/newlines). */
function looksLikeText(bytes: Uint8Array, k = 512): boolean {
  const n = Math.min(k, bytes.length);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b < 9 || (b > 13 && b < 32) || b === 127) return false;
  }
  return n > 0;
}

/** What kind of non-Avro content the bytes hold (a short kind tag). */
export type SniffKind =
  | "empty"
  | "confluent-framed"
  | "json"
  | "text"
  | "gzip"
  | "zip"
  | "tar"
  | "fits"
  | "image"
  | "unknown";

/**
 * Describes bytes that do not start with the Avro container magic `Obj\x01`.
 *
 * @param bytes The file's bytes (only the first 512 are looked at, and 262 for tar).
 * @returns A kind tag and a sentence saying what was found.
 *
 * @example
 * ```ts
 * import { sniffNonAvro } from "./avro_sniff.ts";
 * const { kind } = sniffNonAvro(new Uint8Array([0, 0, 0, 0, 7, 2, 0x31]));
 * if (kind !== "confluent-framed") throw new Error(kind);
 * ```
 */
export function sniffNonAvro(bytes: Uint8Array): { kind: SniffKind; found: string } {
  const n = `${bytes.length.toLocaleString("en-US")} bytes`;
  const starts = (...m: number[]): boolean => m.every((b, i) => bytes[i] === b);
  if (bytes.length === 0) return { kind: "empty", found: "an empty file" };
  if (bytes[0] === 0 && bytes.length > 5) {
    const id = ((bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) >>> 0;
    return {
      kind: "confluent-framed",
      found: `schemaless Avro in the Confluent wire format (magic byte 0, schema id ${id}): ` +
        `the writer schema is in a schema registry, not in the file`,
    };
  }
  if (starts(0x1f, 0x8b)) return { kind: "gzip", found: `gzip data, ${n}` };
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) {
    return { kind: "zip", found: `a zip archive, ${n}` };
  }
  if (bytes.length >= 262 && String.fromCharCode(...bytes.subarray(257, 262)) === "ustar") {
    return { kind: "tar", found: `a tar archive, ${n}` };
  }
  if (starts(0x53, 0x49, 0x4d, 0x50, 0x4c, 0x45)) {
    return { kind: "fits", found: `a FITS file, ${n}` };
  }
  if (starts(0xff, 0xd8, 0xff) || starts(0x89, 0x50, 0x4e, 0x47)) {
    return { kind: "image", found: `a JPEG or PNG image, ${n}` };
  }
  if (looksLikeText(bytes)) {
    const first = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart();
    const line = first.split("\n")[0]!.slice(0, 40);
    if (first.startsWith("{") || first.startsWith("[")) {
      return { kind: "json", found: `JSON text (starts "${line}"), ${n}` };
    }
    return { kind: "text", found: `text (starts "${line}"), ${n}` };
  }
  return { kind: "unknown", found: `unknown data (starts with ${hex(bytes, 8)}), ${n}` };
}
