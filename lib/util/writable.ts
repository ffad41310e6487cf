/**
 * Whether an output can be written, checked before a long job starts, with
 * an error naming the path (instead of a failure half-way).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

/** Whether `e` is the file system refusing a write (permissions, read-only, not a folder). */
export function isFsRefusal(e: unknown): boolean {
  return e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable ||
    e instanceof Deno.errors.NotADirectory ||
    e instanceof Deno.errors.AlreadyExists || e instanceof Deno.errors.IsADirectory ||
    (e instanceof Error && /read-only file system|EROFS|os error 30/i.test(e.message));
}

/**
 * Creates folder `dir` when missing and checks that a file can be written
 * in it.
 *
 * @throws {ConventionError} Naming the folder (`what`) when it cannot be written.
 */
export async function checkWritableFolder(dir: string, what = "output folder"): Promise<void> {
  const probe = `${dir}/.write-check-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (e) {
    if (isFsRefusal(e)) {
      throw new ConventionError(`Cannot write the ${what} ${dir}: ${(e as Error).message}.`, {
        hint: "choose a folder you can write, or fix its permissions",
        cause: e,
      });
    }
    throw e;
  }
}

/** The folder holding `path` (`.` for a bare name). */
export function parentFolder(path: string): string {
  const i = path.replace(/\/+$/, "").lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/**
 * Checks that file `path` can be written: its folder is created when
 * missing and must accept a file; `path` itself must not be a folder.
 *
 * @throws {ConventionError} Naming the path (`what`) when it cannot be written.
 */
export async function checkWritableFile(path: string, what = "output file"): Promise<void> {
  try {
    if ((await Deno.stat(path)).isDirectory) {
      throw new ConventionError(`The ${what} ${path} is a folder.`, {
        hint: "give a file path",
      });
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      if (e instanceof ConventionError) throw e;
      if (!isFsRefusal(e)) throw e;
    }
  }
  await checkWritableFolder(parentFolder(path), `folder of the ${what}`);
}
