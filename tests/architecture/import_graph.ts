/**
 * The import graph of `lib/`, read from `deno info --json` (static imports,
 * `import type` included; Worker URLs and dynamic imports are not edges), and
 * the cycles in it, between files and between packages.
 */
import { tsFiles } from "./function_lengths.ts";

/** File (relative to `lib/`, e.g. `train/train.ts`) -> the `lib/` files it imports. */
export type ImportGraph = Map<string, Set<string>>;

/**
 * Runs `deno info --json` on a module importing every `.ts` file of `lib/`
 * and returns the graph between them.
 *
 * @param root The repository root.
 */
export async function libImportGraph(root: URL): Promise<ImportGraph> {
  const files = await tsFiles(root, "lib");
  const dir = await Deno.makeTempDir();
  try {
    const entry = `${dir}/all_of_lib.ts`;
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import ${JSON.stringify(new URL(f, root).href)};\n`).join(""),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", new URL("deno.json", root).pathname, entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`deno info failed: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
    return graphFromInfo(JSON.parse(new TextDecoder().decode(out.stdout)), new URL("lib/", root));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface InfoJson {
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
  }[];
}

/** The edges between files under `lib` of a `deno info --json` output. */
export function graphFromInfo(info: InfoJson, lib: URL): ImportGraph {
  const prefix = lib.href;
  const rel = (s: string | undefined) => s?.startsWith(prefix) ? s.slice(prefix.length) : null;
  const graph: ImportGraph = new Map();
  for (const m of info.modules) {
    const from = rel(m.specifier);
    if (from === null) continue;
    const to = graph.get(from) ?? new Set<string>();
    graph.set(from, to);
    for (const d of m.dependencies ?? []) {
      for (const target of [rel(d.code?.specifier), rel(d.type?.specifier)]) {
        if (target !== null) to.add(target);
      }
    }
  }
  return graph;
}

/** The package of a `lib/` file: its top folder (`model/ops/norm.ts` -> `model`), `.` at the top. */
export function packageOf(file: string): string {
  const i = file.indexOf("/");
  return i < 0 ? "." : file.slice(0, i);
}

/** The graph between packages (no self edges). */
export function packageGraph(g: ImportGraph): ImportGraph {
  const out: ImportGraph = new Map();
  for (const [from, tos] of g) {
    const p = packageOf(from);
    const set = out.get(p) ?? new Set<string>();
    out.set(p, set);
    for (const t of tos) if (packageOf(t) !== p) set.add(packageOf(t));
  }
  return out;
}

/**
 * The cycles of a graph: its strongly connected components with more than
 * one node, or one node importing itself (Tarjan), each sorted, sorted.
 */
export function cycles(g: ImportGraph): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const comp: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || g.get(v)?.has(v)) out.push(comp.sort());
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
