/**
 * Forced photometry on image stamps, to give the light-curve baselines of the paper's Table 2
 * (SuperNNova-like RNN, transformer, GP-heatmap CNN) light curves measured from the very same
 * stamps the image models see.
 *
 * Per frame: the local background is the sigma-clipped mean of a border of the stamp, its
 * per-pixel scatter the clipped standard deviation (corrected for the clipping); the flux at
 * the stamp centre is the PSF-weighted least-squares estimate (or a PSF-corrected aperture
 * sum), with the PSF a double Gaussian whose FWHM is the frame's `SEEING` header (arcsec, over
 * the `PIXSCALE` header or 0.396"/px) when known. The error combines the background scatter,
 * the uncertainty of the background level and, when a gain is known, the source's Poisson
 * noise. Fluxes are put on a common zero point (22.5, i.e. nanomaggies for SDSS) when the frame
 * has a `MAGZP` header.
 *
 * @module
 */
import type { Frame, ObjectSeries } from "../survey/series.ts";
import { pixelPsf, type PsfComponent, SDSS_DOUBLE_GAUSSIAN } from "./psf.ts";

/** Options of {@link forcedPhotometry}. */
export interface PhotometryOptions {
  /** `psf` (PSF-weighted least squares, default) or `aperture` (PSF-corrected circular sum). */
  method?: "psf" | "aperture";
  /** Pixel scale in arcsec when the frame has no `PIXSCALE` header (default 0.396, SDSS). */
  pixelScale?: number;
  /** Seeing FWHM in arcsec when the frame has no `SEEING` header (default 1.4). */
  defaultSeeing?: number;
  /** Width in pixels of the stamp border used for the background (default 4). */
  edgeWidth?: number;
  /** Aperture radius in units of the PSF FWHM, for `aperture` (default 1). */
  apertureFwhm?: number;
  /**
   * Electrons per pixel unit, for the source Poisson term; the frame's `GAIN` header wins when
   * present. Unknown (default) = no source term (background-dominated error).
   */
  gain?: number;
  /** Zero point fluxes are scaled to when the frame has `MAGZP` (default 22.5); null = keep. */
  zeroPoint?: number | null;
  /** PSF shape (default the SDSS double Gaussian). */
  psf?: readonly PsfComponent[];
  /** Source position [column, row] in pixels (default the stamp centre, ((w-1)/2, (h-1)/2)). */
  centre?: readonly [number, number];
}

/** Forced photometry of one frame. */
export interface FramePhotometry {
  /** Background-subtracted flux of a point source at the centre (zero-point scaled). */
  flux: number;
  /** One-sigma error of `flux`. */
  fluxErr: number;
  /** Background level per pixel (frame units). */
  background: number;
  /** Background scatter per pixel (frame units). */
  backgroundSigma: number;
  /** PSF FWHM used, in pixels. */
  fwhmPx: number;
  /** Number of border pixels kept after clipping. */
  nBackground: number;
  /** Whether the measurement is usable (false when too few valid pixels, error not finite). */
  ok: boolean;
}

/** One light-curve point. */
export interface LightCurvePoint {
  /** Modified Julian Date. */
  mjd: number;
  /** Band name (`u`, `g`, ...). */
  band: string;
  /** Flux (zero point 22.5 when the frame gave `MAGZP`). */
  flux: number;
  /** One-sigma error. */
  fluxErr: number;
}

/** The light curve of one object measured from its stamps. */
export interface LightCurve {
  /** Object identifier. */
  id: string;
  /** Points in time order (unusable frames are left out and counted in `skipped`). */
  points: LightCurvePoint[];
  /** Frames that gave no usable measurement. */
  skipped: number;
}

function metaNumber(frame: Frame, keys: readonly string[]): number | undefined {
  const meta = frame.meta;
  if (!meta) return undefined;
  for (const k of keys) {
    const v = meta[k] ?? meta[k.toLowerCase()];
    const n = typeof v === "string" ? Number(v) : v;
    if (typeof n === "number" && Number.isFinite(n)) return n;
  }
  return undefined;
}

/** Sigma-clipped mean and standard deviation (3 sigma, iterated, truncation-corrected). */
function clippedStats(values: Float64Array): { mean: number; sigma: number; n: number } {
  let lo = -Infinity, hi = Infinity;
  let mean = 0, sigma = 0, n = 0;
  // Start from the median and the MAD, robust to a bright neighbour on the border.
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return { mean: NaN, sigma: NaN, n: 0 };
  const med = sorted[sorted.length >> 1]!;
  const dev = sorted.map((v) => Math.abs(v - med)).sort();
  const mad = 1.4826 * dev[dev.length >> 1]!;
  if (mad > 0) {
    lo = med - 5 * mad;
    hi = med + 5 * mad;
  }
  for (let iter = 0; iter < 10; iter++) {
    let s = 0, s2 = 0, k = 0;
    for (const v of values) {
      if (v >= lo && v <= hi) {
        s += v;
        s2 += v * v;
        k++;
      }
    }
    if (k < 2) break;
    const m = s / k;
    const sd = Math.sqrt(Math.max(0, (s2 - k * m * m) / (k - 1)));
    const same = k === n;
    mean = m;
    sigma = sd;
    n = k;
    if (same || sd === 0) break;
    lo = m - 3 * sd / CLIP_SD_FACTOR;
    hi = m + 3 * sd / CLIP_SD_FACTOR;
  }
  return { mean, sigma: sigma / CLIP_SD_FACTOR, n };
}

/** Standard deviation of a unit Gaussian truncated at +-3 sigma. */
const CLIP_SD_FACTOR = Math.sqrt(
  1 - 2 * 3 * Math.exp(-4.5) / Math.sqrt(2 * Math.PI) / 0.9973002039367398,
);

/**
 * Measures the flux of a point source at the centre of one stamp.
 *
 * @param frame The stamp (pixels row-major, NAXIS1 fastest; NaN or mask 0 = not used).
 * @param options Method, PSF, border, gain, zero point.
 * @returns Flux, error, background; `ok` false when the frame cannot be measured.
 * @example
 * ```ts
 * import { forcedPhotometry } from "./photometry.ts";
 * const pixels = new Float32Array(32 * 32).fill(10);
 * const p = forcedPhotometry({ mjd: 0, band: "g", width: 32, height: 32, pixels });
 * console.log(p.flux); // about 0: a flat sky
 * ```
 */
export function forcedPhotometry(frame: Frame, options: PhotometryOptions = {}): FramePhotometry {
  const { width: w, height: h, pixels } = frame;
  const edge = Math.max(1, Math.min(options.edgeWidth ?? 4, Math.floor(Math.min(w, h) / 4)));
  const scale = metaNumber(frame, ["PIXSCALE"]) ?? options.pixelScale ?? 0.396;
  const seeing = metaNumber(frame, ["SEEING"]) ?? options.defaultSeeing ?? 1.4;
  const fwhmPx = seeing / scale;
  const gain = metaNumber(frame, ["GAIN"]) ?? options.gain;
  const [cx, cy] = options.centre ?? [(w - 1) / 2, (h - 1) / 2];
  const valid = (i: number): boolean =>
    Number.isFinite(pixels[i]!) && (frame.mask === undefined || frame.mask[i] !== 0);

  // Background from the border.
  const border: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x < edge || y < edge || x >= w - edge || y >= h - edge) {
        const i = y * w + x;
        if (valid(i)) border.push(pixels[i]!);
      }
    }
  }
  const bad: FramePhotometry = {
    flux: NaN,
    fluxErr: NaN,
    background: NaN,
    backgroundSigma: NaN,
    fwhmPx,
    nBackground: 0,
    ok: false,
  };
  if (border.length < 8) return bad;
  const bg = clippedStats(Float64Array.from(border));
  if (!(bg.sigma > 0) || bg.n < 8) return { ...bad, background: bg.mean, nBackground: bg.n };
  const varPix = bg.sigma * bg.sigma;
  const varBgLevel = varPix / bg.n;

  const psf = pixelPsf(w, h, cx, cy, fwhmPx, options.psf ?? SDSS_DOUBLE_GAUSSIAN);
  let flux = 0, variance = 0;
  if ((options.method ?? "psf") === "psf") {
    // Least squares with uniform pixel variance: f = sum P (d - b) / sum P^2.
    let spd = 0, sp2 = 0, sp = 0, sp3 = 0;
    for (let i = 0; i < w * h; i++) {
      if (!valid(i)) continue;
      const p = psf[i]!;
      spd += p * (pixels[i]! - bg.mean);
      sp2 += p * p;
      sp += p;
      sp3 += p * p * p;
    }
    if (!(sp2 > 0)) return bad;
    flux = spd / sp2;
    // Var = sum P^2 (s^2 + f P / gain) / (sum P^2)^2 + (sum P / sum P^2)^2 var(b).
    variance = varPix / sp2 + (sp / sp2) ** 2 * varBgLevel;
    if (gain && gain > 0 && flux > 0) variance += flux * sp3 / (gain * sp2 * sp2);
  } else {
    const r = (options.apertureFwhm ?? 1) * fwhmPx;
    let sum = 0, ee = 0, nAp = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        const i = y * w + x;
        if (!valid(i)) continue;
        sum += pixels[i]! - bg.mean;
        ee += psf[i]!;
        nAp++;
      }
    }
    if (!(ee > 0)) return bad;
    flux = sum / ee;
    variance = (nAp * varPix + nAp * nAp * varBgLevel) / (ee * ee);
    if (gain && gain > 0 && sum > 0) variance += sum / gain / (ee * ee);
  }
  const zp = metaNumber(frame, ["MAGZP"]);
  const target = options.zeroPoint === undefined ? 22.5 : options.zeroPoint;
  const k = zp !== undefined && target !== null ? 10 ** (-0.4 * (zp - target)) : 1;
  const fluxErr = Math.sqrt(variance) * k;
  return {
    flux: flux * k,
    fluxErr,
    background: bg.mean,
    backgroundSigma: bg.sigma,
    fwhmPx,
    nBackground: bg.n,
    ok: Number.isFinite(flux) && Number.isFinite(fluxErr) && fluxErr > 0,
  };
}

/**
 * Measures every frame of an object: its light curve (mjd, band, flux, flux_err) in time order.
 * Frames that cannot be measured are left out and counted.
 *
 * @param series The object.
 * @param options Photometry options (see {@link PhotometryOptions}).
 * @example
 * ```ts
 * import { lightCurveFromSeries } from "./photometry.ts";
 * const pixels = new Float32Array(16 * 16).map((_, i) => (i * 7919) % 13);
 * const lc = lightCurveFromSeries({
 *   id: "x", label: null, confirmed: false,
 *   frames: [{ mjd: 1, band: "g", width: 16, height: 16, pixels }],
 * });
 * console.log(lc.points.length); // 1
 * ```
 */
export function lightCurveFromSeries(
  series: ObjectSeries,
  options: PhotometryOptions = {},
): LightCurve {
  const points: LightCurvePoint[] = [];
  let skipped = 0;
  for (const frame of series.frames) {
    const p = forcedPhotometry(frame, options);
    if (!p.ok) {
      skipped++;
      continue;
    }
    points.push({ mjd: frame.mjd, band: frame.band, flux: p.flux, fluxErr: p.fluxErr });
  }
  points.sort((a, b) => a.mjd - b.mjd);
  return { id: series.id, points, skipped };
}
