/**
 * Stamp strips for the report gallery: one PNG per band, one cell per epoch,
 * epochs aligned across bands so that a column is one time.
 *
 * @module
 */
import { encodePngGray } from "../util/png.ts";

/** One stamp to draw. */
export interface StampFrame {
  /** Band name. */
  band: string;
  /** Time of the exposure (MJD). */
  mjd: number;
  /** Stamp width. */
  width: number;
  /** Stamp height. */
  height: number;
  /** Pixels, row-major, `width * height`. */
  pixels: Float32Array;
}

/** One band's strip. */
export interface StampStrip {
  /** Band name. */
  band: string;
  /** PNG bytes (8-bit grayscale). */
  png: Uint8Array;
  /** PNG width in pixels. */
  width: number;
  /** PNG height in pixels. */
  height: number;
  /** MJD of each column (shared by every band of the object). */
  mjds: number[];
  /** Number of frames of this band drawn. */
  frames: number;
}

/**
 * Draws the frames of one object as strips: per band (in `bandOrder`, then
 * any other band in name order), one cell per distinct epoch (MJDs closer
 * than `epochTolerance` days are one column), time increasing to the right.
 * Pixel values map to gray with the band's own 1st-99th percentile range;
 * empty cells are mid-gray, and a 1-pixel dark gap separates cells.
 *
 * @param frames The object's frames (any order).
 * @param bandOrder Preferred band order (e.g. `["u","g","r","i","z"]`).
 * @param maxColumns At most this many epochs are drawn (the first ones).
 * @param epochTolerance Days within which frames share a column.
 */
export async function renderStampStrips(
  frames: readonly StampFrame[],
  bandOrder: readonly string[] = ["u", "g", "r", "i", "z"],
  maxColumns = 40,
  epochTolerance = 0.5,
): Promise<StampStrip[]> {
  if (frames.length === 0) return [];
  const sorted = [...frames].sort((a, b) => a.mjd - b.mjd);
  const epochs: number[] = [];
  const column = new Map<StampFrame, number>();
  for (const f of sorted) {
    const last = epochs[epochs.length - 1];
    if (last === undefined || f.mjd - last > epochTolerance) epochs.push(f.mjd);
    column.set(f, epochs.length - 1);
  }
  const ncol = Math.min(maxColumns, epochs.length);
  const sw = Math.max(...frames.map((f) => f.width));
  const sh = Math.max(...frames.map((f) => f.height));
  const bands = [...new Set(frames.map((f) => f.band))].sort((a, b) => {
    const ia = bandOrder.indexOf(a), ib = bandOrder.indexOf(b);
    if (ia >= 0 && ib >= 0) return ia - ib;
    if (ia >= 0) return -1;
    if (ib >= 0) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const out: StampStrip[] = [];
  for (const band of bands) {
    const own = sorted.filter((f) => f.band === band && column.get(f)! < ncol);
    const [lo, hi] = percentiles(own.map((f) => f.pixels), 0.01, 0.99);
    const width = ncol * (sw + 1) - 1, height = sh;
    const gray = new Uint8Array(width * height).fill(40);
    for (let c = 0; c < ncol; c++) {
      for (let y = 0; y < sh; y++) {
        gray.fill(128, y * width + c * (sw + 1), y * width + c * (sw + 1) + sw);
      }
    }
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    for (const f of own) {
      const c = column.get(f)!;
      const ox = c * (sw + 1) + Math.floor((sw - f.width) / 2);
      const oy = Math.floor((sh - f.height) / 2);
      for (let y = 0; y < f.height; y++) {
        for (let x = 0; x < f.width; x++) {
          const v = f.pixels[y * f.width + x]!;
          const g = Number.isFinite(v) ? Math.round((v - lo) * scale) : 0;
          // FITS rows go bottom-up: draw row 0 at the bottom.
          gray[(oy + f.height - 1 - y) * width + ox + x] = Math.max(0, Math.min(255, g));
        }
      }
    }
    out.push({
      band,
      png: await encodePngGray(gray, width, height),
      width,
      height,
      mjds: epochs.slice(0, ncol),
      frames: own.length,
    });
  }
  return out;
}

function percentiles(arrays: Float32Array[], p: number, q: number): [number, number] {
  let n = 0;
  for (const a of arrays) n += a.length;
  if (n === 0) return [0, 1];
  const all = new Float32Array(n);
  let o = 0;
  for (const a of arrays) {
    all.set(a, o);
    o += a.length;
  }
  const finite = all.filter((v) => Number.isFinite(v)).sort();
  if (finite.length === 0) return [0, 1];
  const at = (f: number) => finite[Math.min(finite.length - 1, Math.floor(f * finite.length))]!;
  return [at(p), at(q)];
}
