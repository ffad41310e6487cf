/**
 * Turning one FITS image HDU into a {@link Frame}, or into a {@link Problem}
 * that says what was wrong: shared by the simulator-layout, manifest and
 * folder sources.
 *
 * Band and time come from the caller (manifest columns) or from header keys
 * (the HDU's own header first, then the primary header). Time keys are
 * tried in order; a key whose name contains `DATE` is an ISO 8601 date
 * (UTC) converted to MJD, a value above 2,400,000 is a JD (minus 2400000.5),
 * any other number is an MJD.
 *
 * @module
 */
import { imageToFloat32 } from "../fits/read.ts";
import type { FitsFile, Hdu } from "../fits/types.ts";
import type { Frame } from "./series.ts";
import type { Problem, ProblemKind } from "./source.ts";

/** Default header keys for the band, tried in order. */
export const DEFAULT_BAND_KEYS: readonly string[] = ["FILTER", "BAND"];
/** Default header keys for the time, tried in order. */
export const DEFAULT_TIME_KEYS: readonly string[] = ["MJD-OBS", "MJD", "DATE-OBS"];
/** Header keys copied into `Frame.meta` when present. */
export const META_KEYS: readonly string[] = [
  "SEEING",
  "MAGZP",
  "SKYSIG",
  "EXPTIME",
  "AIRMASS",
  "SKYMAG",
  "GAIN",
];

/** Options of {@link hduToFrame}. */
export interface HduFrameOptions {
  /** Object id, for problems. */
  object: string;
  /** Band name given by the caller (e.g. a manifest column); else read from `bandKeys`. */
  band?: string;
  /** MJD given by the caller; else read from `timeKeys`. */
  mjd?: number;
  /** Header keys for the band (default FILTER, BAND). */
  bandKeys?: readonly string[];
  /** Header keys for the time (default MJD-OBS, MJD, DATE-OBS). */
  timeKeys?: readonly string[];
}

/** Converts an ISO 8601 date (UTC) to MJD; NaN when it does not parse. */
export function isoToMjd(text: string): number {
  let t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) t += "T00:00:00";
  if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(t.slice(10))) t += "Z";
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms / 86400000 + 40587 : NaN;
}

/** Reads a time header value as MJD (see the module doc); NaN when it cannot. */
export function timeValueToMjd(key: string, value: unknown): number {
  if (typeof value === "string" && key.toUpperCase().includes("DATE")) return isoToMjd(value);
  const n = typeof value === "number"
    ? value
    : typeof value === "bigint"
    ? Number(value)
    : typeof value === "string" && value.trim() !== ""
    ? Number(value.trim())
    : NaN;
  if (!Number.isFinite(n)) return NaN;
  return n > 2_400_000 ? n - 2400000.5 : n;
}

/**
 * HDUs that count as frames, in file order: IMAGE HDUs (primary included)
 * with NAXIS > 0, and tile-compressed images. Works on headers-only reads.
 */
export function imageHdus(fits: FitsFile): Hdu[] {
  return fits.hdus.filter((h) =>
    h.kind === "compressed-image" || (h.kind === "image" && (h.header.getNumber("NAXIS") ?? 0) > 0)
  );
}

function lookup(fits: FitsFile, hdu: Hdu, keys: readonly string[]) {
  const primary = fits.hdus[0];
  for (const k of keys) {
    if (hdu.header.has(k)) return { key: k, value: hdu.header.get(k) };
  }
  if (primary && primary !== hdu) {
    for (const k of keys) {
      if (primary.header.has(k)) return { key: k, value: primary.header.get(k) };
    }
  }
  return undefined;
}

/**
 * Makes a frame from image HDU `hdu` of `fits`, or a problem (the frame is
 * then skipped): no image data (`missing-hdu`), not a 2-D image
 * (`wrong-shape`; a 3-D image whose third axis is 1 is accepted), band or
 * time key absent (`missing-header-key`) or unreadable (`bad-value`).
 */
export function hduToFrame(
  fits: FitsFile,
  hdu: Hdu,
  opts: HduFrameOptions,
): Frame | Problem {
  const where = `${fits.name}[${hdu.index}]`;
  const problem = (kind: ProblemKind, message: string): Problem => ({
    object: opts.object,
    kind,
    skipped: "frame",
    message: `Object "${opts.object}": ${where} ${message}`,
    file: fits.name,
    hdu: hdu.index,
  });
  const img = hdu.image;
  if (!img) {
    return hdu.kind === "compressed-image"
      ? problem("unreadable-file", "is a tile-compressed image this reader could not decode.")
      : problem("missing-hdu", `holds no image (${hdu.kind}).`);
  }
  const shape = img.shape;
  const is2d = shape.length === 2 || (shape.length > 2 && shape.slice(2).every((n) => n === 1));
  if (!is2d || shape.some((n) => n <= 0)) {
    return problem(
      "wrong-shape",
      `has shape [${shape.join(", ")}] (NAXIS1 first); a 2-D stamp is expected.`,
    );
  }
  let band = opts.band?.trim();
  if (band === undefined || band === "") {
    const keys = opts.bandKeys ?? DEFAULT_BAND_KEYS;
    const found = lookup(fits, hdu, keys);
    if (!found) return problem("missing-header-key", `has no band key (${keys.join(", ")}).`);
    band = String(found.value ?? "").trim();
    if (band === "") return problem("bad-value", `has an empty ${found.key}.`);
  }
  let mjd = opts.mjd;
  if (mjd === undefined || !Number.isFinite(mjd)) {
    const keys = opts.timeKeys ?? DEFAULT_TIME_KEYS;
    const found = lookup(fits, hdu, keys);
    if (!found) return problem("missing-header-key", `has no time key (${keys.join(", ")}).`);
    mjd = timeValueToMjd(found.key, found.value);
    if (!Number.isFinite(mjd)) {
      return problem("bad-value", `has ${found.key} = ${String(found.value)}, not a time.`);
    }
  }
  const meta: Record<string, number | string> = {};
  for (const k of META_KEYS) {
    const v = hdu.header.getNumber(k);
    if (v !== undefined) meta[k] = v;
  }
  return {
    mjd,
    band,
    width: shape[0]!,
    height: shape[1]!,
    pixels: imageToFloat32(img),
    source: where,
    meta,
  };
}

/** Type guard: a {@link hduToFrame} result that is a problem. */
export function isProblem(x: Frame | Problem): x is Problem {
  return (x as Problem).kind !== undefined;
}
