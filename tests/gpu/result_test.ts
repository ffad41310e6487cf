import {
  type GpuCheckResult,
  problems,
  SCHEMA,
  summarize,
  writeResult,
} from "../../tasks/gpu/result.ts";
import { assert, assertEquals, assertMatch } from "../util/assert.ts";

function complete(): GpuCheckResult {
  const memory = { numTensors: 10, numDataBuffers: 10, numBytes: 100, reasons: [] };
  return {
    schema: SCHEMA,
    mode: "gpu",
    sizes: "full",
    startedAt: "2026-12-04T00:00:00Z",
    budgetS: 300,
    elapsedS: 250,
    status: "done",
    env: { deno: "2.9.6", tfjs: "4.22.0" },
    plan: { preset: "paper", batches: [32], correctnessPreset: "tiny", correctnessBatch: 8 },
    adapter: {
      found: true,
      vendor: "4318",
      architecture: "",
      device: "8963",
      description: "NVIDIA H100 80GB HBM3",
      isFallbackAdapter: false,
      nvidia: true,
      wgpuBackend: "vulkan",
      limits: {},
      features: [],
      error: undefined,
    },
    correctness: {
      preset: "tiny",
      batch: 8,
      tolerance: 1e-4,
      lossWebgpu: 1.4,
      lossCpu: 1.4,
      lossRelErr: 0,
      gradients: [{
        name: "w",
        maxAbsRef: 1,
        maxAbsDiff: 1e-7,
        relErr: 1e-7,
        exactZero: false,
        ok: true,
      }],
      worstRelErr: 1e-7,
      worstName: "w",
      ok: true,
      seconds: 3,
    },
    speed: {
      preset: "paper",
      paramCount: 1253108,
      seconds: 20,
      runs: [{
        batch: 32,
        warmupMs: [900, 300],
        stepMs: [300, 310, 290],
        medianMs: 300,
        meanMsSynced: 301,
        objectsPerS: 106.7,
        tfMemory: memory,
        error: undefined,
      }],
    },
    pytorch: {
      device: "cuda",
      deviceName: "NVIDIA H100 80GB HBM3",
      torchVersion: "2.11.0",
      runs: [{ batch: 32, precision: "fp32", medianMs: 100, objectsPerS: 320, stepMs: [100] }],
      ratios: [{ batch: 32, precision: "fp32", webgpuMs: 300, torchMs: 100, ratio: 3 }],
    },
    kernels: {
      tunedBatch: 32,
      tiles: [{
        kernel: "forward",
        shape: "forward:10x32x18",
        tried: 20,
        best: { tm: 64, tn: 32, tk: 16, rm: 4, rn: 4 },
        bestMs: 1,
        defaultMs: 2,
        worstRelErr: 1e-7,
        mismatches: 0,
      }],
      counts: {
        preset: "paper",
        batch: 32,
        ownKernels: 900,
        tfjsKernels: 1200,
        ownByProgram: {},
        tfjsByProgram: {},
      },
    },
    extrapolation: {
      objects: 8249,
      epochs: 50,
      batch: 128,
      goalMinutes: 30,
      paperHours: 3,
      fromBatch: 32,
      msPerStep: 1200,
      steps: 3250,
      minutes: 65,
      meetsGoal: false,
    },
    skipped: {},
    errors: {},
    verdict: ["correctness: ok", "pytorch: batch 32 fp32 100.0 ms, webgpu/pytorch 3.00"],
  };
}

Deno.test("problems: a complete GPU result has none", () => {
  assertEquals(problems(complete(), "gpu"), []);
});

Deno.test("problems: missing steps, a fallback adapter and errors are all reported", () => {
  const r = complete();
  r.adapter!.isFallbackAdapter = true;
  r.errors.pytorch = "boom";
  r.correctness!.ok = false;
  r.kernels!.tiles[0]!.mismatches = 2;
  r.plan.batches = [32, 128];
  r.status = "running";
  const p = problems(r, "gpu");
  for (const what of [/fallback/, /other values/, /batch 128/, /errors in pytorch/, /running/]) {
    assert(p.some((x) => what.test(x)), `${what} not in ${p.join("; ")}`);
  }
  assert(p.some((x) => /correctness failed/.test(x)));
  assertEquals(problems({}, "gpu").length > 10, true);
  // in rehearsal: a fallback adapter is fine, and so is a machine without PyTorch (gpu mode: not)
  const nt = complete();
  nt.mode = "rehearse";
  nt.pytorch = { ...nt.pytorch!, runs: [], ratios: [], error: "No module named 'torch'" };
  nt.errors.pytorch = nt.pytorch.error!;
  assertEquals(problems(nt, "rehearse"), []);
  assert(problems({ ...nt, mode: "gpu" }, "gpu").some((x) => /pytorch error/.test(x)));
  r.mode = "rehearse";
  assert(!problems(r, "rehearse").some((x) => /fallback/.test(x)));
});

Deno.test("summary = header + verdicts + skipped + errors; non-finite numbers kept as strings", async () => {
  const r = {
    ...complete(),
    skipped: { "speed-128": "no time left" },
    errors: { x: "boom\nstack" },
  };
  assertEquals(
    summarize(r),
    "gpu check (gpu, full sizes): done after 250 s of 300 s\n  correctness: ok\n" +
      "  pytorch: batch 32 fp32 100.0 ms, webgpu/pytorch 3.00\n" +
      "  skipped speed-128: no time left\n  error in x: boom",
  );
  const dir = await Deno.makeTempDir();
  try {
    await writeResult(dir, { x: Infinity, y: NaN });
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/gpu_check.json`)), {
      x: "Infinity",
      y: "NaN",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check.ts summary: prints what is missing, exit 1; a killed run becomes failed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeResult(dir, { ...complete(), status: "running" });
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tasks/gpu/check.ts", "summary", "--mode", "gpu", "--out", dir],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 1, text + new TextDecoder().decode(out.stderr));
    assertMatch(text, /INCOMPLETE\n {2}- status is failed, not done\n {2}- errors in run/);
    const r = JSON.parse(await Deno.readTextFile(`${dir}/gpu_check.json`));
    assertEquals(r.status, "failed");
    await writeResult(dir, complete());
    const ok = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tasks/gpu/check.ts", "summary", "--mode", "gpu", "--out", dir],
      stdout: "piped",
    }).output();
    assertEquals(ok.code, 0);
    assertMatch(new TextDecoder().decode(ok.stdout), /complete \(gpu\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
