/**
 * The image-sequence baselines of the paper's Table 2, CNN+LSTM (Carrasco-Davis et al. 2019)
 * and CNN+GRU (Gómez et al. 2020): a small 2D CNN shared over the frames turns each stamp into
 * a feature vector; with several bands, a one-hot of the frame's band id is appended; a
 * recurrent network reads the frames in time order (padding frames masked) and its final state
 * goes through dropout to a linear classifier.
 *
 * Per frame: conv 3x3 (1 -> c1) ReLU, max-pool 2; conv 3x3 (c1 -> c2) ReLU, max-pool 2;
 * conv 3x3 (c2 -> c2) ReLU; flatten; linear -> `features` ReLU.
 * Input: the images' {@link ModelInput} (`frames [B, l, h, w]`, `bands [B, l]`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ApplyOptions, Classifier, ModelInput } from "./types.ts";
import { dropout, dropoutActive, linear, ParamsModel, subSeed } from "./layers.ts";
import { ParamStore } from "../model/infra/params.ts";
import { conv2dLayer } from "./conv.ts";
import { type CellKind, defineRnn, type RnnSpec, runRnn } from "./recurrent.ts";

/** Configuration of {@link ImageRnn}. */
export interface ImageRnnConfig {
  /** Recurrent cell: `lstm` (Carrasco-Davis et al.) or `gru` (Gómez et al.). */
  cell: CellKind;
  /** Stamp side the model expects (frames are centre-cropped to it by the loader). */
  size: number;
  /** Frames per sequence. */
  length: number;
  /** Number of bands (1 = single band: no band features). */
  bands: number;
  /** Channels of the first conv. */
  c1: number;
  /** Channels of the second and third convs. */
  c2: number;
  /** Per-frame feature width. */
  features: number;
  /** Recurrent hidden units. */
  hidden: number;
  /** Dropout before the classifier. */
  dropout: number;
  /** Number of classes. */
  numClasses: number;
}

/** Sequence model over per-frame CNN features; see the module doc. */
export class ImageRnn extends ParamsModel implements Classifier {
  /** `cnn-lstm` or `cnn-gru`. */
  readonly name: string;
  readonly numClasses: number;
  readonly config: Readonly<Record<string, unknown>>;
  #cfg: ImageRnnConfig;
  #spec: RnnSpec;
  #flat: number;

  /**
   * Creates the model with freshly initialised weights.
   *
   * @param cfg The configuration.
   * @param seed Initialisation seed.
   */
  constructor(cfg: ImageRnnConfig, seed = 1) {
    if (cfg.size % 4 !== 0) throw new RangeError(`Stamp size ${cfg.size} must be a multiple of 4`);
    super(new ParamStore(seed, "image_rnn"));
    this.#cfg = cfg;
    this.name = `cnn-${cfg.cell}`;
    this.numClasses = cfg.numClasses;
    this.config = { ...cfg };
    const p = this.params;
    p.addAffine("cnn.conv1", [cfg.c1, 1, 3, 3]);
    p.addAffine("cnn.conv2", [cfg.c2, cfg.c1, 3, 3]);
    p.addAffine("cnn.conv3", [cfg.c2, cfg.c2, 3, 3]);
    this.#flat = (cfg.size / 4) ** 2 * cfg.c2;
    p.addAffine("cnn.fc", [cfg.features, this.#flat]);
    const bandFeatures = cfg.bands > 1 ? cfg.bands + 1 : 0;
    this.#spec = {
      cell: cfg.cell,
      inputSize: cfg.features + bandFeatures,
      hiddenSize: cfg.hidden,
      layers: 1,
      bidirectional: false,
    };
    defineRnn(p, "rnn", this.#spec);
    p.addAffine("classifier", [cfg.numClasses, cfg.hidden]);
  }

  apply(input: ModelInput, opts: ApplyOptions & { mcDropout?: boolean }): tf.Tensor2D {
    const cfg = this.#cfg, p = this.params, active = dropoutActive(opts);
    return tf.tidy(() => {
      const [b, l, h, w] = input.frames.shape;
      // Per-frame CNN on [B*l, h, w, 1].
      let x = tf.reshape(input.frames, [b * l, h, w, 1]) as tf.Tensor4D;
      x = tf.maxPool(tf.relu(conv2dLayer(p, "cnn.conv1", x, 1, false)), 2, 2, "valid");
      x = tf.maxPool(tf.relu(conv2dLayer(p, "cnn.conv2", x, 1)), 2, 2, "valid");
      x = tf.relu(conv2dLayer(p, "cnn.conv3", x, 1));
      const feats = tf.relu(linear(p, "cnn.fc", tf.reshape(x, [b * l, this.#flat])));
      let seq = tf.reshape(feats, [b, l, cfg.features]) as tf.Tensor3D;
      if (cfg.bands > 1) {
        const oneHot = tf.oneHot(tf.cast(input.bands, "int32"), cfg.bands + 1); // [B, l, bands+1]
        seq = tf.concat([seq, tf.cast(oneHot, "float32") as tf.Tensor3D], 2);
      }
      const mask = tf.cast(tf.greater(input.bands, 0), "float32") as tf.Tensor2D;
      const r = runRnn(p, "rnn", this.#spec, seq, mask, {
        training: active,
        seed: opts.seed ?? 0,
      });
      const z = dropout(r.last, cfg.dropout, active, subSeed(opts.seed ?? 0, 1));
      return linear(p, "classifier", z) as tf.Tensor2D;
    });
  }
}
