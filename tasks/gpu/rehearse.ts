/**
 * `deno task gpu-rehearse`: the GPU run's dress rehearsal on this machine.
 * Packs `.gpu/` (pack.ts), runs `bash tasks/gpu/run.sh --rehearse` exactly as
 * the GPU machine will (software adapter accepted, tiny sizes, PyTorch on
 * CPU), then checks that `gpu_check.json` has every step and field
 * (verify.ts). Exit code 0 only when all three pass.
 *
 * usage: deno run --allow-read --allow-write --allow-run --allow-env tasks/gpu/rehearse.ts
 *        [--budget SECONDS] [--out DIR] [--no-pack] [--working-tree]
 *
 * The pack is bundled from the last commit (`pack.ts --from-head`), as the GPU
 * run should be; `--working-tree` bundles uncommitted code instead.
 *
 * @module
 */
import { problems } from "./verify.ts";
import type { GpuCheckResult } from "./report.ts";

let budget = 300;
let out = ".cache/gpu-rehearse";
let pack = true;
let fromHead = true;
for (let i = 0; i < Deno.args.length; i++) {
  const a = Deno.args[i];
  if (a === "--budget") budget = Number(Deno.args[++i]);
  else if (a === "--out") out = Deno.args[++i]!;
  else if (a === "--no-pack") pack = false;
  else if (a === "--working-tree") fromHead = false;
  else {
    console.error(`unknown option ${a}`);
    Deno.exit(2);
  }
}

async function step(name: string, cmd: string, args: string[]): Promise<void> {
  console.error(`[gpu-rehearse] ${name}: ${cmd} ${args.join(" ")}`);
  const st = await new Deno.Command(cmd, { args, stdout: "inherit", stderr: "inherit" }).output();
  if (!st.success) {
    console.error(`[gpu-rehearse] ${name} FAILED (exit code ${st.code})`);
    Deno.exit(1);
  }
}

const t0 = performance.now();
if (pack) {
  await step("pack", Deno.execPath(), [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-run",
    "--allow-env",
    "tasks/gpu/pack.ts",
    ...(fromHead ? ["--from-head"] : []),
  ]);
}
await Deno.remove(out, { recursive: true }).catch(() => {});
await step("run", "bash", [
  "tasks/gpu/run.sh",
  "--rehearse",
  "--budget",
  String(budget),
  "--out",
  out,
]);
const r = JSON.parse(await Deno.readTextFile(`${out}/gpu_check.json`)) as GpuCheckResult;
const list = r.plan ? problems(r, "rehearse", r.plan.batches) : ["plan missing"];
const s = ((performance.now() - t0) / 1000).toFixed(0);
if (list.length > 0) {
  console.error(
    `[gpu-rehearse] ${out}/gpu_check.json is INCOMPLETE after ${s} s:\n${
      list.map((l) => `  - ${l}`).join("\n")
    }`,
  );
  Deno.exit(1);
}
console.error(`[gpu-rehearse] passed in ${s} s: ${out}/gpu_check.json has every step and field`);
