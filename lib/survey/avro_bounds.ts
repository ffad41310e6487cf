/**
 * Bounds for npm `avsc` decoding of untrusted bytes. avsc trusts the item
 * count of an Avro array or map block: a corrupt count (say 2^40) makes it
 * allocate an array of that length and loop that many times, reading past the
 * end of the data. These replacements of `ArrayType`/`MapType` `_read` refuse
 * a block whose count exceeds the bytes left (every item of a non-null type
 * takes at least one byte) and stop at the end of the data, so a corrupt
 * packet fails fast with a RangeError that the container reader reports.
 *
 * Installed once, on import, for the avsc module of this package.
 *
 * @module
 */
import avro from "avsc";

/** The parts of avsc's internal Tap used here. */
interface Tap {
  buf: Uint8Array;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
}

/** The parts of an avsc type used here. */
interface ReadableType {
  typeName: string;
  _read(tap: Tap): unknown;
}

/** Most items a block of zero-size items (arrays of `null`) may claim. */
const MAX_EMPTY_ITEMS = 1 << 20;

/** Reads one block header's item count, checked against the bytes left. */
function blockCount(tap: Tap, items: ReadableType, what: string): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.skipLong();
  }
  const left = Math.max(0, tap.buf.length - tap.pos);
  const max = items.typeName === "null" ? MAX_EMPTY_ITEMS : left;
  if (n > 0 && !(n <= max)) {
    throw new RangeError(
      `${what} block claims ${n} items but only ${left} bytes remain`,
    );
  }
  return n;
}

function patch(): void {
  const types = avro.types as unknown as Record<string, { prototype: Record<string, unknown> }>;
  types.ArrayType!.prototype._read = function (this: { itemsType: ReadableType }, tap: Tap) {
    const items = this.itemsType;
    const val: unknown[] = [];
    let n: number;
    while ((n = blockCount(tap, items, "array"))) {
      while (n--) {
        if (tap.pos > tap.buf.length) return val; // past the end: the tap is invalid, avsc reports it
        val.push(items._read(tap));
      }
    }
    return val;
  };
  types.MapType!.prototype._read = function (this: { valuesType: ReadableType }, tap: Tap) {
    const values = this.valuesType;
    const val: Record<string, unknown> = {};
    let n: number;
    while ((n = blockCount(tap, { typeName: "map", _read: values._read }, "map"))) {
      while (n--) {
        if (tap.pos > tap.buf.length) return val;
        const key = tap.readString();
        val[key] = values._read(tap);
      }
    }
    return val;
  };
}

let installed = false;

/** Installs the bounded array and map readers into avsc (idempotent). */
export function installAvroBounds(): void {
  if (installed) return;
  patch();
  installed = true;
}
