/**
 * ConvEntion assembled (Bairouk et al. 2022/2023): band embedding (§3.1) ->
 * 3D-CNN (§3.2) -> positional encoding (§3.3) -> convolutional BERT (§3.4)
 * -> max over tokens -> dense head. Reads top to bottom like the paper; the
 * shapes in the comments are those of the `paper` preset.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "./ops/gradients.ts";
import { Rng } from "../util/rng.ts";
import { addBandEmbedding, bandImages } from "./band_embedding.ts";
import { addClassifier, classifier } from "./classifier.ts";
import { addCnn3d, cnn3d } from "./cnn3d.ts";
import { type ConvEntionConfig, type Geometry, geometry, PRESETS } from "./config.ts";
import { addBertBlock, bertBlock, type BertSpec } from "./conv_bert.ts";
import { ModelConfigError, ModelInputError } from "./errors.ts";
import { ParamStore } from "./infra/params.ts";
import { addPositionalEncoding } from "./positional_encoding.ts";
import type { ApplyOptions, Classifier, ModelInput } from "./types.ts";
import type { Tensor2D, Variable } from "./ops/tensor_types.ts";

export { type Conv3dSpec, type ConvEntionConfig, type PresetName, PRESETS } from "./config.ts";

/** Extra forward options of ConvEntion (beyond {@link ApplyOptions}). */
export interface ConvEntionApplyOptions extends ApplyOptions {
  /**
   * Monte-Carlo dropout: dropout active while BatchNorm stays in inference
   * mode (running statistics, not updated). Used with `training: false`.
   */
  mcDropout?: boolean;
  /** Use the authors' n^2 attention instead of the factorised 2n form (tests). */
  naiveAttention?: boolean;
}

/**
 * The ConvEntion network; implements {@link Classifier}.
 *
 * @example Logits of a batch in inference mode
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { selectBackend } from "../train/backend.ts";
 * import { ConvEntion, PRESETS } from "./convention.ts";
 * await selectBackend("cpu", { quiet: true });
 * const model = new ConvEntion({ ...PRESETS.tiny, numClasses: 3 }, 7); // seed 7
 * const frames = tf.zeros([2, 12, 12, 12]) as tf.Tensor4D; // [batch, l, h, w]
 * // Band ids 1..5 (u, g, r, i, z) per frame; 0 marks a padding frame.
 * const bands = tf.tensor2d(
 *   [[1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 0], [2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0]],
 *   [2, 12],
 *   "int32",
 * );
 * const logits = model.apply({ frames, bands }, { training: false });
 * if (!(logits.shape.join() === "2,3")) throw new Error("example check failed");
 * console.log(model.paramCount(), [...model.weights().keys()].slice(0, 3));
 * tf.dispose([frames, bands, logits]);
 * model.dispose();
 * ```
 */
export class ConvEntion implements Classifier {
  /** Always `"convention"`. */
  readonly name = "convention";
  /** Number of classes C. */
  readonly numClasses: number;
  /** The full configuration (JSON). */
  readonly config: Readonly<ConvEntionConfig & Record<string, unknown>>;
  /** Every derived shape. */
  readonly geometry: Geometry;
  readonly #p: ParamStore;
  readonly #bert: BertSpec;
  readonly #dropRng: Rng;

  /**
   * Builds and initialises the network (PyTorch default initialisation from `seed`).
   *
   * @param config A validated configuration.
   * @param seed Initialisation seed.
   */
  constructor(config: ConvEntionConfig, seed = 0) {
    this.geometry = geometry(config);
    this.config = Object.freeze(structuredClone(config)) as Readonly<
      ConvEntionConfig & Record<string, unknown>
    >;
    this.numClasses = config.numClasses;
    const g = this.geometry;
    this.#bert = {
      d: config.d,
      heads: config.heads,
      attnKernel: config.attnKernel,
      outKernel: config.outKernel,
      tokens: g.tokens,
      tokenHW: g.tokenHW,
      ffKernel: config.ffKernel,
      ffHidden: config.ffHidden,
    };
    const p = new ParamStore(seed, "convention");
    addBandEmbedding(p, config.bandRows, config.stamp, config.stamp);
    addCnn3d(p, g.cnn);
    for (let i = 0; i < config.blocks; i++) addBertBlock(p, i, this.#bert);
    addClassifier(p, g.flat, config.dense, config.numClasses);
    this.#p = p;
    this.#dropRng = Rng.derive(seed, "convention-dropout");
  }

  #check(input: ModelInput): void {
    const c = this.config;
    const f = input.frames.shape, b = input.bands.shape;
    if (f.length !== 4 || f[1] !== c.length || f[2] !== c.stamp || f[3] !== c.stamp) {
      throw new ModelInputError(
        `ConvEntion input frames have shape [${f}], expected [batch, ${c.length}, ${c.stamp}, ${c.stamp}]`,
        {
          hint:
            "the data pipeline must cut/pad to l frames and centre-crop stamps to the preset size",
        },
      );
    }
    if (b.length !== 2 || b[0] !== f[0] || b[1] !== c.length) {
      throw new ModelInputError(
        `ConvEntion input bands have shape [${b}], expected [${f[0]}, ${c.length}]`,
      );
    }
    if (input.frames.dtype !== "float32" || input.bands.dtype !== "int32") {
      throw new ModelInputError(
        `ConvEntion input dtypes are ${input.frames.dtype}/${input.bands.dtype}, expected float32/int32`,
      );
    }
  }

  /**
   * Logits `[batch, C]`. Training mode: BatchNorm batch statistics (running
   * statistics updated), dropout with masks from `opts.seed` (or the model's
   * own seeded stream). Inference mode: running statistics, no dropout.
   */
  apply(input: ModelInput, opts: ConvEntionApplyOptions): Tensor2D {
    this.#check(input);
    const c = this.config, g = this.geometry, p = this.#p;
    const training = opts.training;
    const dropout = training || opts.mcDropout === true;
    const seed = opts.seed ?? this.#dropRng.nextUint32();
    const seeds: [number, number] | null = dropout
      ? [Rng.derive(seed, "fc1").nextUint32(), Rng.derive(seed, "fc2").nextUint32()]
      : null;
    return tf.tidy(() => {
      // §3.1 band embedding as images: [rows=10, 32, 32, 1]
      const images = bandImages(p, c.stamp, c.stamp);
      // §3.2 3D-CNN over groups of g = 3 frames: [b, n=33, 9, 9, d=8]
      let x = cnn3d(input.frames, input.bands, images, p, g.cnn, c.group, training);
      // §3.3 positional encoding
      x = addPositionalEncoding(x);
      // §3.4 convolutional BERT: blocks x [b, 33, 9, 9, 8]
      for (let i = 0; i < c.blocks; i++) {
        x = bertBlock(x, p, i, this.#bert, training, training, opts.naiveAttention ?? false);
      }
      // max over tokens -> 648 -> 256 -> C
      return classifier(x, p, c.dropout, seeds);
    });
  }

  /** The trainable variables. */
  trainableVariables(): Variable[] {
    return this.#p.trainable();
  }

  /** All persistent tensors by PyTorch state_dict name (PyTorch layouts). */
  weights(): Map<string, Variable> {
    return this.#p.weights();
  }

  /** Trainable scalar parameters (1,253,108 for the paper preset with C = 4). */
  paramCount(): number {
    return this.#p.count();
  }

  /** Disposes every variable. */
  dispose(): void {
    this.#p.dispose();
  }
}

/**
 * Creates a ConvEntion network from a configuration or a preset name.
 *
 * @param config A {@link ConvEntionConfig} or one of `paper`, `paper-g`, `cpu`, `tiny`.
 * @param seed Initialisation seed (default 0).
 * @returns The initialised network.
 *
 * @example
 * ```ts
 * import { selectBackend } from "../train/backend.ts";
 * import { createConvEntion } from "./convention.ts";
 * await selectBackend("cpu", { quiet: true });
 * const m = createConvEntion("paper");
 * if (!(m.paramCount() === 1_253_108)) throw new Error("example check failed");
 * m.dispose();
 * ```
 */
export function createConvEntion(
  config: ConvEntionConfig | keyof typeof PRESETS,
  seed = 0,
): ConvEntion {
  if (typeof config === "string") {
    const preset = PRESETS[config];
    if (!preset) {
      throw new ModelConfigError(
        `Unknown ConvEntion preset "${config}"; presets: ${Object.keys(PRESETS).join(", ")}`,
      );
    }
    return new ConvEntion(preset, seed);
  }
  return new ConvEntion(config, seed);
}
