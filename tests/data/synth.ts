/**
 * Small synthetic objects for the data tests: a Gaussian source whose flux
 * rises and falls over time on a noisy background, in any bands.
 *
 * @module
 */
import { Rng } from "../../lib/util/rng.ts";
import type { Frame, ObjectSeries } from "../../lib/survey/series.ts";

/** Options of {@link synthSeries}. */
export interface SynthOptions {
  /** Number of epochs. */
  epochs: number;
  /** Bands observed at each epoch. */
  bands?: readonly string[];
  /** Stamp side. */
  size?: number;
  /** Epoch index of the peak. */
  peak?: number;
  /** Label. */
  label?: string | null;
  /** Confirmed flag. */
  confirmed?: boolean;
  /** Seed of the noise. */
  seed?: number;
}

/** A synthetic object (deterministic from its options). */
export function synthSeries(id: string, o: SynthOptions): ObjectSeries {
  const size = o.size ?? 8, bands = o.bands ?? ["u", "g", "r", "i", "z"];
  const rng = new Rng(o.seed ?? 1);
  const peak = o.peak ?? Math.floor(o.epochs / 2);
  const frames: Frame[] = [];
  for (let e = 0; e < o.epochs; e++) {
    bands.forEach((band, b) => {
      const amp = 50 * Math.exp(-((e - peak) ** 2) / 4);
      const pixels = new Float32Array(size * size);
      const c = (size - 1) / 2;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const r2 = (x - c) ** 2 + (y - c) ** 2;
          pixels[y * size + x] = 100 + 10 * b + amp * Math.exp(-r2 / 4) + rng.normal(0, 1);
        }
      }
      frames.push({ mjd: 53600 + 3 * e + 0.001 * b, band, width: size, height: size, pixels });
    });
  }
  return {
    id,
    label: o.label === undefined ? "SNIa" : o.label,
    confirmed: o.confirmed ?? false,
    frames,
  };
}

/** A temporary folder, removed by the returned function. */
export async function tempDir(prefix = "convention-data-"): Promise<[string, () => Promise<void>]> {
  const dir = await Deno.makeTempDir({ prefix });
  return [dir, () => Deno.remove(dir, { recursive: true })];
}
