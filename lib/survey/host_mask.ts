/**
 * Host-masked stamps, an ablation input: every pixel where the object's deep
 * template (the scene without the variable source: host, neighbours, and a
 * variable's mean light) shows static light is replaced by sky noise, except
 * in an aperture around the source at the stamp centre. A model given these
 * stamps sees the source and its immediate surroundings but no host shape,
 * size or colour beyond the aperture.
 *
 * The rule, per frame of band b:
 * - static light: template_b pixel > {@link HOST_MASK_SIGMA} x the template's
 *   `SKYSIG`;
 * - kept: pixels whose centre is within {@link HOST_MASK_KEEP_FWHM} x the
 *   frame's seeing FWHM of the stamp centre (the source's position);
 * - a masked pixel gets N(0, SKYSIG of the frame), from a generator seeded by
 *   the object id, so that a mask leaves no trace (no run of exact zeros that
 *   would tell a host from none).
 *
 * @module
 */
import { hashSeed, Rng } from "../util/rng.ts";
import type { FitsFile } from "../fits/types.ts";
import type { Frame } from "./series.ts";
import { hduToFrame, imageHdus, isProblem } from "./fits_frame.ts";

/** Template pixels above this many noise sigmas are static light. */
export const HOST_MASK_SIGMA = 2;
/** Radius of the kept aperture, in units of the frame's seeing FWHM. */
export const HOST_MASK_KEEP_FWHM = 1.5;
/** Pixel scale assumed when a header has no `PIXSCALE`, arcsec (SDSS). */
const DEFAULT_PIXSCALE = 0.396;

/** One band's template, as read from the template file. */
export interface BandTemplate {
  /** Pixels, row-major. */
  pixels: Float32Array;
  /** Stamp width. */
  width: number;
  /** Stamp height. */
  height: number;
  /** Noise of an empty template pixel. */
  skySigma: number;
}

/** Reads the per-band templates of a template file (`EXTNAME` = `T` + band, `FILTER`, `SKYSIG`). */
export function readBandTemplates(fits: FitsFile, object: string): Map<string, BandTemplate> {
  const out = new Map<string, BandTemplate>();
  for (const hdu of imageHdus(fits)) {
    const f = hduToFrame(fits, hdu, { object, mjd: 0 });
    if (isProblem(f)) continue;
    const skySigma = Number(f.meta?.["SKYSIG"]);
    if (!(skySigma > 0)) continue;
    out.set(f.band, { pixels: f.pixels, width: f.width, height: f.height, skySigma });
  }
  return out;
}

/** What {@link maskHostLight} did to one object. */
export interface HostMaskCount {
  /** Frames masked (a template of their band and size existed). */
  frames: number;
  /** Frames that could not be masked (no template of their band and size): the caller skips them. */
  unmasked: Frame[];
  /** Pixels replaced by sky noise, over all frames. */
  pixels: number;
}

/**
 * Replaces the static light outside the source aperture by sky noise, in
 * place, frame by frame (see the module's rule).
 *
 * @param frames The object's science frames.
 * @param templates Its templates by band ({@link readBandTemplates}).
 * @param object The object id (seeds the noise).
 */
export function maskHostLight(
  frames: Frame[],
  templates: Map<string, BandTemplate>,
  object: string,
): HostMaskCount {
  const rng = new Rng(hashSeed(`host-mask|${object}`));
  const count: HostMaskCount = { frames: 0, unmasked: [], pixels: 0 };
  for (const f of frames) {
    const t = templates.get(f.band);
    if (!t || t.width !== f.width || t.height !== f.height) {
      count.unmasked.push(f);
      continue;
    }
    const scale = Number(f.meta?.["PIXSCALE"]) || DEFAULT_PIXSCALE;
    const seeing = Number(f.meta?.["SEEING"]) || 1.4;
    const keep = HOST_MASK_KEEP_FWHM * seeing / scale;
    const sky = Number(f.meta?.["SKYSIG"]) || t.skySigma;
    const cut = HOST_MASK_SIGMA * t.skySigma;
    for (let y = 0; y < f.height; y++) {
      const dy = y + 0.5 - f.height / 2;
      for (let x = 0; x < f.width; x++) {
        const dx = x + 0.5 - f.width / 2;
        const i = y * f.width + x;
        if (dx * dx + dy * dy <= keep * keep || !(t.pixels[i]! > cut)) continue;
        f.pixels[i] = rng.normal(0, sky);
        count.pixels++;
      }
    }
    count.frames++;
  }
  return count;
}
