/**
 * Per-band normalisation of a simulated set held in memory (paper §3.1):
 * mean and standard deviation of each band's pixels over the real frames of
 * the training objects, applied in place to every real frame; padding frames
 * stay 0. The same statistics as `lib/data/normalization.ts`, computed on
 * arrays instead of a store.
 *
 * @module
 */

/** Mean and std per band id (index b - 1). */
export interface BandStats {
  mean: number[];
  std: number[];
}

/**
 * Computes per-band statistics over the real frames of objects `rows`.
 *
 * @param frames `[n, l, px]` pixels.
 * @param bands `[n, l]` band ids (0 = padding).
 * @param bandsCount Number of bands B (ids 1..B).
 */
export function bandStats(
  frames: Float32Array,
  bands: Int32Array,
  l: number,
  px: number,
  rows: readonly number[],
  bandsCount: number,
): BandStats {
  const n = new Float64Array(bandsCount),
    s = new Float64Array(bandsCount),
    s2 = new Float64Array(bandsCount);
  // Two passes for numerical safety: means first, then squared deviations.
  for (const r of rows) {
    for (let t = 0; t < l; t++) {
      const b = bands[r * l + t]! - 1;
      if (b < 0 || b >= bandsCount) continue;
      const base = (r * l + t) * px;
      let fs = 0;
      for (let i = 0; i < px; i++) fs += frames[base + i]!;
      s[b] = s[b]! + fs;
      n[b] = n[b]! + px;
    }
  }
  const mean = [...s].map((v, b) => (n[b]! > 0 ? v / n[b]! : 0));
  for (const r of rows) {
    for (let t = 0; t < l; t++) {
      const b = bands[r * l + t]! - 1;
      if (b < 0 || b >= bandsCount) continue;
      const base = (r * l + t) * px, m = mean[b]!;
      let fs = 0;
      for (let i = 0; i < px; i++) fs += (frames[base + i]! - m) ** 2;
      s2[b] = s2[b]! + fs;
    }
  }
  const std = [...s2].map((v, b) => {
    const sd = n[b]! > 1 ? Math.sqrt(v / n[b]!) : 0;
    return sd > 0 && Number.isFinite(sd) ? sd : 1;
  });
  return { mean, std };
}

/** Applies `(x - mean[b]) / std[b]` in place to every real frame (band id > 0). */
export function normalizeInPlace(
  frames: Float32Array,
  bands: Int32Array,
  l: number,
  px: number,
  stats: BandStats,
): void {
  const n = bands.length / l;
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < l; t++) {
      const b = bands[r * l + t]! - 1;
      if (b < 0) continue;
      const m = stats.mean[b] ?? 0, inv = 1 / (stats.std[b] ?? 1);
      const base = (r * l + t) * px;
      for (let i = 0; i < px; i++) frames[base + i] = (frames[base + i]! - m) * inv;
    }
  }
}
