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
const args = [
  "compile",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--include",
  `${wasmDir}/tfjs-backend-wasm.wasm`,
  "--include",
  `${wasmDir}/tfjs-backend-wasm-simd.wasm`,
  "--include",
  `${wasmDir}/tfjs-backend-wasm-threaded-simd.wasm`,
  // Modules loaded as Workers are not in the static import graph.
  "--include",
  "lib/simulate/worker.ts",
  "--include",
  "lib/survey/simulated_worker.ts",
  "--include",
  "lib/data/loader_worker.ts",
  "--include",
  "lib/baselines/cache_worker.ts",
  "--include",
  "lib/train/replica_worker.ts",
  "--output",
  out,
  "main.ts",
];
const denort = Deno.env.get("DENORT_BIN");
if (denort) console.error(`compile: using the local runtime DENORT_BIN=${denort}`);
const cmd = new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "piped" });
const res = await cmd.output();
const err = new TextDecoder().decode(res.stderr);
if (!res.success) {
  if (!denort && /dl\.deno\.land|denort|download|dns|connect/i.test(err)) {
    console.error(
      "error: deno compile needs the Deno runtime (denort) download from dl.deno.land, which is " +
        "unreachable here; set DENORT_BIN=/path/to/denort (the denort of Deno 2.9.6 for this " +
        "platform) and run again.",
    );
  } else {
    console.error(err.trim());
  }
  Deno.exit(1);
}
console.error(err.trim());
console.error(`compile: wrote ${out}`);
