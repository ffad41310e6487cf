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
   * present. Otherwise, when the frame gives its subtracted sky brightness (`SKYMAG`, mag per
   * arcsec^2 on the `MAGZP` scale), the gain is estimated as sky per pixel / (background
   * scatter)^2 (Poisson-limited sky). Else no source term (background-limited error).
   */
  gain?: number;
  /** Zero point fluxes are scaled to when the frame has `MAGZP` (default 22.5); null = keep. */
  zeroPoint?: number | null;
  /** PSF shape (default the SDSS double Gaussian). */
  psf?: readonly PsfComponent[];
  /**
   * Source position [column, row] in pixels, pixel i covering [i - 0.5, i + 0.5) (default the
   * centre pixel, (floor(w/2), floor(h/2)), as cut-out tools and the simulator place it).
   */
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

/**
 * Electrons per pixel unit: the `GAIN` header, the option, or sky / scatter^2 from `SKYMAG`.
 */
function frameGain(
  frame: Frame,
  options: PhotometryOptions,
  varPix: number,
  pixelScale: number,
): number | undefined {
  const g = metaNumber(frame, ["GAIN"]) ?? options.gain;
  if (g !== undefined) return g;
  const skyMag = metaNumber(frame, ["SKYMAG"]);
  if (skyMag === undefined || !(varPix > 0)) return undefined;
  const zp = metaNumber(frame, ["MAGZP"]) ?? 22.5;
  const skyPerPixel = 10 ** (-0.4 * (skyMag - zp)) * pixelScale * pixelScale;
  return skyPerPixel / varPix;
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

/** Background of a stamp: clipped mean and scatter of its border. */
export interface Background {
  /** Level per pixel. */
  mean: number;
  /** Scatter per pixel. */
  sigma: number;
  /** Border pixels kept. */
  n: number;
}

function isValid(frame: Frame, i: number): boolean {
  return Number.isFinite(frame.pixels[i]!) && (frame.mask === undefined || frame.mask[i] !== 0);
}

/**
 * Local background of a stamp from its border (`edgeWidth` pixels): sigma-clipped mean and
 * truncation-corrected standard deviation.
 *
 * @param frame The stamp.
 * @param edgeWidth Border width in pixels (default 4, at most a quarter of the side).
 */
export function stampBackground(frame: Frame, edgeWidth = 4): Background {
  const { width: w, height: h, pixels } = frame;
  const edge = Math.max(1, Math.min(edgeWidth, Math.floor(Math.min(w, h) / 4)));
  const border: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x < edge || y < edge || x >= w - edge || y >= h - edge) {
        const i = y * w + x;
        if (isValid(frame, i)) border.push(pixels[i]!);
      }
    }
  }
  if (border.length < 8) return { mean: NaN, sigma: NaN, n: border.length };
  return clippedStats(Float64Array.from(border));
}

/** A frame ready for repeated fits: background-subtracted pixels (0 where invalid). */
interface Prepared {
  frame: Frame;
  resid: Float64Array;
  valid: Uint8Array;
  bg: Background;
  fwhmPx: number;
  pixelScale: number;
}

function prepare(frame: Frame, options: PhotometryOptions, background?: Background): Prepared {
  const pixelScale = metaNumber(frame, ["PIXSCALE"]) ?? options.pixelScale ?? 0.396;
  const seeing = metaNumber(frame, ["SEEING"]) ?? options.defaultSeeing ?? 1.4;
  const bg = background ?? stampBackground(frame, options.edgeWidth);
  const n = frame.width * frame.height;
  const resid = new Float64Array(n);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (isValid(frame, i)) {
      resid[i] = frame.pixels[i]! - bg.mean;
      valid[i] = 1;
    }
  }
  return { frame, resid, valid, bg, fwhmPx: seeing / pixelScale, pixelScale };
}

/** Sums of the PSF-weighted fit: sum P d, sum P^2, sum P, sum P^3 over valid pixels. */
function psfSums(
  pr: Prepared,
  psfShape: readonly PsfComponent[],
  cx: number,
  cy: number,
): { spd: number; sp2: number; sp: number; sp3: number } {
  const { width: w, height: h } = pr.frame;
  const psf = pixelPsf(w, h, cx, cy, pr.fwhmPx, psfShape);
  let spd = 0, sp2 = 0, sp = 0, sp3 = 0;
  for (let i = 0; i < w * h; i++) {
    if (pr.valid[i] === 0) continue;
    const p = psf[i]!;
    spd += p * pr.resid[i]!;
    const p2 = p * p;
    sp2 += p2;
    sp += p;
    sp3 += p2 * p;
  }
  return { spd, sp2, sp, sp3 };
}

/** The measurement of a prepared frame at (cx, cy). */
function measure(
  pr: Prepared,
  options: PhotometryOptions,
  cx: number,
  cy: number,
  useGain = true,
): FramePhotometry {
  const { frame, bg, fwhmPx } = pr;
  const { width: w, height: h } = frame;
  const bad: FramePhotometry = {
    flux: NaN,
    fluxErr: NaN,
    background: bg.mean,
    backgroundSigma: bg.sigma,
    fwhmPx,
    nBackground: bg.n,
    ok: false,
  };
  if (!(bg.sigma > 0) || bg.n < 8) return bad;
  const varPix = bg.sigma * bg.sigma;
  const varBgLevel = varPix / bg.n;
  const gain = useGain ? frameGain(frame, options, varPix, pr.pixelScale) : undefined;
  const shape = options.psf ?? SDSS_DOUBLE_GAUSSIAN;
  let flux = 0, variance = 0;
  if ((options.method ?? "psf") === "psf") {
    // Least squares with uniform pixel variance: f = sum P (d - b) / sum P^2.
    const { spd, sp2, sp, sp3 } = psfSums(pr, shape, cx, cy);
    if (!(sp2 > 0)) return bad;
    flux = spd / sp2;
    // Var = sum P^2 (s^2 + f P / gain) / (sum P^2)^2 + (sum P / sum P^2)^2 var(b).
    variance = varPix / sp2 + (sp / sp2) ** 2 * varBgLevel;
    if (gain && gain > 0 && flux > 0) variance += flux * sp3 / (gain * sp2 * sp2);
  } else {
    const psf = pixelPsf(w, h, cx, cy, fwhmPx, shape);
    const r = (options.apertureFwhm ?? 1) * fwhmPx;
    let sum = 0, ee = 0, nAp = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        const i = y * w + x;
        if (pr.valid[i] === 0) continue;
        sum += pr.resid[i]!;
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

function defaultCentre(frame: Frame, options: PhotometryOptions): [number, number] {
  return options.centre
    ? [options.centre[0], options.centre[1]]
    : [Math.floor(frame.width / 2), Math.floor(frame.height / 2)];
}

/**
 * Measures the flux of a point source at a fixed position (default the centre pixel) of one
 * stamp.
 *
 * @param frame The stamp (pixels row-major, NAXIS1 fastest; NaN or mask 0 = not used).
 * @param options Method, PSF, border, gain, zero point, position.
 * @param background The stamp's background when already known ({@link stampBackground}).
 * @returns Flux, error, background; `ok` false when the frame cannot be measured.
 * @example
 * ```ts
 * import { forcedPhotometry } from "./photometry.ts";
 * const pixels = new Float32Array(32 * 32).fill(10);
 * const p = forcedPhotometry({ mjd: 0, band: "g", width: 32, height: 32, pixels });
 * console.log(p.ok); // false: a flat stamp has no measurable noise
 * ```
 */
export function forcedPhotometry(
  frame: Frame,
  options: PhotometryOptions = {},
  background?: Background,
): FramePhotometry {
  const [cx, cy] = defaultCentre(frame, options);
  return measure(prepare(frame, options, background), options, cx, cy);
}

/** Options of {@link lightCurveFromSeries}. */
export interface LightCurveOptions extends PhotometryOptions {
  /**
   * Which stamps of a reopened simulated survey are measured (lib/baselines/lc_cache.ts):
   * `difference` (default: science minus the PSF-matched template, as SDSS-II measured its
   * light curves, so host light does not enter) or `science`.
   */
  stamps?: "difference" | "science";
  /**
   * Find the source's sub-pixel position once per object (default true): the position within
   * `recentreRadius` of the centre pixel that maximises the PSF-fit chi-square improvement
   * (squared flux signal-to-noise, background errors only) summed over the object's
   * `recentreFrames` most significant frames, used when the sum over all frames is significant
   * (5 sigma above its no-source expectation), else the centre pixel. On science (not
   * template-subtracted) stamps a bright host can pull it towards the host's light.
   */
  recentre?: boolean;
  /** Largest offset from the centre pixel searched, in pixels (default 0.75). */
  recentreRadius?: number;
  /** Frames used by the position search (default 24). */
  recentreFrames?: number;
}

/** The object's source position: see {@link LightCurveOptions.recentre}. Pattern search. */
function findCentre(
  prepared: readonly Prepared[],
  options: LightCurveOptions,
): [number, number] | undefined {
  const f0 = prepared[0];
  if (!f0) return undefined;
  const c0 = defaultCentre(f0.frame, options);
  const chi2 = prepared.map((pr) => {
    const m = measure(pr, options, c0[0], c0[1], false);
    return m.ok ? (m.flux / m.fluxErr) ** 2 : NaN;
  });
  const ok = chi2.filter((v) => Number.isFinite(v));
  const n = ok.length;
  const total = ok.reduce((a, b) => a + b, 0);
  // Chi-square with n degrees of freedom under no source: require 5 sigma above it.
  if (n === 0 || total <= n + 5 * Math.sqrt(2 * n)) return undefined;
  const order = prepared.map((_, k) => k).filter((k) => Number.isFinite(chi2[k]!))
    .sort((a, b) => chi2[b]! - chi2[a]!)
    .slice(0, options.recentreFrames ?? 24);
  const score = (cx: number, cy: number): number => {
    let sum = 0;
    for (const k of order) {
      const m = measure(prepared[k]!, options, cx, cy, false);
      if (m.ok) sum += (m.flux / m.fluxErr) ** 2;
    }
    return sum;
  };
  const r = options.recentreRadius ?? 0.75;
  let best: [number, number] = [c0[0], c0[1]];
  let bestScore = score(c0[0], c0[1]);
  for (let step = r / 3; step > 0.02; step /= 2) {
    for (let moved = true, guard = 0; moved && guard < 8; guard++) {
      moved = false;
      const [bx, by] = best;
      for (let i = -1; i <= 1; i++) {
        for (let j = -1; j <= 1; j++) {
          if (i === 0 && j === 0) continue;
          const cx = bx + i * step, cy = by + j * step;
          if (Math.abs(cx - c0[0]) > r || Math.abs(cy - c0[1]) > r) continue;
          const sc = score(cx, cy);
          if (sc > bestScore) {
            bestScore = sc;
            best = [cx, cy];
            moved = true;
          }
        }
      }
    }
  }
  return best;
}

/**
 * Measures every frame of an object: its light curve (mjd, band, flux, flux_err) in time order.
 * Frames that cannot be measured are left out and counted.
 *
 * @param series The object.
 * @param options Photometry options and re-centring (see {@link LightCurveOptions}).
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
  options: LightCurveOptions = {},
): LightCurve & { centre?: [number, number] } {
  const prepared = series.frames.map((f) => prepare(f, options));
  const centre = (options.recentre ?? true) ? findCentre(prepared, options) : undefined;
  const points: LightCurvePoint[] = [];
  let skipped = 0;
  prepared.forEach((pr) => {
    const [cx, cy] = centre ?? defaultCentre(pr.frame, options);
    const p = measure(pr, options, cx, cy);
    if (!p.ok) {
      skipped++;
      return;
    }
    points.push({ mjd: pr.frame.mjd, band: pr.frame.band, flux: p.flux, fluxErr: p.fluxErr });
  });
  points.sort((a, b) => a.mjd - b.mjd);
  return centre ? { id: series.id, points, skipped, centre } : { id: series.id, points, skipped };
}
