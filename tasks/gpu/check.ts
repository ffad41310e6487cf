/**
 * The one-shot GPU check, bundled by `pack.ts` into `.gpu/check.js` and run by
 * `run.sh` on the GPU machine (placeholder: adapter + matmul).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-webgpu";
import { probeAdapter } from "./adapter.ts";
import { parseCheckArgs } from "./check_args.ts";
import { emptyResult, type GpuCheckResult, summarize, writeResult } from "./report.ts";

const opts = parseCheckArgs(Deno.args, (k) => Deno.env.get(k), navigator.hardwareConcurrency);
if (opts.command === "summary") {
  const r = JSON.parse(await Deno.readTextFile(`${opts.out}/gpu_check.json`)) as GpuCheckResult;
  console.log(summarize(r));
  Deno.exit(0);
}
const result = emptyResult(opts.mode, opts.sizes, opts.budgetS);
result.adapter = await probeAdapter();
await writeResult(opts.out, result);
console.log(JSON.stringify(result.adapter));
if (opts.command === "probe") Deno.exit(result.adapter.found ? 0 : 3);
await tf.setBackend("webgpu");
await tf.ready();
const a = tf.randomNormal([256, 256], 0, 1, "float32", 1);
const c = tf.matMul(a, a);
const s = tf.sum(c);
console.log("backend", tf.getBackend(), "sum", (await s.data())[0]);
result.status = "done";
await writeResult(opts.out, result);
