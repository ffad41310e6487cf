/**
 * CRC-32 (ISO 3309 / ITU-T V.42, the zlib and PNG polynomial 0xEDB88320),
 * which the Avro `snappy` codec stores after each block.
 *
 * @module
 */

let table: Uint32Array | null = null;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * The CRC-32 of `bytes`, as an unsigned 32-bit number.
 *
 * @param bytes Data to check.
 * @returns The checksum (e.g. 0xCBF43926 for the ASCII bytes "123456789").
 *
 * @example
 * ```ts
 * import { crc32 } from "./crc32.ts";
 * const c = crc32(new TextEncoder().encode("123456789"));
 * if (c !== 0xcbf43926) throw new Error(`crc32 gave ${c.toString(16)}`);
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
