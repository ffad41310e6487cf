/**
 * Difference imaging as the SDSS-II SN Survey did it (frame subtraction
 * against a deep template, PSF-matched to each search frame: Sako et al.
 * 2008, AJ 135, 348, after Alard & Lupton 1998), with the residuals real
 * subtractions leave:
 *
 * - The template of band b is the scene without the variable source: the
 *   host and the source at its template flux (0 for a SN, the mean for a
 *   nucleus or a star), as a stack of {@link TEMPLATE_EPOCHS} pre-survey
 *   epochs at seeing {@link TEMPLATE_SEEING_R}" in r (scaled per band like
 *   the frames): noise sigma / sqrt(20), one fixed realisation per band.
 * - Per frame, the PSF-matched template is subtracted with three errors
 *   drawn from the object's `diff:<index>` stream (model choices, sized to
 *   leave visible residuals on bright hosts as in real subtractions):
 *   the matching kernel's width off by a relative N(0, 0.03) (rings),
 *   the registration off by N(0, 0.04") per axis (dipoles on bright hosts),
 *   the template's photometric scale off by N(0, 0.01).
 * - The difference carries the noise of both images: SKYSIG of a difference
 *   frame is sqrt(sigma_frame^2 + sigma_template^2).
 *
 * Everything here adds to or reads the science image; the science pixels do
 * not depend on whether differences are made.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { bandSeeing } from "./cadence.ts";
import type { GaussStream } from "./gauss_stream.ts";
import type { HostGrid } from "./host_grid.ts";
import { frameNoise } from "./noise.ts";
import { doubleGaussianPsf } from "./psf.ts";
import { addPointSource } from "./render.ts";
import type { Neighbour } from "./nuisance.ts";
import { bandModel, PIXEL_SCALE } from "./sdss.ts";

/** Epochs stacked in a template. */
export const TEMPLATE_EPOCHS = 20;
/** Seeing of the templates in r, arcsec (model choice: better than the median 1.4"). */
export const TEMPLATE_SEEING_R = 1.2;
/** Relative error of the PSF-matching kernel's width (1 sigma). */
export const PSF_MATCH_SIGMA = 0.03;
/** Misregistration per axis, arcsec (1 sigma). */
export const REGISTRATION_SIGMA_ARCSEC = 0.04;
/** Relative error of the template's photometric scale (1 sigma). */
export const TEMPLATE_SCALE_SIGMA = 0.01;

/** One band's deep template. */
export interface TemplateImage {
  /** Band letter. */
  band: string;
  /** Seeing FWHM, arcsec. */
  seeing: number;
  /** Noise of an empty pixel, nanomaggies. */
  skySigma: number;
  /** Pixels `[size, size]`, nanomaggies, sky subtracted. */
  pixels: Float32Array;
}

/** What a subtraction needs to know about the object's scene. */
export interface Scene {
  /** Stamp side, pixels. */
  size: number;
  /** Source position, pixels. */
  cx: number;
  /** Source position, pixels. */
  cy: number;
  /** The host renders (null without host). */
  host: HostGrid | null;
  /** Host flux per band, nanomaggies. */
  hostFlux: Record<string, number>;
  /** Source flux in the template per band, nanomaggies. */
  templateFlux: (b: string) => number;
  /** Constant field sources on the stamp (lib/simulate/nuisance.ts). */
  neighbours: readonly Neighbour[];
}

/**
 * The scene without the variable source at `seeing`, shifted by (dx, dy) px,
 * scaled, with point sources elongated by `ellipticity`.
 */
function sceneModel(
  s: Scene,
  b: string,
  seeing: number,
  dx = 0,
  dy = 0,
  scale = 1,
  ellipticity = 0,
): Float64Array {
  const img = new Float64Array(s.size * s.size);
  const hf = s.hostFlux[b] ?? 0;
  if (s.host && hf > 0) s.host.add(img, seeing, hf * scale, dx, dy);
  const ref = s.templateFlux(b);
  const psf = doubleGaussianPsf(seeing);
  if (ref > 0) addPointSource(img, s.size, s.cx + dx, s.cy + dy, ref * scale, psf, ellipticity);
  for (const n of s.neighbours) {
    addPointSource(img, s.size, n.x + dx, n.y + dy, n.flux[b]! * scale, psf, ellipticity);
  }
  return img;
}

/** The deep template of every band, and its noise realisation (kept for the subtractions). */
export function makeTemplates(
  s: Scene,
  bands: readonly string[],
  gauss: GaussStream | null,
): { templates: TemplateImage[]; noise: Map<string, Float64Array> } {
  const templates: TemplateImage[] = [];
  const noise = new Map<string, Float64Array>();
  for (const b of bands) {
    const seeing = bandSeeing(TEMPLATE_SEEING_R, b);
    const sig = frameNoise(b, bandModel(b).sky, 1).skySigma / Math.sqrt(TEMPLATE_EPOCHS);
    const img = sceneModel(s, b, seeing);
    const t = new Float64Array(s.size * s.size);
    if (gauss) {
      gauss.fill(t);
      for (let i = 0; i < t.length; i++) t[i] = sig * t[i]!;
    }
    noise.set(b, t);
    for (let i = 0; i < img.length; i++) img[i] = img[i]! + t[i]!;
    templates.push({ band: b, seeing, skySigma: sig, pixels: Float32Array.from(img) });
  }
  return { templates, noise };
}

/** The residual errors of one subtraction. */
export interface SubtractionErrors {
  /** Relative error of the matched PSF width. */
  psf: number;
  /** Misregistration, pixels. */
  dx: number;
  /** Misregistration, pixels. */
  dy: number;
  /** Relative error of the template's scale. */
  scale: number;
}

/** Draws the errors of one subtraction (four normal deviates from `rng`). */
export function drawSubtractionErrors(rng: Rng): SubtractionErrors {
  const reg = REGISTRATION_SIGMA_ARCSEC / PIXEL_SCALE;
  return {
    psf: PSF_MATCH_SIGMA * rng.normal(),
    dx: reg * rng.normal(),
    dy: reg * rng.normal(),
    scale: TEMPLATE_SCALE_SIGMA * rng.normal(),
  };
}

/**
 * The difference stamp of one frame: science minus the template
 * PSF-matched to `seeing` (and to the frame's centring `shift` and PSF
 * `ellipticity`) with the errors `e`, minus the template's noise. NaN
 * (masked) science pixels stay NaN.
 */
export function differenceImage(
  s: Scene,
  science: Float64Array,
  b: string,
  seeing: number,
  e: SubtractionErrors,
  templateNoise: Float64Array | undefined,
  frame: { dx: number; dy: number; ellipticity: number } = { dx: 0, dy: 0, ellipticity: 0 },
): Float32Array {
  const matched = sceneModel(
    s,
    b,
    seeing * (1 + e.psf),
    frame.dx + e.dx,
    frame.dy + e.dy,
    1 + e.scale,
    frame.ellipticity,
  );
  const out = new Float32Array(science.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = science[i]! - matched[i]! - (templateNoise ? templateNoise[i]! : 0);
  }
  return out;
}
