/**
 * `deno task bench NAME [options]`: runs the benchmark `tasks/bench/NAME.ts`,
 * which prints one JSON object on stdout. `deno task bench NAME --help`
 * prints its documentation and options instead, without running it.
 *
 * @module
 */
import { moduleDoc } from "./bench/shared.ts";

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
const names = Object.keys(BENCHES);
const [name, ...rest] = Deno.args;
const docOf = (n: string) =>
  moduleDoc(Deno.readTextFileSync(new URL(`./bench/${n}.ts`, import.meta.url)));
if (!name || !names.includes(name)) {
  const lines = names.map((n) => `  ${n.padEnd(9)}${BENCHES[n]}`);
  const usage = `usage: deno task bench <${names.join("|")}> [options | --help]\n${
    lines.join("\n")
  }`;
  if (name === "--help" || name === "-h") console.log(usage);
  else console.error(usage);
  Deno.exit(name === "--help" || name === "-h" ? 0 : 2);
}
if (rest.includes("--help") || rest.includes("-h")) {
  console.log(docOf(name));
} else {
  const mod = await import(`./bench/${name}.ts`) as { main(args: string[]): Promise<void> };
  await mod.main(rest);
}
