/**
 * `deno task bench NAME [options]`: runs the benchmark `tasks/bench/NAME.ts`,
 * which prints one JSON object on stdout. `deno task bench NAME --help`
 * prints its documentation and options instead, without running it.
 *
 * @module
 */
const BENCHES: Record<string, string> = {
  fits: "FITS read and write throughput, beside astropy and cfitsio",
  simulate: "simulator throughput: the paper-size survey and the default data set",
  data: "ingest, loader and loader-fed training throughput",
  model: "training-step speed of ConvEntion per backend, beside PyTorch",
  alerts: "ZTF alert reader and inference throughput",
  train: "`deno task train` end to end: time and test accuracy",
  realism: "the simulator's realism scorecard against real light curves and published values",
  webgpu: "our WebGPU convolution kernels vs TF.js's on the model's shapes, dispatches per step",
};

/**
 * The first JSDoc comment of a module's source, as plain text: what a
 * benchmark prints for `--help` (each documents its options there).
 */
function moduleDoc(source: string): string {
  const m = /\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!m) return "";
  return m[1]!.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).filter((l) => l !== "@module")
    .join("\n").trim();
}

const names = Object.keys(BENCHES);
const [name, ...rest] = Deno.args;
if (!name || !names.includes(name)) {
  const help = name === "--help" || name === "-h";
  const lines = names.map((n) => `  ${n.padEnd(9)}${BENCHES[n]}`);
  const usage = `usage: deno task bench <${names.join("|")}> [options | --help]`;
  (help ? console.log : console.error)([usage, ...lines].join("\n"));
  Deno.exit(help ? 0 : 2);
}
if (rest.includes("--help") || rest.includes("-h")) {
  console.log(moduleDoc(Deno.readTextFileSync(new URL(`./bench/${name}.ts`, import.meta.url))));
} else {
  const mod = await import(`./bench/${name}.ts`) as { main(args: string[]): Promise<void> };
  await mod.main(rest);
}
