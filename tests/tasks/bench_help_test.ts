/**
 * Every `deno task bench` sub-command answers `--help` with its options
 * (every option its source reads), without running the benchmark.
 */
import { assertEquals } from "../util/assert.ts";

const ROOT = new URL("../../", import.meta.url);
const BENCHES = ["fits", "simulate", "data", "model", "alerts", "train", "realism", "webgpu"];

async function bench(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "tasks/bench.ts", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

for (const name of BENCHES) {
  Deno.test(`bench ${name} --help: its options, nothing run`, async () => {
    const source = await Deno.readTextFile(new URL(`tasks/bench/${name}.ts`, ROOT));
    const options = new Set(
      [...source.matchAll(/(?:arg\(args, |val\(|includes\()"(--[\w-]+)"/g)].map((m) => m[1]!),
    );
    options.delete("--child"); // internal: the parent process starting one backend's child
    const { code, stdout } = await bench(name, "--help");
    assertEquals(code, 0);
    assertEquals([...options].filter((o) => !stdout.includes(o)), [], `${name} --help:\n${stdout}`);
    assertEquals(stdout.includes("{"), false, "printed JSON: the benchmark ran");
  });
}

Deno.test("bench: no or an unknown name prints the list and exits 2; --help exits 0", async () => {
  for (const args of [[], ["nope"]]) {
    const { code, stderr } = await bench(...args);
    assertEquals(code, 2);
    assertEquals(BENCHES.every((n) => stderr.includes(`  ${n} `)), true, stderr);
  }
  assertEquals((await bench("--help")).code, 0);
});
