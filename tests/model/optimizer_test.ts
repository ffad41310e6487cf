import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { assertAlmostEquals, assertEquals, assertRejects } from "../util/assert.ts";
import { Adam, loadOptimizerState, saveOptimizerState } from "../../lib/model/infra/optimizer.ts";
import { WeightsError } from "../../lib/model/errors.ts";
import { decodeSafetensors } from "../../lib/model/infra/safetensors.ts";

await tf.setBackend("cpu");

const GRADS = [[0.1, -0.2, 0.3], [0.0, 0.5, -0.1], [1.0, 1.0, 1.0]];
const UPDATES = ["js", "device"] as const;

async function run(
  weightDecay: number,
  update: "js" | "device",
  restoreAfter = -1,
): Promise<Float32Array> {
  let p = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -1.0, 2.0])));
  let opt = new Adam(new Map([["p", p]]), { lr: 0.01, weightDecay, update });
  for (const [i, g] of GRADS.entries()) {
    const grad = tf.tensor1d(g);
    opt.apply(new Map([["p", grad]]));
    grad.dispose();
    if (i === restoreAfter) {
      // Save, rebuild from scratch, restore: the next steps must be identical.
      const state = await opt.getState();
      const values = p.dataSync().slice();
      opt.dispose();
      p.dispose();
      p = tf.tidy(() => tf.variable(tf.tensor1d(values)));
      opt = new Adam(new Map([["p", p]]), { lr: 0.01, weightDecay, update });
      opt.setState(state);
    }
  }
  const out = p.dataSync() as Float32Array;
  opt.dispose();
  p.dispose();
  return out;
}

for (const update of UPDATES) {
  Deno.test(`adam/adamw (${update} update): same numbers as torch.optim.Adam / AdamW (3 steps)`, async () => {
    // /usr/bin/python3: torch.optim.Adam([p], lr=0.01, eps=1e-8) and AdamW(..., weight_decay=0.1)
    const torchAdam = [0.4764280617237091, -1.0016673803329468, 1.978974461555481];
    const torchAdamW = [0.4749562740325928, -0.9986859560012817, 1.9730045795440674];
    const a = await run(0, update), w = await run(0.1, update);
    for (let i = 0; i < 3; i++) {
      assertAlmostEquals(a[i]!, torchAdam[i]!, 2e-7);
      assertAlmostEquals(w[i]!, torchAdamW[i]!, 2e-7);
    }
  });

  Deno.test(`adam (${update} update): state save/restore continues bit for bit; no tensor leak`, async () => {
    const before = tf.memory().numTensors;
    assertEquals(await run(0.1, update, 0), await run(0.1, update));
    assertEquals(await run(0, update, 1), await run(0, update));
    assertEquals(tf.memory().numTensors, before);
  });

  Deno.test(`adamw (${update} update): PyTorch's update rule, step by step, in float64`, async () => {
    const v = tf.variable(tf.tensor1d([0.5, -1.5, 2]));
    const opt = new Adam(new Map([["v", v]]), {
      lr: 0.1,
      weightDecay: 0.05,
      beta1: 0.8,
      beta2: 0.9,
      epsilon: 1e-8,
      update,
    });
    const grads = [[0.3, -0.2, 0.1], [-0.5, 0.4, 0], [1, 1, -1]];
    let p = [0.5, -1.5, 2], m = [0, 0, 0], s = [0, 0, 0];
    for (let t = 1; t <= 3; t++) {
      const g = grads[t - 1]!;
      const gt = tf.tensor1d(g);
      opt.apply({ v: gt });
      gt.dispose();
      p = p.map((x) => x * (1 - 0.1 * 0.05));
      m = m.map((x, i) => 0.8 * x + 0.2 * g[i]!);
      s = s.map((x, i) => 0.9 * x + 0.1 * g[i]! * g[i]!);
      p = p.map((x, i) =>
        x - (0.1 / (1 - 0.8 ** t)) * m[i]! / (Math.sqrt(s[i]!) / Math.sqrt(1 - 0.9 ** t) + 1e-8)
      );
      const got = await v.data();
      p.forEach((x, i) => assertAlmostEquals(got[i]!, x, 1e-6, `step ${t} element ${i}`));
    }
    opt.dispose();
    v.dispose();
  });
}

Deno.test("adam: only the variables with a gradient change; step counts every update", async () => {
  const a = tf.variable(tf.tensor1d([1, 2])), b = tf.variable(tf.tensor1d([3]));
  const opt = new Adam(new Map([["a", a], ["b", b]]), { lr: 0.1 });
  const g = tf.tensor1d([1, -1]);
  opt.apply(new Map([["a", g]]));
  assertEquals(opt.step, 1);
  assertEquals(Array.from(await b.data()), [3]);
  assertEquals(Array.from(await a.data()).map((x) => Math.round(x * 10) / 10), [0.9, 2.1]);
  tf.dispose([g, a, b]);
  opt.dispose();
});

Deno.test("adam: safetensors state with PyTorch names; exact round trip; bad files refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
    const opt = new Adam(new Map([["fc.weight", w]]), { lr: 0.01, weightDecay: 0.1 });
    for (const gv of [[0.1, 0.2, -0.3, 0.4], [1, -1, 0.5, 0]]) {
      const g = tf.tensor2d(gv, [2, 2]);
      opt.apply({ "fc.weight": g });
      g.dispose();
    }
    await saveOptimizerState(opt, `${dir}/opt.safetensors`);
    const file = decodeSafetensors(await Deno.readFile(`${dir}/opt.safetensors`));
    assertEquals([...file.tensors.keys()].sort(), [
      "exp_avg.fc.weight",
      "exp_avg_sq.fc.weight",
      "step",
    ]);
    assertEquals(file.tensors.get("exp_avg.fc.weight")!.shape, [2, 2]);
    assertEquals(file.metadata.optimizer, "AdamW");
    const back = new Adam(new Map([["fc.weight", w]]), { lr: 0.01, weightDecay: 0.1 });
    await loadOptimizerState(back, `${dir}/opt.safetensors`);
    assertEquals(back.step, 2);
    assertEquals(await back.getState(), await opt.getState());
    const other = tf.variable(tf.tensor1d([0]));
    const wrong = new Adam(new Map([["other", other]]), { lr: 0.01 });
    await assertRejects(
      () => loadOptimizerState(wrong, `${dir}/opt.safetensors`),
      WeightsError,
      /matches no optimised variable/,
    );
    await assertRejects(() => loadOptimizerState(wrong, `${dir}/none.safetensors`), WeightsError);
    [opt, back, wrong].forEach((o) => o.dispose());
    tf.dispose([w, other]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
