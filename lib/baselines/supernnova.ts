/**
 * SuperNNova-like recurrent classifier on light curves (Möller & de Boissière 2020): a stacked
 * bidirectional LSTM over epochs (per-band flux and error, presence flags, time since the
 * previous epoch; see lc_features.ts), the mean of its outputs over the real epochs, dropout,
 * and a linear layer. The Bayesian variant (the paper's "SuperNNova Bayesian RNN") uses
 * Monte-Carlo dropout (Gal & Ghahramani 2016): variational dropout on inputs and recurrent
 * state during training and, in inference mode, the average of `mcSamples` stochastic passes
 * (the logits returned are the log of the mean probabilities); {@link SuperNnova.predictMc}
 * also gives the spread.
 *
 * Input convention (a {@link ModelInput}, shared by the light-curve sequence models, built by
 * `lcModelInput`): `frames [B, T, 1, F + 1]` = the encoded epochs (`encodeLightCurves`) with the
 * days since the first epoch as the last channel (not used here: the features hold delta-t),
 * `bands [B, T]` int32 = the epoch mask (1 real, 0 pad).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ApplyOptions, Classifier, ModelInput } from "./types.ts";
import { dropout, dropoutActive, linear, maskedMean, ParamsModel, subSeed } from "./layers.ts";
import { ParamStore } from "../model/infra/params.ts";
import { type CellKind, defineRnn, rnnOutputSize, type RnnSpec, runRnn } from "./recurrent.ts";

/** Configuration of {@link SuperNnova}. */
export interface SuperNnovaConfig {
  /** Features per epoch (`lcFeatureCount(bands)`). */
  featureCount: number;
  /** Epochs per sequence. */
  maxEpochs: number;
  /** Cell (default `lstm`, as SuperNNova). */
  cell: CellKind;
  /** Hidden units per direction (SuperNNova default 32). */
  hidden: number;
  /** Stacked layers (default 2). */
  layers: number;
  /** Bidirectional (default true). */
  bidirectional: boolean;
  /** Dropout before the output layer (and, Bayesian, on inputs and recurrent state). */
  dropout: number;
  /** Monte-Carlo dropout variant. */
  bayesian: boolean;
  /** Stochastic passes averaged in inference mode (Bayesian only). */
  mcSamples: number;
  /** Number of classes. */
  numClasses: number;
}

/** Defaults of the SuperNNova-like RNN (SuperNNova's published defaults where they apply). */
export function superNnovaConfig(
  overrides: Partial<SuperNnovaConfig> & Pick<SuperNnovaConfig, "featureCount" | "maxEpochs">,
): SuperNnovaConfig {
  return {
    cell: "lstm",
    hidden: 32,
    layers: 2,
    bidirectional: true,
    dropout: 0.05,
    bayesian: false,
    mcSamples: 20,
    numClasses: 4,
    ...overrides,
  };
}

/** SuperNNova-like (Bayesian) RNN; see the module doc. */
export class SuperNnova extends ParamsModel implements Classifier {
  /** `supernnova` or `supernnova-bayes`. */
  readonly name: string;
  readonly numClasses: number;
  readonly config: Readonly<Record<string, unknown>>;
  #cfg: SuperNnovaConfig;
  #spec: RnnSpec;

  /**
   * Creates the model with freshly initialised weights.
   *
   * @param cfg The configuration (see {@link superNnovaConfig}).
   * @param seed Initialisation seed.
   */
  constructor(cfg: SuperNnovaConfig, seed = 1) {
    super(new ParamStore(seed, "supernnova"));
    this.#cfg = cfg;
    this.name = cfg.bayesian ? "supernnova-bayes" : "supernnova";
    this.numClasses = cfg.numClasses;
    this.config = { ...cfg };
    this.#spec = {
      cell: cfg.cell,
      inputSize: cfg.featureCount,
      hiddenSize: cfg.hidden,
      layers: cfg.layers,
      bidirectional: cfg.bidirectional,
    };
    defineRnn(this.params, "rnn_layer", this.#spec);
    this.params.addAffine("output_layer", [cfg.numClasses, rnnOutputSize(this.#spec)]);
  }

  #forward(input: ModelInput, training: boolean, seed: number): tf.Tensor2D {
    return tf.tidy(() => {
      const [b, t, , f] = input.frames.shape;
      const x = tf.slice(tf.reshape(input.frames, [b, t, f]), [0, 0, 0], [
        b,
        t,
        f - 1,
      ]) as tf.Tensor3D;
      const mask = tf.cast(tf.greater(input.bands, 0), "float32") as tf.Tensor2D;
      const rate = this.#cfg.dropout;
      const r = runRnn(this.params, "rnn_layer", this.#spec, x, mask, {
        training,
        seed,
        dropout: this.#cfg.bayesian ? { input: rate, recurrent: rate } : undefined,
      });
      const pooled = maskedMean(r.outputs, mask);
      const dropped = dropout(pooled, rate, training, subSeed(seed, 1000));
      return linear(this.params, "output_layer", dropped) as tf.Tensor2D;
    });
  }

  /**
   * Logits `[B, C]`. Bayesian in inference mode: log of the mean softmax of `mcSamples`
   * dropout passes (seeded by `opts.seed`, default 0).
   */
  apply(input: ModelInput, opts: ApplyOptions & { mcDropout?: boolean }): tf.Tensor2D {
    const seed = opts.seed ?? 0;
    if (opts.training || opts.mcDropout === true || !this.#cfg.bayesian) {
      return this.#forward(input, dropoutActive(opts), seed);
    }
    return tf.tidy(() =>
      tf.log(tf.add(this.predictMc(input, this.#cfg.mcSamples, seed).mean, 1e-12))
    );
  }

  /**
   * Monte-Carlo dropout prediction: mean and standard deviation of the class probabilities over
   * `samples` stochastic passes.
   *
   * @returns `mean [B, C]` and `std [B, C]`.
   */
  predictMc(input: ModelInput, samples: number, seed = 0): { mean: tf.Tensor2D; std: tf.Tensor2D } {
    return tf.tidy(() => {
      const probs: tf.Tensor2D[] = [];
      for (let s = 0; s < samples; s++) {
        probs.push(tf.softmax(this.#forward(input, true, subSeed(seed, 7919 + s))));
      }
      const stacked = tf.stack(probs); // [S, B, C]
      const mean = tf.mean(stacked, 0) as tf.Tensor2D;
      const std = tf.sqrt(tf.mean(tf.square(tf.sub(stacked, mean)), 0)) as tf.Tensor2D;
      return { mean, std };
    });
  }
}
