/**
 * The image cut-outs of a ZTF alert packet: `stampData` is a gzipped FITS
 * image (up to 63x63 float32; smaller and with NaN at CCD edges). Early
 * packets hold JPEG images instead; those are recognised and described, not
 * decoded.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { imageToFloat32, readFits } from "../fits/read.ts";

/** The three cut-outs of a packet, by short name. */
export type CutoutName = "science" | "template" | "difference";

/** Avro field name of each cut-out. */
export const CUTOUT_FIELDS: Readonly<Record<CutoutName, string>> = {
  science: "cutoutScience",
  template: "cutoutTemplate",
  difference: "cutoutDifference",
};

/** The cut-out names in packet order. */
export const CUTOUT_NAMES: readonly CutoutName[] = ["science", "template", "difference"];

/** One decoded (or undecodable) cut-out. */
export interface AlertCutout {
  /** Short name (`science`, `template`, `difference`). */
  name: CutoutName;
  /** The `fileName` stored in the packet (null when absent). */
  fileName: string | null;
  /** Size of `stampData` as stored (gzipped), in bytes. */
  storedBytes: number;
  /** Width (NAXIS1) of the image; 0 when not FITS. */
  width: number;
  /** Height (NAXIS2) of the image; 0 when not FITS. */
  height: number;
  /** Pixels as read (NaN kept), row-major with NAXIS1 fastest; null when not FITS. */
  pixels: Float32Array | null;
  /** Sum of the non-NaN pixels in float64 (0 when not FITS). */
  sum: number;
  /** Number of NaN pixels. */
  nanCount: number;
  /** Why the cut-out is not usable (e.g. `JPEG image (FF D8 FF), 1,396 bytes`); null when FITS. */
  problem: string | null;
  /** FITS reader warnings (tolerated deviations from the standard). */
  warnings: string[];
}

/**
 * Size limits for one cut-out (a ZTF stamp is 63x63 float32: 16 KB, 3,969
 * pixels). A cut-out over a limit is not decoded: it comes back with
 * `pixels: null` and a `problem` naming the limit, and that packet is skipped.
 */
export interface CutoutLimits {
  /** Most bytes the (gunzipped) FITS stamp may have (default 4 MiB). */
  maxCutoutBytes?: number;
  /** Most pixels (NAXIS1 x NAXIS2 x ...) its image may have (default 1024 x 1024). */
  maxCutoutPixels?: number;
}

/** Default {@link CutoutLimits.maxCutoutBytes}: 4 MiB. */
export const DEFAULT_MAX_CUTOUT_BYTES = 4 * 1024 * 1024;
/** Default {@link CutoutLimits.maxCutoutPixels}: 1024 x 1024. */
export const DEFAULT_MAX_CUTOUT_PIXELS = 1024 * 1024;

/** Describes bytes that are not FITS by their magic number. */
export function describeNonFits(bytes: Uint8Array): string {
  const n = `${bytes.length.toLocaleString("en-US")} bytes`;
  if (bytes.length === 0) return "empty (0 bytes)";
  const hex = (k: number): string =>
    Array.from(bytes.subarray(0, k), (b) => b.toString(16).toUpperCase().padStart(2, "0")).join(
      " ",
    );
  const starts = (...m: number[]): boolean => m.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return `JPEG image (FF D8 FF), ${n}`;
  if (starts(0x89, 0x50, 0x4e, 0x47)) return `PNG image (89 50 4E 47), ${n}`;
  if (starts(0x47, 0x49, 0x46, 0x38)) return `GIF image (47 49 46 38), ${n}`;
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) {
    return `TIFF image (${hex(4)}), ${n}`;
  }
  return `unknown data (starts with ${hex(Math.min(8, bytes.length))}), ${n}`;
}

/**
 * Decodes one cut-out's `stampData` (gzipped or plain FITS). Never throws on
 * bad data: a cut-out that is not a readable FITS image comes back with
 * `pixels: null` and `problem` set.
 *
 * @param name Which cut-out this is.
 * @param fileName The packet's `fileName` for it.
 * @param stamp The `stampData` bytes.
 * @param where `packet file:cutout field`, for FITS reader messages.
 * @param limits Most bytes and pixels accepted (defaults 4 MiB, 1024 x 1024).
 */
export function decodeCutout(
  name: CutoutName,
  fileName: string | null,
  stamp: Uint8Array,
  where: string,
  limits: CutoutLimits = {},
): AlertCutout {
  const maxBytes = limits.maxCutoutBytes ?? DEFAULT_MAX_CUTOUT_BYTES;
  const maxPixels = limits.maxCutoutPixels ?? DEFAULT_MAX_CUTOUT_PIXELS;
  const fmt = (n: number): string => n.toLocaleString("en-US");
  const out: AlertCutout = {
    name,
    fileName,
    storedBytes: stamp.length,
    width: 0,
    height: 0,
    pixels: null,
    sum: 0,
    nanCount: 0,
    problem: null,
    warnings: [],
  };
  let bytes = stamp;
  let gz = "";
  if (stamp[0] === 0x1f && stamp[1] === 0x8b) {
    try {
      bytes = gunzipSync(stamp, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
        out.problem = `gzipped cut-out of ${fmt(stamp.length)} bytes inflates to more than ` +
          `${fmt(maxBytes)} bytes (the maxCutoutBytes limit): not decoded`;
        return out;
      }
      out.problem = `gzip data that does not decompress (${(err as Error).message}), ${
        stamp.length.toLocaleString("en-US")
      } bytes`;
      return out;
    }
    gz = "gzipped ";
  }
  if (bytes.length > maxBytes) {
    out.problem = `cut-out of ${fmt(bytes.length)} bytes is over the ${fmt(maxBytes)}-byte ` +
      `maxCutoutBytes limit: not decoded`;
    return out;
  }
  if (!startsWithSimple(bytes)) {
    out.problem = gz + describeNonFits(bytes);
    return out;
  }
  try {
    const fits = readFits(bytes, where);
    const hdu = fits.hdus.find((h) => h.image !== undefined && h.image.shape.length >= 2);
    if (!hdu || !hdu.image) {
      out.problem = "FITS file without a 2-D image";
      return out;
    }
    const shape = hdu.image.shape;
    if (shape.slice(2).some((n) => n !== 1)) {
      out.problem = `FITS image of shape [${shape.join(", ")}], not a 2-D stamp`;
      return out;
    }
    const pixels = shape.reduce((a, c) => a * c, 1);
    if (pixels > maxPixels) {
      out.problem = `cut-out of ${shape.join("x")} = ${fmt(pixels)} pixels is over the ` +
        `${fmt(maxPixels)}-pixel maxCutoutPixels limit: not decoded`;
      return out;
    }
    out.width = shape[0]!;
    out.height = shape[1]!;
    const px = imageToFloat32(hdu.image);
    out.pixels = px;
    let sum = 0;
    let nan = 0;
    for (let i = 0; i < px.length; i++) {
      const v = px[i]!;
      if (v !== v) nan++;
      else sum += v;
    }
    out.sum = sum;
    out.nanCount = nan;
    out.warnings = fits.warnings;
  } catch (err) {
    out.problem = `FITS that does not read: ${(err as Error).message}`;
  }
  return out;
}

/** Whether bytes begin with the FITS keyword `SIMPLE`. */
function startsWithSimple(b: Uint8Array): boolean {
  // "SIMPLE"
  return b.length >= 6 && b[0] === 0x53 && b[1] === 0x49 && b[2] === 0x4d && b[3] === 0x50 &&
    b[4] === 0x4c && b[5] === 0x45;
}
