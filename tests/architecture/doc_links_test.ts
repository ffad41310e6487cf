/**
 * The documentation's links hold: every relative Markdown link in README.md
 * and docs/*.md names a file or folder of the repository, and every
 * `#anchor` into docs/benchmark_details.md is one of its `<a id>` anchors.
 */
import { assertEquals } from "../util/assert.ts";

const ROOT = new URL("../../", import.meta.url);

async function markdownFiles(): Promise<string[]> {
  const out = ["README.md"];
  for await (const e of Deno.readDir(new URL("docs/", ROOT))) {
    if (e.isFile && e.name.endsWith(".md")) out.push(`docs/${e.name}`);
  }
  return out.sort();
}

async function exists(url: URL): Promise<boolean> {
  try {
    await Deno.stat(url);
    return true;
  } catch {
    return false;
  }
}

Deno.test("docs: relative links and benchmark anchors resolve", async () => {
  const details = await Deno.readTextFile(new URL("docs/benchmark_details.md", ROOT));
  const anchors = new Set([...details.matchAll(/<a id="([\w-]+)"><\/a>/g)].map((m) => m[1]!));
  const broken: string[] = [];
  for (const file of await markdownFiles()) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    const base = new URL(file, ROOT);
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!) || target!.startsWith("#")) continue;
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      if (!(await exists(new URL(path, base)))) broken.push(`${file}: ${target}`);
      else if (path.endsWith("benchmark_details.md") && anchor && !anchors.has(anchor)) {
        broken.push(`${file}: ${target} (no such anchor)`);
      }
    }
  }
  assertEquals(broken, []);
});
