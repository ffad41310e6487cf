/**
 * Turns encoded light curves into the {@link ModelInput} the light-curve sequence models
 * (SuperNNova-like RNN, SITS-BERT-like transformer) take: `frames [B, T, 1, F + 1]` = the epoch
 * features with the days since the first epoch appended as the last channel, `bands [B, T]`
 * int32 = the epoch mask (1 real epoch, 0 padding).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { EncodedLightCurves } from "./lc_features.ts";
import type { ModelInput } from "./types.ts";

/**
 * Builds the model input tensors (caller disposes them).
 *
 * @param enc Encoded light curves.
 */
export function lcModelInput(enc: EncodedLightCurves): ModelInput {
  const { batchSize: b, maxEpochs: t, featureCount: f } = enc;
  const data = new Float32Array(b * t * (f + 1));
  for (let r = 0; r < b * t; r++) {
    data.set(enc.features.subarray(r * f, (r + 1) * f), r * (f + 1));
    data[r * (f + 1) + f] = enc.days[r]!;
  }
  const bands = Int32Array.from(enc.mask, (m) => (m > 0 ? 1 : 0));
  return {
    frames: tf.tensor4d(data, [b, t, 1, f + 1]),
    bands: tf.tensor2d(bands, [b, t], "int32"),
  };
}
