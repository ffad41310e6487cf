/**
 * TF.js for the baselines tests: cpu and wasm backends, gradients registered (lib/model).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../../lib/model/ops/gradients.ts";
import { selectBackend } from "../../lib/train/backend.ts";

/** Switches to a backend and waits for it. */
export async function useBackend(name: "cpu" | "wasm"): Promise<void> {
  if (tf.getBackend() === name) return;
  await selectBackend(name, { quiet: true });
}
