/**
 * Per-band pixel normalisation (paper §3.1): mean and standard deviation of
 * the valid pixels of each band, computed on the training objects only,
 * saved with the run (`normalization.json`) and applied by the loader as
 * `(x - mean[band]) / std[band]`.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import type { Store } from "./store.ts";

/** Per-band statistics; index `b - 1` is band id `b`. */
export interface Normalization {
  /** Band names in id order. */
  bands: string[];
  /** Mean pixel value per band. */
  mean: number[];
  /** Standard deviation per band (1 where a band had no pixel or no spread). */
  std: number[];
  /** Number of valid pixels per band the statistics came from. */
  pixels: number[];
  /** Number of objects used. */
  objects: number;
  /** Side of the central crop the statistics were computed on. */
  size: number;
}

/** Options of {@link computeNormalization}. */
export interface NormalizationOptions {
  /** Side of the central crop to use (default: the store size); use the model's size. */
  size?: number;
}

/**
 * Computes per-band mean/std over every frame of the given objects (valid
 * pixels of the central `size x size` crop), streaming object by object with
 * pairwise-combined float64 moments (exact to rounding, bounded memory).
 *
 * @param store Open store.
 * @param ids Training object ids (never validation or test).
 * @example
 * ```ts
 * import {
 *   computeNormalization,
 *   ingest,
 *   makeSplit,
 *   openSource,
 *   openStore,
 *   trainingIds,
 * } from "./mod.ts";
 * import { simulateSurvey } from "../simulate/survey.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 8, size: 16, progress: false });
 * const source = openSource("simulated", `${dir}/s82`);
 * await ingest(source, { out: `${dir}/store`, size: 16, progress: false });
 * const store = await openStore(`${dir}/store`);
 * const split = makeSplit(store.objects, { seed: 1 });
 * const norm = computeNormalization(store, trainingIds(split), { size: 12 }); // the model's crop
 * if (!(norm.bands.join("") === "ugriz" && norm.size === 12)) throw new Error("example check failed");
 * console.log(norm.mean, norm.std, norm.objects);
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function computeNormalization(
  store: Store,
  ids: readonly string[],
  opts: NormalizationOptions = {},
): Normalization {
  const S = store.size, size = opts.size ?? S;
  if (size > S) {
    throw new ConventionError(`Normalisation crop ${size} is larger than the store stamps (${S}).`);
  }
  const B = store.bands.length, off = Math.floor((S - size) / 2), px = S * S;
  const n = new Float64Array(B), mean = new Float64Array(B), m2 = new Float64Array(B);
  for (const id of ids) {
    const o = store.get(id);
    const pix = store.readObject(o.index);
    for (let f = 0; f < o.count; f++) {
      const b = store.band[o.first + f]! - 1;
      if (b < 0 || b >= B) continue;
      const base = f * px;
      let fn = 0, fs = 0;
      for (let y = off; y < off + size; y++) {
        for (let x = off, r = base + y * S; x < off + size; x++) {
          const v = pix[r + x]!;
          if (v === v) {
            fs += v;
            fn++;
          }
        }
      }
      if (fn === 0) continue;
      const fm = fs / fn;
      let fm2 = 0;
      for (let y = off; y < off + size; y++) {
        for (let x = off, r = base + y * S; x < off + size; x++) {
          const v = pix[r + x]!;
          if (v === v) fm2 += (v - fm) * (v - fm);
        }
      }
      // Chan et al. pairwise combination.
      const na = n[b]!, nt = na + fn, d = fm - mean[b]!;
      mean[b] = mean[b]! + d * fn / nt;
      m2[b] = m2[b]! + fm2 + d * d * na * fn / nt;
      n[b] = nt;
    }
  }
  const std = [...m2].map((v, b) => {
    const s = n[b]! > 1 ? Math.sqrt(v / n[b]!) : 0;
    return s > 0 && Number.isFinite(s) ? s : 1;
  });
  return {
    bands: [...store.bands],
    mean: [...mean].map((v, b) => n[b]! > 0 ? v : 0),
    std,
    pixels: [...n],
    objects: ids.length,
    size,
  };
}

/** Writes `normalization.json` (atomically). */
export async function saveNormalization(path: string, norm: Normalization): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(norm, null, 2) + "\n");
}

/** Reads a `normalization.json`, checking its shape. */
export async function loadNormalization(path: string): Promise<Normalization> {
  const n = JSON.parse(await Deno.readTextFile(path)) as Normalization;
  const B = n.bands?.length ?? 0;
  if (
    B === 0 || n.mean?.length !== B || n.std?.length !== B || n.std.some((s) => !(s > 0))
  ) {
    throw new ConventionError(`${path} is not a valid normalisation file.`, {
      hint: "It is written by `convention train`; train again or restore the file.",
    });
  }
  return n;
}

/** Checks that a normalisation matches a store's bands; throws otherwise. */
export function checkNormalization(norm: Normalization, bands: readonly string[]): void {
  if (norm.bands.join(",") !== bands.join(",")) {
    throw new ConventionError(
      `The normalisation is for bands ${norm.bands.join(",")} but the store has ${
        bands.join(",")
      }.`,
      { hint: "Use the model with a store ingested with the same band map." },
    );
  }
}
