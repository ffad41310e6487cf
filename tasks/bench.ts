/**
 * `deno task bench NAME [args]`: runs the benchmark `tasks/bench/NAME.ts`,
 * which prints one JSON object on stdout.
 *
 * @module
 */
const names = ["fits", "simulate", "data", "model", "alerts", "train", "webgpu"];
const [name, ...rest] = Deno.args;
if (!name || !names.includes(name)) {
  console.error(`usage: deno task bench <${names.join("|")}> [options]`);
  Deno.exit(2);
}
const mod = await import(`./bench/${name}.ts`) as { main(args: string[]): Promise<void> };
await mod.main(rest);
