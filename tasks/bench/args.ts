/**
 * What the benchmarks share: their option reading, the size of a folder on
 * disk, and the `--help` text (a benchmark's module documentation).
 *
 * @module
 */

/** The value after option `name` in `args`, or `def`. */
export function arg(args: readonly string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

/** Bytes of every file under `dir`, recursively. */
export async function folderBytes(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) n += await folderBytes(p);
    else if (e.isFile) n += (await Deno.stat(p)).size;
  }
  return n;
}

/**
 * The first JSDoc comment of a module's source, as plain text: what a
 * benchmark prints for `--help` (each documents its options there).
 */
export function moduleDoc(source: string): string {
  const m = /\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!m) return "";
  return m[1]!.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).filter((l) => l !== "@module")
    .join("\n").trim();
}
