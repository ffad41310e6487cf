/**
 * Zip archives read from bytes: the central directory is parsed here and
 * each entry is stored or inflated (method 0 or 8) within a size limit.
 * ZIP64, encrypted entries and other methods are reported, not read.
 *
 * @module
 */
import { inflateRawSync } from "node:zlib";
import { type ArchiveEntry, ArchiveError } from "./archive_tar.ts";

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Whether the bytes start like a zip archive. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 22 && bytes[0] === 0x50 && bytes[1] === 0x4b &&
    (bytes[2] === 3 || bytes[2] === 5);
}

/** Finds the end-of-central-directory record (within the last 64 KiB + 22 bytes). */
function findEocd(v: DataView): number {
  const stop = Math.max(0, v.byteLength - 65557);
  for (let p = v.byteLength - 22; p >= stop; p--) if (v.getUint32(p, true) === EOCD) return p;
  throw new ArchiveError("zip archive has no end-of-central-directory record (truncated?)");
}

/** One central-directory entry's fields used here. */
interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  compSize: number;
  size: number;
  local: number;
}

function centralEntries(v: DataView, bytes: Uint8Array, maxEntries: number): CentralEntry[] {
  const e = findEocd(v);
  const count = v.getUint16(e + 10, true);
  const cdSize = v.getUint32(e + 12, true);
  let p = v.getUint32(e + 16, true);
  if (count === 0xffff || p === 0xffffffff) {
    throw new ArchiveError("ZIP64 archives are not supported");
  }
  if (count > maxEntries) {
    throw new ArchiveError(`zip archive has ${count} entries, over ${maxEntries}`);
  }
  if (p + cdSize > e) throw new ArchiveError("zip central directory lies outside the archive");
  const out: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > e || v.getUint32(p, true) !== CENTRAL) {
      throw new ArchiveError(`zip central directory entry ${i} is corrupt`);
    }
    const nameLen = v.getUint16(p + 28, true);
    const skip = nameLen + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
    if (p + 46 + skip > e) throw new ArchiveError(`zip central directory entry ${i} is cut short`);
    out.push({
      name: new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen)),
      method: v.getUint16(p + 10, true),
      flags: v.getUint16(p + 8, true),
      compSize: v.getUint32(p + 20, true),
      size: v.getUint32(p + 24, true),
      local: v.getUint32(p + 42, true),
    });
    p += 46 + skip;
  }
  return out;
}

/** The contents of one entry (stored or deflated), within `maxBytes`. */
function entryData(v: DataView, bytes: Uint8Array, c: CentralEntry, maxBytes: number): Uint8Array {
  if (c.flags & 1) throw new ArchiveError(`zip entry ${c.name} is encrypted`);
  if (c.size > maxBytes) {
    throw new ArchiveError(
      `zip entry ${c.name} is ${c.size} bytes, over the ${maxBytes}-byte limit`,
    );
  }
  const p = c.local;
  if (p + 30 > bytes.length || v.getUint32(p, true) !== LOCAL) {
    throw new ArchiveError(`zip entry ${c.name}: local header at byte ${p} is corrupt`);
  }
  const start = p + 30 + v.getUint16(p + 26, true) + v.getUint16(p + 28, true);
  if (start + c.compSize > bytes.length) throw new ArchiveError(`zip entry ${c.name} is cut short`);
  const raw = bytes.subarray(start, start + c.compSize);
  if (c.method === 0) return raw;
  if (c.method !== 8) {
    throw new ArchiveError(
      `zip entry ${c.name} uses compression method ${c.method} (0 and 8 are read)`,
    );
  }
  try {
    return new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(1, c.size) }));
  } catch (err) {
    throw new ArchiveError(`zip entry ${c.name} does not inflate: ${(err as Error).message}`);
  }
}

/**
 * Lists and extracts the files of a zip archive (directories are skipped).
 *
 * @param bytes The archive.
 * @param maxEntries Refuse archives with more entries than this.
 * @param maxBytes Refuse entries larger than this once extracted.
 * @returns The entries in central-directory order.
 * @throws {ArchiveError} when the archive is corrupt, ZIP64, encrypted or over a limit.
 */
export function readZip(bytes: Uint8Array, maxEntries: number, maxBytes: number): ArchiveEntry[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ArchiveEntry[] = [];
  for (const c of centralEntries(v, bytes, maxEntries)) {
    if (c.name.endsWith("/")) continue;
    out.push({ name: c.name, bytes: entryData(v, bytes, c, maxBytes) });
  }
  return out;
}
