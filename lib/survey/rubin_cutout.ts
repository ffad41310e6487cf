/**
 * The image cut-outs of a Rubin (LSST) alert: each of `cutoutScience`,
 * `cutoutDifference` and `cutoutTemplate` is a FITS file (plain or gzipped)
 * of three HDUs: the image (primary HDU, float32, 30 to 74 px square in
 * practice), `UNCERT` (its 1-sigma uncertainty per pixel, same shape) and
 * `PSFIMAGE` (the PSF model at the source, float64, its own size). Read with
 * the project's FITS reader (lib/fits). Never throws on bad data: a cut-out
 * that does not read comes back with `image: null` and `problem` set.
 *
 * @module
 */
import { imageToFloat32, readFits } from "../fits/read.ts";
import type { Hdu } from "../fits/types.ts";

/** The three cut-outs of an alert, by short name. */
export type RubinCutoutName = "science" | "difference" | "template";

/** Alert field of each cut-out. */
export const RUBIN_CUTOUT_FIELDS: Readonly<Record<RubinCutoutName, string>> = {
  science: "cutoutScience",
  difference: "cutoutDifference",
  template: "cutoutTemplate",
};

/** The cut-out names in the order `alerts info` lists them. */
export const RUBIN_CUTOUT_NAMES: readonly RubinCutoutName[] = ["science", "difference", "template"];

/** One 2-D plane of a cut-out file (the image, UNCERT or PSFIMAGE HDU). */
export interface RubinPlane {
  /** EXTNAME of the HDU ("" for the primary image). */
  extname: string;
  /** HDU index in the cut-out file (0 = primary). */
  hdu: number;
  /** NAXIS1. */
  width: number;
  /** NAXIS2. */
  height: number;
  /** Pixels as read, row-major with NAXIS1 fastest (NaN kept). */
  pixels: Float32Array;
  /** Float64 sum of the finite pixels. */
  finiteSum: number;
  /** Pixels that are NaN or infinite. */
  nonFinite: number;
}

/** One decoded (or undecodable) cut-out. */
export interface RubinCutout {
  /** Short name. */
  name: RubinCutoutName;
  /** Size of the stored bytes. */
  storedBytes: number;
  /** The image HDU (the frame); null when the cut-out does not read. */
  image: RubinPlane | null;
  /** The `UNCERT` HDU, when the file has one. */
  uncert: RubinPlane | null;
  /** The `PSFIMAGE` HDU, when the file has one. */
  psf: RubinPlane | null;
  /** Why the cut-out is not usable; null when it read. */
  problem: string | null;
  /** FITS reader warnings (tolerated deviations from the standard). */
  warnings: string[];
}

function plane(h: Hdu): RubinPlane | string {
  const img = h.image!;
  const shape = img.shape;
  if (shape.length < 2 || shape.slice(2).some((n) => n !== 1) || shape[0]! < 1 || shape[1]! < 1) {
    return `HDU ${h.index} has an image of shape [${shape.join(", ")}], not a 2-D stamp`;
  }
  const pixels = imageToFloat32(img);
  let finiteSum = 0;
  let nonFinite = 0;
  // Sum the stored values (float64 ones exactly) so sums match a float64 reference.
  const data = img.data;
  for (let i = 0; i < pixels.length; i++) {
    const v = Number(data[i]!);
    if (Number.isFinite(v)) finiteSum += v;
    else nonFinite++;
  }
  return {
    extname: (h.header.getString("EXTNAME") ?? "").trim(),
    hdu: h.index,
    width: shape[0]!,
    height: shape[1]!,
    pixels,
    finiteSum,
    nonFinite,
  };
}

/** Describes the first bytes of data that is not FITS. */
function describeBytes(bytes: Uint8Array): string {
  const n = `${bytes.length.toLocaleString("en-US")} bytes`;
  if (bytes.length === 0) return "empty (0 bytes)";
  const hex = Array.from(
    bytes.subarray(0, 8),
    (b) => b.toString(16).toUpperCase().padStart(2, "0"),
  ).join(" ");
  return `not FITS (starts with ${hex}), ${n}`;
}

function isFitsStart(b: Uint8Array): boolean {
  return b.length >= 6 && String.fromCharCode(...b.subarray(0, 6)) === "SIMPLE";
}

/**
 * Decodes one cut-out. The image is the first HDU holding a 2-D image that is
 * neither `UNCERT` nor `PSFIMAGE`.
 *
 * @param name Which cut-out this is.
 * @param bytes The stored bytes (FITS, optionally gzipped).
 * @param where `file[row] field`, for messages.
 */
export function decodeRubinCutout(
  name: RubinCutoutName,
  bytes: Uint8Array,
  where: string,
): RubinCutout {
  const out: RubinCutout = {
    name,
    storedBytes: bytes.length,
    image: null,
    uncert: null,
    psf: null,
    problem: null,
    warnings: [],
  };
  const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!gz && !isFitsStart(bytes)) {
    out.problem = describeBytes(bytes);
    return out;
  }
  try {
    const fits = readFits(bytes, where);
    out.warnings = fits.warnings;
    for (const h of fits.hdus) {
      if (!h.image || h.image.shape.length < 2) continue;
      const p = plane(h);
      if (typeof p === "string") {
        if (!out.image) out.problem = p;
        continue;
      }
      if (p.extname === "UNCERT") out.uncert ??= p;
      else if (p.extname === "PSFIMAGE") out.psf ??= p;
      else if (!out.image) {
        out.image = p;
        out.problem = null;
      }
    }
    if (!out.image && !out.problem) out.problem = "FITS file without a 2-D image HDU";
  } catch (err) {
    out.problem = `FITS that does not read: ${(err as Error).message}`;
    out.image = out.uncert = out.psf = null;
  }
  return out;
}
