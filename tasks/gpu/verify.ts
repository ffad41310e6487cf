/**
 * Checks that a `gpu_check.json` is complete: every step present, every
 * field filled, nothing skipped or failed. `deno task gpu-rehearse` runs it on
 * the rehearsal's output; after the GPU run, run it on the real output.
 *
 * usage: deno run --allow-read tasks/gpu/verify.ts PATH/gpu_check.json [--mode gpu|rehearse]
 *
 * @module
 */
import { type GpuCheckResult, SCHEMA } from "./report.ts";

function isNum(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/**
 * Lists what is missing or wrong in a result (empty list: complete).
 *
 * @param r The parsed JSON.
 * @param mode `gpu` also requires a non-fallback NVIDIA adapter.
 * @param batches The speed batches that must have been timed.
 */
export function problems(
  r: Partial<GpuCheckResult>,
  mode: "gpu" | "rehearse",
  batches: number[],
): string[] {
  const p: string[] = [];
  const need = (cond: unknown, what: string) => {
    if (!cond) p.push(what);
  };
  need(r.schema === SCHEMA, `schema is not ${SCHEMA}`);
  need(r.status === "done", `status is ${r.status}, not done`);
  need(r.mode === mode, `mode is ${r.mode}, expected ${mode}`);
  need(isNum(r.elapsedS) && isNum(r.budgetS), "elapsedS/budgetS missing");
  need(
    r.env && typeof r.env.deno === "string" && typeof r.env.tfjs === "string",
    "env.deno/env.tfjs missing",
  );
  const a = r.adapter;
  need(a && a.found, "adapter not found");
  if (a && mode === "gpu") {
    need(a.nvidia && !a.isFallbackAdapter, "adapter is not a non-fallback NVIDIA adapter");
  }
  const c = r.correctness;
  need(c, "correctness missing");
  if (c) {
    need(c.gradients.length > 0, "correctness has no gradients");
    need(
      isNum(c.lossWebgpu) && isNum(c.lossCpu) && isNum(c.worstRelErr),
      "correctness numbers missing",
    );
    need(c.ok, `correctness failed (worst ${c.worstRelErr} at ${c.worstName})`);
  }
  const s = r.speed;
  need(s, "speed missing");
  if (s) {
    for (const b of batches) {
      const run = s.runs.find((x) => x.batch === b);
      need(
        run && !run.error && isNum(run.medianMs) && run.medianMs > 0 && run.stepMs.length > 0,
        `speed at batch ${b} missing or failed${run?.error ? `: ${run.error}` : ""}`,
      );
      need(run && isNum(run.objectsPerS), `speed objects/s at batch ${b} missing`);
    }
  }
  const t = r.pytorch;
  need(t, "pytorch missing");
  // A rehearsal machine without PyTorch (the development VM has no torch and no pip) still
  // proves the path: torch_bench.py ran and reported it; the GPU machine has torch.
  const noTorchHere = mode === "rehearse" && /No module named 'torch'/.test(t?.error ?? "");
  if (t && !noTorchHere) {
    need(!t.error, `pytorch error: ${t.error}`);
    need(typeof t.torchVersion === "string" && t.torchVersion !== "", "pytorch version missing");
    for (const b of batches) {
      need(t.runs.some((x) => x.batch === b && isNum(x.medianMs)), `pytorch at batch ${b} missing`);
      need(
        t.ratios.some((x) => x.batch === b && isNum(x.ratio)),
        `webgpu/pytorch ratio at batch ${b} missing`,
      );
    }
  }
  const k = r.kernels;
  need(k, "kernels step missing");
  if (k) {
    need(k.tiles.length > 0, "no convolution shape tuned");
    need(k.tiles.every((t) => isNum(t.bestMs) && t.tried > 0), "tile timings missing");
    need(
      k.tiles.every((t) => t.mismatches === 0),
      "a tile setting gave other values than the default",
    );
    need(k.counts && k.counts.ownKernels > 0 && k.counts.tfjsKernels > 0, "kernel counts missing");
  }
  const x = r.extrapolation;
  need(x && isNum(x.minutes) && x.steps > 0, "extrapolation missing");
  need(
    r.skipped && Object.keys(r.skipped).length === 0,
    `skipped steps: ${JSON.stringify(r.skipped)}`,
  );
  const errors = Object.entries(r.errors ?? {}).filter(([k]) => !(noTorchHere && k === "pytorch"));
  need(errors.length === 0, `errors: ${JSON.stringify(Object.fromEntries(errors))}`);
  return p;
}

if (import.meta.main) {
  const path = Deno.args[0];
  const mi = Deno.args.indexOf("--mode");
  const mode = (mi >= 0 ? Deno.args[mi + 1] : "rehearse") as "gpu" | "rehearse";
  if (!path) {
    console.error(
      "usage: deno run --allow-read tasks/gpu/verify.ts PATH/gpu_check.json [--mode gpu|rehearse]",
    );
    Deno.exit(2);
  }
  const r = JSON.parse(await Deno.readTextFile(path)) as GpuCheckResult;
  const list = r.plan
    ? problems(r, mode, r.plan.batches)
    : ["plan missing", ...problems(r, mode, [])];
  if (list.length > 0) {
    console.error(`${path}: INCOMPLETE\n${list.map((l) => `  - ${l}`).join("\n")}`);
    Deno.exit(1);
  }
  console.log(`${path}: complete (${mode}): every step and field present`);
}
