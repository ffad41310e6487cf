/**
 * Presets of the light-curve sequence baselines (SuperNNova-like RNN and
 * SITS-BERT-like transformer): sizes and sequence lengths.
 *
 * @module
 */
import type { SitsBertConfig } from "./sits_bert.ts";
import type { SuperNnovaConfig } from "./supernnova.ts";

/** Presets of the light-curve sequence models: sizes and sequence lengths. */
export const LC_PRESETS: Readonly<
  Record<
    "paper" | "cpu" | "tiny",
    { snn: Partial<SuperNnovaConfig>; bert: Partial<SitsBertConfig> }
  >
> = {
  paper: {
    snn: { hidden: 32, layers: 2, maxEpochs: 96, dropout: 0.05, mcSamples: 30 },
    bert: { dModel: 64, heads: 4, layers: 3, ffHidden: 256, maxEpochs: 96, dropout: 0.1 },
  },
  cpu: {
    snn: { hidden: 32, layers: 2, maxEpochs: 32, dropout: 0.05, mcSamples: 10 },
    bert: { dModel: 32, heads: 4, layers: 2, ffHidden: 64, maxEpochs: 32, dropout: 0.1 },
  },
  tiny: {
    snn: { hidden: 6, layers: 1, maxEpochs: 8, dropout: 0.05, mcSamples: 3 },
    bert: { dModel: 8, heads: 2, layers: 1, ffHidden: 8, maxEpochs: 8, dropout: 0.1 },
  },
};
