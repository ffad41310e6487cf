/**
 * Atomic file writes: write to a temporary file in the same folder, then
 * rename over the target, so a crash never leaves a half-written file that
 * looks complete.
 *
 * @module
 */

/** Writes `data` to `path` atomically (temporary file + rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}
