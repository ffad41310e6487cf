/**
 * The inputs that hold alert packets: plain `.avro` files, gzipped ones, and
 * `.zip`, `.tar`, `.tar.gz`/`.tgz` archives of them, recognised by content
 * (not by name). An archive's packets are named `archive.zip!inner.avro`.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { type ArchiveEntry, ArchiveError, isTar, readTar } from "./archive_tar.ts";
import { isZip, readZip } from "./archive_zip.ts";
import { AvroError } from "./ztf_avro.ts";

/** Limits on archives (bytes after decompression, number of entries). */
export interface ArchiveLimits {
  /** Most bytes a gzipped input may inflate to (default 512 MiB). */
  maxArchiveBytes?: number;
  /** Most bytes one archive entry may have (default 64 MiB). */
  maxEntryBytes?: number;
  /** Most entries in one archive (default 100,000). */
  maxEntries?: number;
}

const DEFAULTS = {
  maxArchiveBytes: 512 * 1024 * 1024,
  maxEntryBytes: 64 * 1024 * 1024,
  maxEntries: 100_000,
};

/** One packet file: a plain file, or an entry of an archive (`archive!entry`). */
export interface AlertInput {
  /** File name, or `archive!entry` for archive members. */
  name: string;
  /** The packet file's bytes. */
  bytes: Uint8Array;
}

function archiveError(name: string, err: unknown): AvroError {
  return new AvroError(`${name}: archive cannot be read: ${(err as Error).message}`, {
    kind: "archive",
    cause: err,
    hint: "check the archive with `tar tzf` or `unzip -l`; or extract it and give the folder",
  });
}

function gunzipBounded(name: string, bytes: Uint8Array, max: number): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: max }));
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new AvroError(
        `${name}: gzip data inflates to more than ${max.toLocaleString("en-US")} bytes ` +
          `(the maxArchiveBytes limit)`,
        { kind: "too-large", hint: "extract the archive and give the folder" },
      );
    }
    throw archiveError(name, err);
  }
}

/**
 * Splits one input file into the packet files it holds: itself when it is not
 * an archive; the regular files of a zip or tar (gzipped or not); the
 * inflated content of a gzipped single file.
 *
 * @param name The file's name (used to name entries `name!entry`).
 * @param bytes The file's bytes.
 * @param limits Archive size limits.
 * @returns The packet files, in archive order.
 * @throws {AvroError} (kind `archive` or `too-large`) when an archive cannot be read.
 *
 * @example
 * ```ts
 * import { expandAlertInput } from "./ztf_inputs.ts";
 * const [one] = expandAlertInput("a.avro", new Uint8Array([0x4f, 0x62, 0x6a, 1]));
 * if (one!.name !== "a.avro") throw new Error(one!.name);
 * ```
 */
export function expandAlertInput(
  name: string,
  bytes: Uint8Array,
  limits: ArchiveLimits = {},
): AlertInput[] {
  const lim = { ...DEFAULTS, ...limits };
  let entries: ArchiveEntry[];
  try {
    if (isZip(bytes)) entries = readZip(bytes, lim.maxEntries, lim.maxEntryBytes);
    else if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      const inner = gunzipBounded(name, bytes, lim.maxArchiveBytes);
      if (!isTar(inner)) return [{ name: `${name}!${gunzippedName(name)}`, bytes: inner }];
      entries = readTar(inner, lim.maxEntries);
    } else if (isTar(bytes)) entries = readTar(bytes, lim.maxEntries);
    else return [{ name, bytes }];
  } catch (err) {
    if (err instanceof AvroError) throw err;
    if (err instanceof ArchiveError) throw archiveError(name, err);
    throw err;
  }
  for (const e of entries) {
    if (e.bytes.length > lim.maxEntryBytes) {
      throw new AvroError(`${name}!${e.name} is over the ${lim.maxEntryBytes}-byte entry limit`, {
        kind: "too-large",
      });
    }
  }
  return entries.map((e) => ({ name: `${name}!${e.name}`, bytes: e.bytes }));
}

/** The name of a gzipped file's content: without `.gz`. */
function gunzippedName(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return base.toLowerCase().endsWith(".gz") ? base.slice(0, -3) : base;
}

/**
 * Reads one input file whole and expands it ({@link expandAlertInput}),
 * refusing (before reading) a file larger than the archive limit.
 *
 * @param path The input file.
 * @param limits Archive limits.
 * @throws {AvroError} (kind `too-large`, `archive`) as {@link expandAlertInput}.
 */
export async function readAlertInputFile(
  path: string,
  limits: ArchiveLimits = {},
): Promise<AlertInput[]> {
  const max = Math.max(
    limits.maxArchiveBytes ?? DEFAULTS.maxArchiveBytes,
    limits.maxEntryBytes ?? DEFAULTS.maxEntryBytes,
  );
  const size = (await Deno.stat(path)).size;
  if (size > max) {
    throw new AvroError(
      `${path}: file of ${size.toLocaleString("en-US")} bytes is over the ` +
        `${max.toLocaleString("en-US")}-byte limit for files read whole`,
      { kind: "too-large", hint: "extract the archive and give the folder" },
    );
  }
  return expandAlertInput(path, await Deno.readFile(path), limits);
}
