/**
 * Fault injection: the registry entry `convention-nan` (or `convention-oom`)
 * is ConvEntion (same presets, input and weights) whose logits become NaN
 * (or whose forward pass throws the wasm backend's heap overflow) from the
 * `after`-th training forward pass on.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { getModel, registerModel, type TrainableModel } from "../../lib/train/models.ts";
import type { ModelInput } from "../../lib/model/types.ts";
import "../../lib/train/builtin_models.ts";

/** Registers `convention-<fault>`: the fault from training pass number `after` (1-based) on. */
export function registerFaultyConvEntion(after: number, fault: "nan" | "oom" = "nan"): void {
  const base = getModel("convention") as unknown as Parameters<typeof registerModel<ModelInput>>[0];
  registerModel<ModelInput>({
    ...base,
    name: `convention-${fault}`,
    create(spec) {
      const inner = base.create(spec);
      let calls = 0;
      const wrapped: TrainableModel<ModelInput> = {
        name: inner.name,
        numClasses: inner.numClasses,
        apply: (input, opts) => {
          const logits = inner.apply(input, opts);
          if (!opts.training || ++calls < after) return logits;
          if (fault === "oom") {
            logits.dispose();
            throw new WebAssembly.RuntimeError("memory access out of bounds");
          }
          return tf.tidy(() => tf.mul(logits, NaN) as tf.Tensor2D);
        },
        trainableVariables: () => inner.trainableVariables(),
        weights: () => inner.weights(),
        paramCount: () => inner.paramCount(),
        dispose: () => inner.dispose(),
      };
      // inputShape reads the ConvEntion configuration.
      return Object.assign(wrapped, { config: (inner as unknown as { config: unknown }).config });
    },
    inputShape: (m) => base.inputShape(m),
  });
}
