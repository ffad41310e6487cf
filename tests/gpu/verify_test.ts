import { problems } from "../../tasks/gpu/verify.ts";
import { emptyResult, type GpuCheckResult, summarize, toJson } from "../../tasks/gpu/report.ts";
import { assert, assertEquals, assertMatch } from "../util/assert.ts";

function complete(): GpuCheckResult {
  const r = emptyResult("gpu", "full", 300);
  r.status = "done";
  r.elapsedS = 250;
  r.env = { deno: "2.9.6", tfjs: "4.22.0" };
  r.plan = {
    preset: "paper",
    batches: [32],
    correctnessPreset: "tiny",
    correctnessBatch: 8,
  };
  r.adapter = {
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
  };
  r.correctness = {
    preset: "tiny",
    batch: 8,
    tolerance: 1e-4,
    lossWebgpu: 1.4,
    lossCpu: 1.4,
    lossRelErr: 0,
    gradients: [{
      name: "w",
      shape: [2],
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
  };
  r.speed = {
    preset: "paper",
    paramCount: 1253108,
    seconds: 20,
    runs: [{
      batch: 32,
      warmupSteps: 2,
      warmupMs: [900, 300],
      stepMs: [300, 310, 290],
      medianMs: 300,
      meanMsSynced: 301,
      objectsPerS: 106.7,
      tfMemory: { numTensors: 10, numBytes: 100, numBytesInGPU: 100 },
      gpuMemUsedMiB: 4000,
    }],
  };
  r.pytorch = {
    device: "cuda",
    deviceName: "NVIDIA H100 80GB HBM3",
    torchVersion: "2.11.0",
    runs: [{ batch: 32, precision: "fp32", medianMs: 100, objectsPerS: 320, stepMs: [100] }],
    ratios: [{ batch: 32, precision: "fp32", webgpuMs: 300, torchMs: 100, ratio: 3 }],
  };
  const tiles = { tm: 64, tn: 32, tk: 16, rm: 4, rn: 4 };
  r.kernels = {
    tunedBatch: 32,
    tiles: [{
      kernel: "forward",
      shape: "forward:10x32x18",
      tried: 20,
      best: tiles,
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
    seconds: 30,
  };
  r.verdict = [
    "correctness: ok",
    "pytorch: batch 32 fp32 100.0 ms, webgpu/pytorch 3.00",
    "full training: 65.0 min",
  ];
  r.extrapolation = {
    objects: 8249,
    epochs: 50,
    batch: 128,
    msPerStep: 1200,
    steps: 3250,
    minutes: 65,
    goalMinutes: 30,
    paperHours: 3,
    meetsGoal: false,
  };
  return r;
}

Deno.test("verify: a complete GPU result has no problem", () => {
  assertEquals(problems(complete(), "gpu", [32]), []);
});

Deno.test("verify: missing steps, a fallback adapter and errors are all reported", () => {
  const r = complete();
  r.adapter!.isFallbackAdapter = true;
  r.errors.pytorch = "boom";
  r.correctness!.ok = false;
  r.kernels = {
    ...complete().kernels!,
    tiles: [{ ...complete().kernels!.tiles[0]!, mismatches: 2 }],
  };
  r.status = "running";
  const p = problems(r, "gpu", [32, 128]);
  assert(p.some((x) => /fallback/.test(x)));
  assert(p.some((x) => /other values than the default/.test(x)));
  assert(p.some((x) => /batch 128/.test(x)));
  assert(p.some((x) => /errors/.test(x)));
  assert(p.some((x) => /status is running/.test(x)));
  assert(p.some((x) => /correctness failed/.test(x)));
  // in rehearsal: a fallback adapter is fine, and so is a machine without PyTorch (gpu mode: not)
  const nt = complete();
  nt.mode = "rehearse";
  nt.pytorch = {
    ...nt.pytorch!,
    runs: [],
    ratios: [],
    error: "ModuleNotFoundError: No module named 'torch'",
  };
  nt.errors.pytorch = nt.pytorch.error!;
  assertEquals(problems(nt, "rehearse", [32]), []);
  assert(problems({ ...nt, mode: "gpu" }, "gpu", [32]).some((x) => /pytorch error/.test(x)));
  r.mode = "rehearse";
  assert(!problems(r, "rehearse", [32]).some((x) => /fallback/.test(x)));
});

Deno.test("report: summary = header + verdict lines; non-finite numbers kept as strings", () => {
  const r = complete();
  const s = summarize(r);
  assertMatch(
    s,
    /^gpu check \(gpu, full sizes\): done after 250 s of 300 s\n {2}correctness: ok\n/,
  );
  assertMatch(s, /webgpu\/pytorch 3\.00/);
  assertMatch(s, /65\.0 min/);
  assertEquals(JSON.parse(toJson({ x: Infinity, y: NaN })), { x: "Infinity", y: "NaN" });
});
