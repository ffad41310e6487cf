/**
 * The fused Adam update on webgpu (lib/model/ops/webgpu/adam_fused.ts via
 * lib/model/infra/optimizer.ts, `update: "auto"`) against the cpu backend's
 * JavaScript update: the same weights and moments after three AdamW steps on
 * variables of odd sizes, the state round trip, and fewer dispatches than
 * the per-variable TF.js ops.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Adam, type AdamState } from "../../lib/model/infra/optimizer.ts";
import { countDispatches } from "../../lib/model/ops/webgpu/dispatch_count.ts";
import { probeWebGpu, selectBackend } from "../../lib/train/backend.ts";
import { relMaxDiff } from "../model/reference.ts";
import { assert } from "../util/assert.ts";

const SHAPES: Record<string, number[]> = { a: [3, 5], b: [7], c: [2, 3, 4, 1], d: [1] };
const vals = (n: number, f: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + 1));
const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

async function run(update: "auto" | "js" | "device", backend: "cpu" | "webgpu") {
  await selectBackend(backend, { quiet: true });
  const vars = new Map(
    Object.entries(SHAPES).map((
      [k, s],
      i,
    ) => [k, tf.variable(tf.tensor(vals(size(s), 0.3 + i), s))]),
  );
  const opt = new Adam(vars, { lr: 0.01, weightDecay: 0.1, update });
  let dispatches = 0;
  for (let step = 1; step <= 3; step++) {
    const grads = new Map(
      [...vars].map(([k, v]) => [k, tf.tensor(vals(v.size, 0.7 * step), v.shape)]),
    );
    if (backend === "webgpu") {
      dispatches = (await countDispatches(() => opt.apply(grads))).total;
    } else opt.apply(grads);
    tf.dispose([...grads.values()]);
  }
  const weights = new Map<string, Float32Array>();
  for (const [k, v] of vars) weights.set(k, (await v.data()) as Float32Array);
  const state = await opt.getState();
  opt.dispose();
  tf.dispose([...vars.values()]);
  return { weights, state, dispatches };
}

function same(
  a: Map<string, Float32Array>,
  b: Map<string, Float32Array>,
  what: string,
  tol: number,
): void {
  for (const [k, x] of b) {
    const e = relMaxDiff(a.get(k)!, x);
    assert(e <= tol, `${what} ${k} differs by ${e}`);
  }
}

const gpu = await probeWebGpu();
Deno.test({
  name: "fused Adam on webgpu: AdamW weights and moments equal the cpu update; fewer dispatches",
  ignore: !gpu.any,
  fn: async () => {
    const ref = await run("js", "cpu");
    const fused = await run("auto", "webgpu");
    const ops = await run("device", "webgpu");
    for (const [o, tol] of [[ref, 1e-6], [ops, 1e-6]] as const) {
      same(fused.weights, o.weights, "weight", tol);
      same(fused.state.m, o.state.m, "exp_avg", tol);
      same(fused.state.v, o.state.v, "exp_avg_sq", tol);
    }
    assert(fused.state.step === 3, "step count");
    assert(
      fused.dispatches < ops.dispatches,
      `${fused.dispatches} vs ${ops.dispatches} dispatches`,
    );
  },
});

Deno.test({
  name: "fused Adam on webgpu: setState after fused steps continues from the restored moments",
  ignore: !gpu.any,
  fn: async () => {
    await selectBackend("webgpu", { quiet: true });
    const v = tf.variable(tf.tensor(vals(6, 0.2), [6]));
    const opt = new Adam(new Map([["p", v]]), { lr: 0.01 });
    const g = tf.tensor(vals(6, 0.9), [6]);
    opt.apply(new Map([["p", g]]));
    const st: AdamState = await opt.getState();
    opt.setState({ step: st.step, m: new Map([["p", new Float32Array(6).fill(0.5)]]), v: st.v });
    const again = await opt.getState();
    assert(again.m.get("p")!.every((x) => x === 0.5), "restored moments read back");
    opt.apply(new Map([["p", g]]));
    const after = await opt.getState();
    const want = 0.9 * 0.5 + 0.1 * (await g.data())[0]!;
    assert(Math.abs(after.m.get("p")![0]! - want) < 1e-6, `m ${after.m.get("p")![0]} vs ${want}`);
    tf.dispose([v, g]);
    opt.dispose();
  },
});
