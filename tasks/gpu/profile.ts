/**
 * A GPU profile of the paper preset's training step on webgpu (the follow-up of
 * the first GPU check, which measured 1.5 s per step at batch 32 and failed at
 * batch 128 with "Dispatch size exceeds WebGPU limits in Y or Z dimension").
 *
 * Run by `GPU_SCRIPT=profile bash tasks/gpu/run.sh` on the GPU machine (bundled
 * unminified to `.gpu/profile.js` by `deno task gpu-pack`, so stack traces keep
 * the TF.js program names). Writes `profile.json` into `--out`:
 * - the median ms of timed steps at batch 32 (and of the forward pass alone);
 * - GPU time per kernel of one step (TF.js `tf.profile` with timestamp queries),
 *   summed by kernel name and by kernel + input shapes;
 * - the same step with `WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL` raised;
 * - the kernel gradient of the largest convolutions, as now vs as split-K matmuls;
 * - at batch 128, step times, or the kernel (name, input shapes, attributes) that exceeds the
 *   dispatch limit, with the error's stack.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";
import { registerGradients, stepSetup } from "./model_api.ts";
import { median } from "./stats.ts";
import { conv2dFilterGrad } from "../../lib/model/ops/conv_exact.ts";

/**
 * Kernel gradient of a stride-1 valid conv2d as, per tap (a, b), the product
 * x[:, a:a+Ho, b:b+Wo, :]^T dy over the N Ho Wo rows, the rows split into `s`
 * chunks (a batched matmul, then a sum over the chunks: split-K).
 */
function filterGradSplitK(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  kh: number,
  kw: number,
  s: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, , , ci] = x.shape;
    const [, ho, wo, co] = dy.shape;
    const k = n * ho * wo, chunk = Math.ceil(k / s), padK = chunk * s - k;
    const dyS = tf.reshape(tf.pad(tf.reshape(dy, [k, co]), [[0, padK], [0, 0]]), [s, chunk, co]);
    const taps: tf.Tensor[] = [];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const xs = tf.reshape(tf.slice(x, [0, a, b, 0], [n, ho, wo, ci]), [k, ci]);
        const xS = tf.reshape(tf.pad(xs, [[0, padK], [0, 0]]), [s, chunk, ci]);
        const g = tf.matMul(xS as tf.Tensor3D, dyS as tf.Tensor3D, true, false); // [s, ci, co]
        taps.push(tf.sum(g, 0));
      }
    }
    return tf.reshape(tf.stack(taps), [kh, kw, ci, co]) as tf.Tensor4D;
  });
}

const args = Deno.args;
const outDir = args[args.indexOf("--out") + 1] ?? ".";
const preset = args.includes("--tiny") ? "tiny" : "paper";
const batches = args.includes("--tiny") ? [2, 3, 4] : [32, 64, 128];
const result: Record<string, unknown> = { schema: "convention-gpu-profile/1", preset };
const save = () =>
  Deno.writeTextFile(`${outDir}/profile.json`, JSON.stringify(result, null, 1) + "\n");
const log = (s: string) => console.log(`[gpu-profile] ${s}`);
const errText = (e: unknown) => e instanceof Error ? `${e.name}: ${e.message}` : String(e);

registerGradients();
if (!(await tf.setBackend("webgpu"))) throw new Error("tf.setBackend('webgpu') returned false");
await tf.ready();

async function timeSteps(step: () => Promise<unknown>, n: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await step();
    ms.push(performance.now() - t);
  }
  return ms;
}

// 1. batch 32: timings, forward alone, per-kernel GPU time.
{
  const b = batches[0]!;
  const s = stepSetup(preset, b);
  try {
    const warm = await timeSteps(s.step, 2);
    const steps = await timeSteps(s.step, 4);
    const fwd = await timeSteps(async () => {
      const y = tf.tidy(() => s.m.model.apply(s.input, { training: false, seed: 0 }));
      await y.data();
      y.dispose();
    }, 4);
    result.timing = {
      batch: b,
      warmupMs: warm,
      stepMs: steps,
      medianStepMs: median(steps),
      forwardInferenceMs: fwd,
      medianForwardMs: median(fwd.slice(1)),
    };
    log(
      `batch ${b}: step ${median(steps).toFixed(1)} ms, forward (inference) ${
        median(fwd.slice(1)).toFixed(1)
      } ms`,
    );
    await save();

    const t0 = performance.now();
    const prof = await tf.profile(async () => {
      await s.step();
    });
    const wallMs = performance.now() - t0;
    const rows = await Promise.all(prof.kernels.map(async (k) => ({
      name: k.name,
      ms: Number(await k.kernelTimeMs) || 0,
      shapes: JSON.stringify(k.inputShapes),
    })));
    const byName = new Map<string, { ms: number; n: number }>();
    const byShape = new Map<string, { ms: number; n: number }>();
    for (const r of rows) {
      const a = byName.get(r.name) ?? { ms: 0, n: 0 };
      a.ms += r.ms;
      a.n++;
      byName.set(r.name, a);
      const key = `${r.name} ${r.shapes}`;
      const c = byShape.get(key) ?? { ms: 0, n: 0 };
      c.ms += r.ms;
      c.n++;
      byShape.set(key, c);
    }
    const total = rows.reduce((a, r) => a + r.ms, 0);
    const top = (m: Map<string, { ms: number; n: number }>, k: number) =>
      [...m.entries()].sort((x, y) => y[1].ms - x[1].ms).slice(0, k).map(([key, v]) => ({
        kernel: key,
        ms: Math.round(v.ms * 100) / 100,
        calls: v.n,
        share: Math.round((v.ms / total) * 1000) / 1000,
      }));
    result.profile = {
      batch: b,
      kernels: rows.length,
      gpuKernelMsTotal: total,
      profiledWallMs: wallMs,
      byKernel: top(byName, 40),
      byKernelAndShape: top(byShape, 40),
    };
    log(
      `profile: ${rows.length} kernels, ${total.toFixed(1)} ms of GPU time, wall ${
        wallMs.toFixed(0)
      } ms`,
    );
    for (const r of top(byName, 12)) log(`  ${r.kernel}: ${r.ms} ms in ${r.calls} calls`);
    await save();

    // 1b. TF.js's threshold below which convolutions go through im2col + matmul
    // (8 workgroups on NVIDIA): raised, the kernel-gradient convolutions take that path.
    try {
      tf.env().set("WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL", 1024);
      await timeSteps(s.step, 1);
      const im2col = await timeSteps(s.step, 3);
      result.threshold1024 = { stepMs: im2col, medianStepMs: median(im2col) };
      log(
        `WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL=1024: ${
          median(im2col).toFixed(1)
        } ms/step`,
      );
    } catch (err) {
      result.threshold1024 = { error: errText(err) };
      log(`threshold 1024: ${errText(err)}`);
    } finally {
      tf.env().set("WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL", -1);
    }
    await save();
  } catch (err) {
    result.error32 = { error: errText(err), stack: (err as Error).stack ?? null };
    log(`batch ${b}: ${errText(err)}`);
    await save();
  } finally {
    s.dispose();
  }
}

// 1c. The kernel gradient of the largest convolutions: lib/model/ops/conv_exact.ts's
// conv2dFilterGrad (one conv2d whose reduction axis is the batch: few output rows,
// a reduction of N * Ho * Wo) vs taps x split-K batched matmuls.
{
  const shapes: [number[], number[]][] = args.includes("--tiny")
    ? [[[24, 7, 7, 8], [3, 3, 8, 4]]]
    : [[[1056, 13, 13, 384], [3, 3, 384, 64]], [[1056, 13, 13, 128], [5, 5, 128, 128]], [
      [1056, 32, 32, 3],
      [11, 11, 3, 192],
    ]];
  const rows: unknown[] = [];
  for (const [xs, ws] of shapes) {
    try {
      const [n, h, w, ci] = xs as [number, number, number, number];
      const [kh, kw, , co] = ws as [number, number, number, number];
      const ho = h - kh + 1, wo = w - kw + 1;
      const x = tf.randomNormal([n, h, w, ci], 0, 1, "float32", 1) as tf.Tensor4D;
      const dy = tf.randomNormal([n, ho, wo, co], 0, 1, "float32", 2) as tf.Tensor4D;
      const pad = [[0, 0], [0, 0]] as const;
      const timeIt = async (f: () => tf.Tensor, reps: number) => {
        const ms: number[] = [];
        let out: Float32Array | null = null;
        for (let i = 0; i < reps; i++) {
          const t = performance.now();
          const r = f();
          const d = await r.data() as Float32Array;
          ms.push(performance.now() - t);
          if (i === 0) out = d;
          r.dispose();
        }
        return { ms: median(ms.slice(1)), out: out! };
      };
      const cur = await timeIt(() => conv2dFilterGrad(x, dy, [kh, kw], [1, 1], pad), 4);
      const splitK = await timeIt(() => filterGradSplitK(x, dy, kh, kw, 64), 4);
      let maxRef = 0, maxDiff = 0;
      for (let i = 0; i < cur.out.length; i++) {
        maxRef = Math.max(maxRef, Math.abs(cur.out[i]!));
        maxDiff = Math.max(maxDiff, Math.abs(cur.out[i]! - splitK.out[i]!));
      }
      const gflop = (2 * n * ho * wo * kh * kw * ci * co) / 1e9;
      const row = {
        x: xs,
        kernel: ws,
        gflop,
        convMs: cur.ms,
        splitKMs: splitK.ms,
        relDiff: maxDiff / maxRef,
      };
      rows.push(row);
      log(
        `filter grad x ${xs} k ${ws}: conv ${cur.ms.toFixed(1)} ms, taps split-K ${
          splitK.ms.toFixed(1)
        } ms (${gflop.toFixed(0)} GFLOP; rel diff ${(maxDiff / maxRef).toExponential(2)})`,
      );
      tf.dispose([x, dy]);
    } catch (err) {
      rows.push({ x: xs, kernel: ws, error: errText(err) });
      log(`filter grad ${xs}: ${errText(err)}`);
    }
    result.filterGrad = rows;
    await save();
  }
}

// 2. larger batches: their step times, or the kernel that exceeds the dispatch limit.
for (const b of batches.slice(2)) {
  const engine = tf.engine() as unknown as {
    runKernel: (name: string, inputs: Record<string, tf.Tensor>, attrs?: unknown) => unknown;
  };
  const orig = engine.runKernel.bind(engine);
  let last: { name: string; shapes: Record<string, number[]>; attrs: unknown } | null = null;
  engine.runKernel = (name, inputs, attrs) => {
    last = {
      name,
      shapes: Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t?.shape ?? []])),
      attrs,
    };
    return orig(name, inputs, attrs);
  };
  const s = stepSetup(preset, b);
  try {
    const ms = await timeSteps(s.step, 4);
    result[`batch${b}`] = { ok: true, stepMs: ms, medianMs: median(ms.slice(1)) };
    log(`batch ${b}: ok, ${ms.map((x) => x.toFixed(0)).join(", ")} ms`);
  } catch (err) {
    result[`batch${b}`] = {
      ok: false,
      error: errText(err),
      stack: ((err as Error).stack ?? "").split("\n").slice(0, 25),
      lastKernel: last,
    };
    log(`batch ${b}: ${errText(err)}; last kernel ${JSON.stringify(last)}`);
  } finally {
    engine.runKernel = orig;
    s.dispose();
  }
  await save();
}
log("done");
