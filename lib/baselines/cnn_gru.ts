/**
 * CNN+GRU on image sequences (Gómez et al. 2020, MNRAS 499, 3130, "Classifying image sequences
 * of astronomical transients with deep neural networks"): per-frame CNN features read by a GRU.
 * The network is {@link ImageRnn} with a GRU cell; presets here.
 *
 * @module
 */
import { ImageRnn, type ImageRnnConfig } from "./image_rnn.ts";
import { CNN_LSTM_PRESETS } from "./cnn_lstm.ts";

/** Presets of the CNN+GRU: the CNN+LSTM's sizes with a GRU cell. */
export const CNN_GRU_PRESETS: Readonly<
  Record<"paper" | "cpu" | "tiny", Omit<ImageRnnConfig, "bands" | "numClasses">>
> = {
  paper: { ...CNN_LSTM_PRESETS.paper, cell: "gru" },
  cpu: { ...CNN_LSTM_PRESETS.cpu, cell: "gru" },
  tiny: { ...CNN_LSTM_PRESETS.tiny, cell: "gru" },
};

/**
 * Builds a CNN+GRU.
 *
 * @param preset `paper`, `cpu` or `tiny`.
 * @param bands Number of bands (1 for the g-band-only variant).
 * @param numClasses Classes.
 * @param seed Initialisation seed.
 * @param overrides Config fields to change.
 */
export function createCnnGru(
  preset: keyof typeof CNN_GRU_PRESETS,
  bands: number,
  numClasses = 4,
  seed = 1,
  overrides: Partial<ImageRnnConfig> = {},
): ImageRnn {
  return new ImageRnn(
    { ...CNN_GRU_PRESETS[preset], bands, numClasses, ...overrides, cell: "gru" },
    seed,
  );
}
