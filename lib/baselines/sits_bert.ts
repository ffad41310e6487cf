/**
 * SITS-BERT-like transformer on light curves (after Yuan & Lin 2020, "Self-supervised
 * pre-training of transformers for satellite image time series classification"): one token per
 * observation epoch (its per-band flux, error and presence features, linearly embedded), a
 * sinusoidal positional encoding of the observation time in days (not of the token index, so
 * irregular sampling is seen as it is), post-LayerNorm BERT encoder layers with masked
 * multi-head self-attention, masked mean pooling, dropout and a linear classifier. Trained from
 * scratch here (no self-supervised pre-training: the comparison trains every model the same way).
 *
 * Input convention: as the SuperNNova-like model (`lcModelInput`): `frames [B, T, 1, F + 1]`,
 * the last channel = days since the first epoch; `bands [B, T]` = epoch mask.
 * Parameter names follow PyTorch's `nn.TransformerEncoderLayer`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ApplyOptions, Classifier, ModelInput } from "./types.ts";
import {
  dropout,
  dropoutActive,
  layerNorm,
  linear,
  maskedMean,
  ParamsModel,
  subSeed,
} from "./layers.ts";
import { ParamStore } from "../model/infra/params.ts";

/** Configuration of {@link SitsBert}. */
export interface SitsBertConfig {
  /** Features per epoch (without the days channel). */
  featureCount: number;
  /** Epochs per sequence. */
  maxEpochs: number;
  /** Token width. */
  dModel: number;
  /** Attention heads. */
  heads: number;
  /** Encoder layers. */
  layers: number;
  /** Feed-forward width. */
  ffHidden: number;
  /** Dropout (attention output, feed-forward, head). */
  dropout: number;
  /** Period base of the time encoding (days), as the 10000 of Vaswani et al. */
  timeBase: number;
  /** Number of classes. */
  numClasses: number;
}

/** Defaults: d 64, 4 heads, 3 layers, feed-forward 128, dropout 0.1. */
export function sitsBertConfig(
  overrides: Partial<SitsBertConfig> & Pick<SitsBertConfig, "featureCount" | "maxEpochs">,
): SitsBertConfig {
  return {
    dModel: 64,
    heads: 4,
    layers: 3,
    ffHidden: 128,
    dropout: 0.1,
    timeBase: 10000,
    numClasses: 4,
    ...overrides,
  };
}

/** SITS-BERT-like transformer; see the module doc. */
export class SitsBert extends ParamsModel implements Classifier {
  readonly name = "sits-bert";
  readonly numClasses: number;
  readonly config: Readonly<Record<string, unknown>>;
  #cfg: SitsBertConfig;
  #freq: tf.Tensor1D;

  /**
   * Creates the model with freshly initialised weights.
   *
   * @param cfg The configuration (see {@link sitsBertConfig}).
   * @param seed Initialisation seed.
   */
  constructor(cfg: SitsBertConfig, seed = 1) {
    super(new ParamStore(seed, "sits_bert"));
    if (cfg.dModel % cfg.heads !== 0 || cfg.dModel % 2 !== 0) {
      throw new RangeError(`dModel ${cfg.dModel} must be even and divisible by heads ${cfg.heads}`);
    }
    this.#cfg = cfg;
    this.numClasses = cfg.numClasses;
    this.config = { ...cfg };
    const p = this.params;
    const d = cfg.dModel;
    p.addAffine("embedding", [d, cfg.featureCount]);
    for (let k = 0; k < cfg.layers; k++) {
      const l = `encoder.layers.${k}`;
      const xb = Math.sqrt(6 / (d + 3 * d)); // xavier_uniform on [3d, d], as PyTorch
      p.addUniform(`${l}.self_attn.in_proj_weight`, [3 * d, d], xb);
      p.add(`${l}.self_attn.in_proj_bias`, [3 * d], new Float32Array(3 * d));
      p.addAffine(`${l}.self_attn.out_proj`, [d, d]);
      p.addAffine(`${l}.linear1`, [cfg.ffHidden, d]);
      p.addAffine(`${l}.linear2`, [d, cfg.ffHidden]);
      p.addLayerNorm(`${l}.norm1`, [d]);
      p.addLayerNorm(`${l}.norm2`, [d]);
    }
    p.addAffine("classifier", [cfg.numClasses, d]);
    // Angular frequencies 1 / base^(2i/d) of the time encoding, i = 0..d/2-1.
    const freq = new Float32Array(d / 2);
    for (let i = 0; i < d / 2; i++) freq[i] = 1 / cfg.timeBase ** ((2 * i) / d);
    this.#freq = tf.tensor1d(freq);
  }

  /** Sinusoidal encoding of `days [B, T]` -> `[B, T, d]`: sin on even, cos on odd channels. */
  #timeEncoding(days: tf.Tensor2D): tf.Tensor3D {
    const [b, t] = days.shape;
    const angle = tf.mul(tf.expandDims(days, 2), tf.reshape(this.#freq, [1, 1, -1])); // [B,T,d/2]
    const pe = tf.stack([tf.sin(angle), tf.cos(angle)], 3); // [B, T, d/2, 2]
    return tf.reshape(pe, [b, t, this.#cfg.dModel]) as tf.Tensor3D;
  }

  apply(input: ModelInput, opts: ApplyOptions & { mcDropout?: boolean }): tf.Tensor2D {
    const cfg = this.#cfg, p = this.params;
    const training = dropoutActive(opts), seed = opts.seed ?? 0;
    return tf.tidy(() => {
      const [b, t, , f1] = input.frames.shape;
      const f = f1 - 1, d = cfg.dModel, h = cfg.heads, dh = d / h;
      const all = tf.reshape(input.frames, [b, t, f1]);
      const feats = tf.slice(all, [0, 0, 0], [b, t, f]);
      const days = tf.reshape(tf.slice(all, [0, 0, f], [b, t, 1]), [b, t]) as tf.Tensor2D;
      const mask = tf.cast(tf.greater(input.bands, 0), "float32") as tf.Tensor2D; // [B, T]
      let x = tf.add(linear(p, "embedding", feats), this.#timeEncoding(days)) as tf.Tensor3D;
      x = dropout(x, cfg.dropout, training, subSeed(seed, 0)) as tf.Tensor3D;
      // Additive key mask [B, 1, 1, T]: -1e9 on padding.
      const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [b, 1, 1, t]);
      for (let k = 0; k < cfg.layers; k++) {
        const l = `encoder.layers.${k}`;
        const qkv = tf.add(
          tf.matMul(tf.reshape(x, [b * t, d]), p.get(`${l}.self_attn.in_proj_weight`), false, true),
          p.get(`${l}.self_attn.in_proj_bias`),
        ); // [B*T, 3d]
        const [q, kk, v] = tf.split(qkv, 3, 1).map((z) =>
          tf.transpose(tf.reshape(z, [b, t, h, dh]), [0, 2, 1, 3])
        ) as tf.Tensor4D[]; // 3 x [B, h, T, dh]
        const scores = tf.add(tf.mul(tf.matMul(q!, kk!, false, true), 1 / Math.sqrt(dh)), keyBias);
        const att = tf.softmax(scores); // [B, h, T, T]
        const ctx = tf.reshape(tf.transpose(tf.matMul(att, v!), [0, 2, 1, 3]), [b, t, d]);
        let a = linear(p, `${l}.self_attn.out_proj`, ctx);
        a = dropout(a, cfg.dropout, training, subSeed(seed, 10 * k + 1));
        x = layerNorm(p, `${l}.norm1`, tf.add(x, a)) as tf.Tensor3D;
        let ff = linear(p, `${l}.linear2`, tf.relu(linear(p, `${l}.linear1`, x)));
        ff = dropout(ff, cfg.dropout, training, subSeed(seed, 10 * k + 2));
        x = layerNorm(p, `${l}.norm2`, tf.add(x, ff)) as tf.Tensor3D;
      }
      const pooled = dropout(maskedMean(x, mask), cfg.dropout, training, subSeed(seed, 999));
      return linear(p, "classifier", pooled) as tf.Tensor2D;
    });
  }

  /** Frees every variable and the time-encoding frequencies. */
  override dispose(): void {
    super.dispose();
    this.#freq.dispose();
  }
}
