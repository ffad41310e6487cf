/**
 * The folder a store is written into: refuses a path that is a file, an
 * existing store unless overwriting was asked for, and a folder that cannot
 * be written; removes the temporary files a killed ingest left behind.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { checkWritableFolder } from "../util/writable.ts";
import { INDEX_NAME } from "./store_format.ts";

export { checkWritableFolder };

/** Temporary files of an unfinished store write (`frames-*.bin.tmp`, `index.json.*.tmp`). */
const TEMPORARY = /^(frames-[0-9a-z-]+\.bin\.tmp|index\.json\..+\.tmp)$/;

/** What {@link removeStaleTemporaries} removed. */
export interface StaleCleanup {
  /** File names removed. */
  files: string[];
  /** Their total size in bytes. */
  bytes: number;
}

/**
 * Removes the temporary files of earlier, killed writes into store folder
 * `dir` (call it before a new write starts). A missing folder has none.
 * Two ingests into one folder at the same time are not supported: the
 * second would remove the first one's temporary files (and the last to
 * finish would win anyway).
 */
export async function removeStaleTemporaries(dir: string): Promise<StaleCleanup> {
  const out: StaleCleanup = { files: [], bytes: 0 };
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return out;
    throw e;
  }
  for (const e of entries) {
    if (!e.isFile || !TEMPORARY.test(e.name)) continue;
    const path = `${dir}/${e.name}`;
    const size = (await Deno.stat(path).catch(() => null))?.size ?? 0;
    await Deno.remove(path).catch(() => {});
    out.files.push(e.name);
    out.bytes += size;
  }
  return out;
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    throw e;
  }
}

/**
 * Checks that a store can be written at `dir`: not a file, not an existing
 * store unless `force`, and writable (the folder is created when missing).
 *
 * @throws {ConventionError} Naming the path and what to do.
 */
export async function checkStoreTarget(dir: string, opts: { force?: boolean } = {}): Promise<void> {
  const info = await statOrNull(dir);
  if (info && !info.isDirectory) {
    throw new ConventionError(`The store path ${dir} is an existing file, not a folder.`, {
      hint: "give --out a folder path (new, or a store to replace with --force)",
    });
  }
  if (info && !opts.force && (await statOrNull(`${dir}/${INDEX_NAME}`))?.isFile) {
    throw new ConventionError(`${dir} already holds a store; it was not replaced.`, {
      hint: "add --force to replace it (runs trained on it will then refuse the new one), " +
        "or choose another --out",
    });
  }
  await checkWritableFolder(dir, "store folder");
}
