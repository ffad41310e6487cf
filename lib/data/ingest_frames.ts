/**
 * The frame checks of ingest: band in the band map, finite MJD, a pixel
 * array of the stated shape, at least one valid pixel after fitting to the
 * store size; then time order and no second frame of a band at the same MJD
 * (within 1e-6 day; the first is kept). Each skipped frame is reported.
 *
 * @module
 */
import type { BandMap } from "../survey/bands.ts";
import type { Frame } from "../survey/series.ts";
import type { ProblemKind } from "../survey/source.ts";
import { brightnessScore, fitStamp } from "./stamp.ts";
import type { StoreFrame } from "./store_writer.ts";

/** A fitted frame with its counts, before writing. */
export type FittedFrame = StoreFrame & {
  nan: number;
  padded: number;
  cropped: boolean;
  source?: string;
};

/** Called for each skipped frame with its reason. */
export type FrameProblem = (kind: ProblemKind, message: string) => void;

/** Why `f` cannot be stored (kind and message), or null when it can. */
function frameFault(
  id: string,
  f: Frame,
  bandMap: BandMap,
): [ProblemKind, string] | null {
  const where = f.source ? ` (${f.source})` : "";
  if (bandMap.id(f.band) === 0) {
    return [
      "unknown-band",
      `Object "${id}": band "${f.band}"${where} is not in the band map ${bandMap.bands.join(",")}.`,
    ];
  }
  if (!Number.isFinite(f.mjd)) {
    return ["bad-value", `Object "${id}": frame${where} has no finite MJD.`];
  }
  if (!(f.width >= 1 && f.height >= 1) || f.pixels.length !== f.width * f.height) {
    return [
      "wrong-shape",
      `Object "${id}": frame${where} is ${f.width}x${f.height} with ${f.pixels.length} pixels.`,
    ];
  }
  return null;
}

/** Checks and fits each frame to `size`; skipped frames go to `skip`. */
export function fitFrames(
  id: string,
  frames: readonly Frame[],
  bandMap: BandMap,
  size: number,
  skip: FrameProblem,
): FittedFrame[] {
  const out: FittedFrame[] = [];
  for (const f of frames) {
    const fault = frameFault(id, f, bandMap);
    if (fault) {
      skip(...fault);
      continue;
    }
    const s = fitStamp(f, size);
    if (s.nan + s.padded >= size * size) {
      const where = f.source ? ` (${f.source})` : "";
      skip("empty-stamp", `Object "${id}": every pixel of frame${where} is NaN.`);
      continue;
    }
    out.push({
      pixels: s.pixels,
      band: bandMap.id(f.band),
      mjd: f.mjd,
      score: 0,
      invalid: s.nan + s.padded,
      nan: s.nan,
      padded: s.padded,
      cropped: s.cropped,
      source: f.source,
    });
  }
  return out;
}

/**
 * Sorts by time (then band), drops a second frame of a band at the same MJD
 * (reported to `skip`) and scores each kept frame's brightness.
 */
export function orderFrames(
  id: string,
  frames: FittedFrame[],
  bandMap: BandMap,
  size: number,
  skip: FrameProblem,
): FittedFrame[] {
  frames.sort((a, b) => a.mjd - b.mjd || a.band - b.band);
  const unique: FittedFrame[] = [];
  const lastMjd = new Map<number, number>(); // per band, MJD of the last kept frame
  for (const f of frames) {
    const prev = lastMjd.get(f.band);
    if (prev !== undefined && f.mjd - prev < 1e-6) {
      skip(
        "duplicate-frame",
        `Object "${id}": a second ${bandMap.name(f.band)} frame at MJD ${f.mjd}${
          f.source ? ` (${f.source})` : ""
        } was skipped.`,
      );
      continue;
    }
    lastMjd.set(f.band, f.mjd);
    f.score = brightnessScore(f.pixels, size);
    unique.push(f);
  }
  return unique;
}
