/**
 * `deno task compile`: builds a standalone `convention` binary with
 * `deno compile`, scoped permissions and the TF.js wasm files embedded.
 *
 * `deno compile` needs the Deno runtime (`denort`) for the target. It is
 * downloaded from dl.deno.land unless `DENORT_BIN` points at a local copy;
 * where that host is unreachable and `DENORT_BIN` is unset, this script says
 * so in one line and exits 1.
 *
 * @module
 */
const out = Deno.args[0] ?? "convention";
const wasmDir = "node_modules/@tensorflow/tfjs-backend-wasm/dist";
const included = [
  `${wasmDir}/tfjs-backend-wasm.wasm`,
  `${wasmDir}/tfjs-backend-wasm-simd.wasm`,
  `${wasmDir}/tfjs-backend-wasm-threaded-simd.wasm`,
  // Modules loaded as Workers are not in the static import graph.
  "lib/simulate/worker.ts",
  "lib/survey/simulated_worker.ts",
  "lib/data/loader_worker.ts",
  "lib/baselines/cache_worker.ts",
  "lib/train/replica_worker.ts",
];
const args = ["compile", "--allow-read", "--allow-write", "--allow-env", "--allow-sys"]
  .concat(included.flatMap((f) => ["--include", f]), ["--output", out, "main.ts"]);
const denort = Deno.env.get("DENORT_BIN");
if (denort) console.error(`compile: using the local runtime DENORT_BIN=${denort}`);
const cmd = new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "piped" });
const res = await cmd.output();
const err = new TextDecoder().decode(res.stderr).trim();
if (!res.success && !denort && /dl\.deno\.land|denort|download|dns|connect/i.test(err)) {
  console.error(
    "error: deno compile needs the Deno runtime (denort) download from dl.deno.land, which is " +
      "unreachable here; set DENORT_BIN=/path/to/denort (the denort of Deno 2.9.6 for this " +
      "platform) and run again.",
  );
} else {
  console.error(err);
}
if (!res.success) Deno.exit(1);
console.error(`compile: wrote ${out}`);
