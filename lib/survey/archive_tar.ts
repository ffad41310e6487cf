/**
 * Tar archives (POSIX ustar, GNU long names, pax `path`), read from bytes:
 * the regular files' names and contents. Sizes are checked against the bytes
 * left before anything is sliced.
 *
 * @module
 */

/** One regular file of an archive. */
export interface ArchiveEntry {
  /** The entry's path inside the archive. */
  name: string;
  /** Its contents (a view into the archive's bytes, or inflated). */
  bytes: Uint8Array;
}

/** An archive that cannot be read (corrupt, truncated, over a limit, unsupported). */
export class ArchiveError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong with the archive.
   */
  constructor(message: string) {
    super(message);
    this.name = "ArchiveError";
  }
}

const BLOCK = 512;

function text(b: Uint8Array): string {
  const z = b.indexOf(0);
  return new TextDecoder().decode(z >= 0 ? b.subarray(0, z) : b);
}

/** Size field: octal text, or base-256 when the high bit of the first byte is set. */
function sizeField(b: Uint8Array): number {
  if (b[0]! & 0x80) {
    let v = b[0]! & 0x7f;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = text(b).trim();
  if (!/^[0-7]*$/.test(s)) return NaN;
  return s === "" ? 0 : parseInt(s, 8);
}

/** Whether the 512 bytes at `pos` are a tar header (checksum matches). */
function validHeader(bytes: Uint8Array, pos: number): boolean {
  const stored = parseInt(text(bytes.subarray(pos + 148, pos + 156)).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : bytes[pos + i]!;
  return stored === sum;
}

/** Whether the bytes look like a tar archive (a valid first header). */
export function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= BLOCK && validHeader(bytes, 0);
}

/** The `path` record of a pax extended header, if any. */
function paxPath(data: Uint8Array): string | null {
  const m = new TextDecoder().decode(data).match(/(?:^|\n)\d+ path=([^\n]*)\n/);
  return m ? m[1]! : null;
}

/** One parsed tar header block. */
export interface TarHeader {
  /** Path (ustar prefix joined); a preceding GNU `L` or pax `path` record overrides it. */
  name: string;
  /** Size of the data that follows, in bytes. */
  size: number;
  /** Type flag: `0`/`\0`/`7` regular file, `L` GNU long name, `x` pax header, others skipped. */
  type: string;
}

/**
 * Parses one 512-byte tar header block; null for an all-zero (end) block.
 *
 * @param h The 512 bytes.
 * @param pos Its offset in the archive, for messages.
 * @throws {ArchiveError} when the checksum or size field is wrong.
 */
export function parseTarHeader(h: Uint8Array, pos: number): TarHeader | null {
  if (h.every((b) => b === 0)) return null;
  if (!validHeader(h, 0)) throw new ArchiveError(`tar header at byte ${pos} is corrupt`);
  const size = sizeField(h.subarray(124, 136));
  if (!Number.isFinite(size)) throw new ArchiveError(`tar header at byte ${pos} has a bad size`);
  const prefix = text(h.subarray(345, 500));
  const base = text(h.subarray(0, 100));
  return { name: prefix ? `${prefix}/${base}` : base, size, type: String.fromCharCode(h[156]!) };
}

/** Whether a tar type flag is a regular file. */
export function isTarFile(type: string): boolean {
  return type === "0" || type === "\0" || type === "7";
}

/** The file name a GNU `L` or pax `x` record gives for the next entry (null: none). */
export function tarLongName(type: string, data: Uint8Array): string | null {
  return type === "L" ? text(data) : paxPath(data);
}

/**
 * Lists the regular files of a tar archive.
 *
 * @param bytes The (uncompressed) archive.
 * @param maxEntries Refuse archives with more regular files than this.
 * @returns The entries in archive order.
 * @throws {ArchiveError} when a header is corrupt or an entry is cut short.
 */
export function readTar(bytes: Uint8Array, maxEntries: number): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  let pos = 0;
  let longName: string | null = null;
  while (pos + BLOCK <= bytes.length) {
    const h = parseTarHeader(bytes.subarray(pos, pos + BLOCK), pos);
    if (!h) break; // end-of-archive blocks
    if (pos + BLOCK + h.size > bytes.length) {
      throw new ArchiveError(
        `tar entry at byte ${pos} declares ${h.size} bytes but ${
          bytes.length - pos - BLOCK
        } remain`,
      );
    }
    const data = bytes.subarray(pos + BLOCK, pos + BLOCK + h.size);
    pos += BLOCK + Math.ceil(h.size / BLOCK) * BLOCK;
    if (h.type === "L" || h.type === "x") {
      longName = tarLongName(h.type, data) ?? longName;
      continue;
    }
    const name = longName ?? h.name;
    longName = null;
    if (!isTarFile(h.type)) continue; // directories, links, global headers: no contents
    if (out.length >= maxEntries) {
      throw new ArchiveError(`tar archive has over ${maxEntries} files`);
    }
    out.push({ name, bytes: data });
  }
  return out;
}
