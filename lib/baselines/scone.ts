/**
 * SCONE-like classifier (Qu et al. 2021, AJ 162, 67, "SCONE: Supernova Classification with a
 * Convolutional Neural Network"): a small CNN on the two-channel GP heatmap of each light curve
 * (predictive mean and standard deviation over wavelength x time, see gp_heatmap.ts).
 *
 * conv 3x3 (2 -> c1) ReLU, max-pool 2; conv 3x3 (c1 -> c2) ReLU, max-pool 2; conv 3x3
 * (c2 -> c2) ReLU, max-pool 2; flatten; dropout; linear -> hidden ReLU; dropout; linear -> C.
 *
 * Input convention (a {@link ModelInput}): `frames [B, 2, wavelengthBins, dayBins]` (channel 0
 * mean, 1 standard deviation, both divided by the map's largest |mean|); `bands [B, 2]` = 1.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ApplyOptions, Classifier, ModelInput } from "./types.ts";
import { dropout, dropoutActive, linear, ParamsModel, subSeed } from "./layers.ts";
import { ParamStore } from "../model/infra/params.ts";
import { conv2dLayer } from "./conv.ts";

/** Configuration of {@link Scone}. */
export interface SconeConfig {
  /** Heatmap rows (wavelength bins). */
  wavelengthBins: number;
  /** Heatmap columns (day bins). */
  dayBins: number;
  /** Channels of the first conv. */
  c1: number;
  /** Channels of the second and third convs. */
  c2: number;
  /** Hidden dense width. */
  hidden: number;
  /** Dropout. */
  dropout: number;
  /** Number of classes. */
  numClasses: number;
}

/** Presets: `paper` (32 x 180 maps as SCONE), `cpu` (same maps, narrower), `tiny` (tests). */
export const SCONE_PRESETS: Readonly<
  Record<"paper" | "cpu" | "tiny", Omit<SconeConfig, "numClasses">>
> = {
  paper: { wavelengthBins: 32, dayBins: 180, c1: 16, c2: 32, hidden: 64, dropout: 0.5 },
  cpu: { wavelengthBins: 32, dayBins: 180, c1: 8, c2: 16, hidden: 32, dropout: 0.3 },
  tiny: { wavelengthBins: 8, dayBins: 16, c1: 2, c2: 3, hidden: 4, dropout: 0.3 },
};

/** SCONE-like heatmap CNN; see the module doc. */
export class Scone extends ParamsModel implements Classifier {
  readonly name = "scone";
  readonly numClasses: number;
  readonly config: Readonly<Record<string, unknown>>;
  #cfg: SconeConfig;
  #flat: number;

  /**
   * Creates the model with freshly initialised weights.
   *
   * @param cfg The configuration.
   * @param seed Initialisation seed.
   */
  constructor(cfg: SconeConfig, seed = 1) {
    super(new ParamStore(seed, "scone"));
    this.#cfg = cfg;
    this.numClasses = cfg.numClasses;
    this.config = { ...cfg };
    const p = this.params;
    p.addAffine("conv1", [cfg.c1, 2, 3, 3]);
    p.addAffine("conv2", [cfg.c2, cfg.c1, 3, 3]);
    p.addAffine("conv3", [cfg.c2, cfg.c2, 3, 3]);
    const pooled = (n: number): number => Math.floor(Math.floor(Math.floor(n / 2) / 2) / 2);
    this.#flat = pooled(cfg.wavelengthBins) * pooled(cfg.dayBins) * cfg.c2;
    if (this.#flat === 0) throw new RangeError("SCONE heatmaps must be at least 8 x 8");
    p.addAffine("fc1", [cfg.hidden, this.#flat]);
    p.addAffine("fc2", [cfg.numClasses, cfg.hidden]);
  }

  apply(input: ModelInput, opts: ApplyOptions & { mcDropout?: boolean }): tf.Tensor2D {
    const cfg = this.#cfg, p = this.params, seed = opts.seed ?? 0, active = dropoutActive(opts);
    return tf.tidy(() => {
      let x = tf.transpose(input.frames, [0, 2, 3, 1]) as tf.Tensor4D; // [B, W, D, 2]
      x = tf.maxPool(tf.relu(conv2dLayer(p, "conv1", x, 1, false)), 2, 2, "valid");
      x = tf.maxPool(tf.relu(conv2dLayer(p, "conv2", x, 1)), 2, 2, "valid");
      x = tf.maxPool(tf.relu(conv2dLayer(p, "conv3", x, 1)), 2, 2, "valid");
      let z: tf.Tensor = tf.reshape(x, [x.shape[0], this.#flat]);
      z = dropout(z, cfg.dropout, active, subSeed(seed, 0));
      z = tf.relu(linear(p, "fc1", z));
      z = dropout(z, cfg.dropout, active, subSeed(seed, 1));
      return linear(p, "fc2", z) as tf.Tensor2D;
    });
  }
}
