/**
 * Expands the paths given for alert packets: files are kept as given,
 * directories become their `*.avro` files (sorted, not recursive).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

/**
 * Lists the alert packet files named by `paths`.
 *
 * @param paths Files and/or directories.
 * @returns Files in the order given; each directory's `*.avro` files sorted by name.
 * @throws {ConventionError} when a path does not exist.
 *
 * @example
 * ```ts
 * import { listAlertFiles } from "./ztf_files.ts";
 * const files = await listAlertFiles(["../shared/data/ztf-alerts"]);
 * console.log(files.length); // 10
 * ```
 */
export async function listAlertFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(p);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new ConventionError(`alert path ${p} does not exist`, {
          hint: "give .avro packet files or folders that hold them",
        });
      }
      throw err;
    }
    if (!info.isDirectory) {
      out.push(p);
      continue;
    }
    const names: string[] = [];
    for await (const e of Deno.readDir(p)) {
      if ((e.isFile || e.isSymlink) && e.name.toLowerCase().endsWith(".avro")) names.push(e.name);
    }
    names.sort();
    const base = p.endsWith("/") ? p : `${p}/`;
    for (const n of names) out.push(base + n);
  }
  return out;
}
