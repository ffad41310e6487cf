/**
 * The Avro `long` type that decodes to `bigint` (so that 64-bit ids such as
 * ZTF's `candid` and Rubin's `diaSourceId` stay exact), for avsc's type
 * registry; shared by the ZTF and Rubin readers.
 *
 * @module
 */
import avro from "avsc";
import { Buffer } from "node:buffer";

/** A `long` type that decodes to `bigint`, so that 64-bit ids stay exact. */
export const BIGINT_LONG = avro.types.LongType.__with({
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

/** Decodes a zig-zag varint (Avro `long`) to a bigint (at most 10 bytes are used). */
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
  for (; i < buf.length && i < 10; i++) {
    big |= BigInt(buf[i]! & 0x7f) << shift;
    shift += 7n;
  }
  big = BigInt.asUintN(64, big);
  return (big >> 1n) ^ -(big & 1n);
}
