/**
 * The other direction of the PyTorch cross-check: weights saved by our model
 * load into the PyTorch reference module (tasks/pytorch/convention_ref.py,
 * `load_state_dict(strict=True)`) and give the same logits. Skipped when
 * python3 with torch is not installed (tests/util/tools.ts; never required under CI).
 */
import * as tf from "@tensorflow/tfjs-core";
import { createConvEntion } from "../../lib/model/convention.ts";
import { encodeSafetensors, saveWeights } from "../../lib/model/infra/safetensors.ts";
import { selectBackend } from "../../lib/train/backend.ts";
import { assert } from "../util/assert.ts";
import { absMaxDiff } from "./reference.ts";
import { PYTHON, toolTest } from "../util/tools.ts";

await toolTest({
  name: "pytorch load: our saved weights load into the PyTorch module with the same logits",
  tools: ["python3-torch"],
  fn: async () => {
    await selectBackend("wasm", { quiet: true });
    const dir = await Deno.makeTempDir();
    const model = createConvEntion("tiny", 11);
    const frames = tf.randomNormal([2, 12, 12, 12], 0, 1, "float32", 3) as tf.Tensor4D;
    const bands = tf.tensor2d(
      [...Array(24)].map((_, i) => (i % 12 > 8 ? 0 : 1 + (i % 5))),
      [2, 12],
      "int32",
    );
    tf.dispose(model.apply({ frames, bands }, { training: true, seed: 1 })); // non-trivial BN statistics
    await saveWeights(model, `${dir}/w.safetensors`);
    await Deno.writeFile(
      `${dir}/b.safetensors`,
      encodeSafetensors(
        new Map([
          ["frames", {
            dtype: "F32",
            shape: [2, 12, 12, 12],
            data: (await frames.data()) as Float32Array,
          }],
          ["bands", { dtype: "I32", shape: [2, 12], data: (await bands.data()) as Int32Array }],
        ]),
      ),
    );
    const logits = model.apply({ frames, bands }, { training: false });
    const ours = await logits.data();
    const r = await new Deno.Command(PYTHON, {
      args: ["tests/model/pytorch_load.py", `${dir}/w.safetensors`, `${dir}/b.safetensors`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(r.code === 0, new TextDecoder().decode(r.stderr));
    const torch = JSON.parse(new TextDecoder().decode(r.stdout)).logits as number[];
    const d = absMaxDiff(ours, torch);
    tf.dispose([frames, bands, logits]);
    model.dispose();
    await Deno.remove(dir, { recursive: true });
    assert(d <= 1e-4, `PyTorch logits differ by ${d}`);
  },
});
