/**
 * CNN+LSTM on image sequences (Carrasco-Davis et al. 2019, PASP 131, 108006, "Deep learning for
 * image sequence classification of astronomical events"): per-frame CNN features read by an
 * LSTM. The network is {@link ImageRnn} with an LSTM cell; presets here.
 *
 * @module
 */
import { ImageRnn, type ImageRnnConfig } from "./image_rnn.ts";

/** Presets of the CNN+LSTM: `paper` (32x32, l 99) and `cpu` (16x16, l 48, narrower). */
export const CNN_LSTM_PRESETS: Readonly<
  Record<"paper" | "cpu" | "tiny", Omit<ImageRnnConfig, "bands" | "numClasses">>
> = {
  paper: {
    cell: "lstm",
    size: 32,
    length: 99,
    c1: 16,
    c2: 32,
    features: 64,
    hidden: 64,
    dropout: 0.5,
  },
  cpu: {
    cell: "lstm",
    size: 16,
    length: 48,
    c1: 8,
    c2: 16,
    features: 32,
    hidden: 32,
    dropout: 0.3,
  },
  tiny: { cell: "lstm", size: 8, length: 6, c1: 2, c2: 3, features: 4, hidden: 5, dropout: 0.3 },
};

/**
 * Builds a CNN+LSTM.
 *
 * @param preset `paper`, `cpu` or `tiny`.
 * @param bands Number of bands (1 for the g-band-only variant).
 * @param numClasses Classes.
 * @param seed Initialisation seed.
 * @param overrides Config fields to change.
 */
export function createCnnLstm(
  preset: keyof typeof CNN_LSTM_PRESETS,
  bands: number,
  numClasses = 4,
  seed = 1,
  overrides: Partial<ImageRnnConfig> = {},
): ImageRnn {
  return new ImageRnn({
    ...CNN_LSTM_PRESETS[preset],
    bands,
    numClasses,
    ...overrides,
    cell: "lstm",
  }, seed);
}
