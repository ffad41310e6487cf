/**
 * The SDSS-II Supernova Survey (Stripe 82, 2005-2007) as the simulator models
 * it: camera, bands, depths, sky, seeing, calendar. Every number says where it
 * comes from; numbers marked "model choice" are ours, chosen to look like the
 * survey, and are documented in docs/simulator.md.
 *
 * Sources:
 * - Gunn et al. 1998, AJ 116, 3040 (the SDSS camera: drift scan, filter rows
 *   in the order r i u z g, 54 s per CCD, 0.396"/px).
 * - Fukugita et al. 1996, AJ 111, 1748 and the SDSS DR7 documentation (band
 *   effective wavelengths 3551, 4686, 6166, 7480, 8932 A; widths).
 * - Abazajian et al. 2009, ApJS 182, 543 (DR7): 95 % completeness limits for
 *   point sources u 22.0, g 22.2, r 22.2, i 21.3, z 20.5 and median r seeing
 *   1.4"; used here as single-epoch 5-sigma point-source depths (issue 4).
 * - Stoughton et al. 2002, AJ 123, 485 (EDR): dark-sky brightness
 *   u 22.1, g 21.8, r 21.2, i 20.3, z 18.7 mag/arcsec^2; read noise ~5 e-.
 * - Frieman et al. 2008, AJ 135, 338 and Sako et al. 2008, AJ 135, 348
 *   (SDSS-II SN survey: 300 deg^2 of Stripe 82, RA -60..+60 deg, Dec
 *   -1.25..+1.25 deg, two interleaved strips N/S, Sep-Nov of 2005-2007,
 *   mean revisit about 4 nights after weather).
 * - Schlegel, Finkbeiner & Davis 1998, ApJ 500, 525, Table 6 (A_b / E(B-V)
 *   for SDSS: u 5.155, g 3.793, r 2.751, i 2.086, z 1.479).
 *
 * @module
 */

/** The five SDSS bands in wavelength order. */
export const SDSS_BANDS: readonly string[] = ["u", "g", "r", "i", "z"];

/** Per-band properties of the survey model. */
export interface BandModel {
  /** Band letter. */
  name: string;
  /** Effective (AB) wavelength in Angstrom (Fukugita+1996; SDSS DR7 docs). */
  lambda: number;
  /** Approximate top-hat width in Angstrom used for band averaging (Fukugita+1996 FWHM). */
  width: number;
  /** Single-epoch 5-sigma point-source depth (AB mag) at median seeing and dark sky (DR7). */
  depth: number;
  /** Dark-sky brightness in AB mag/arcsec^2 (Stoughton+2002). */
  sky: number;
  /** Brightening of the sky at full moon, mag (model choice: larger in the blue). */
  moon: number;
  /** Galactic extinction A_b / E(B-V) (Schlegel+1998 Table 6). */
  extinction: number;
  /** Offset of this band's exposure after the r exposure, seconds (drift-scan order r i u z g). */
  driftOffsetS: number;
}

/** Time between successive filter rows of the drift-scan camera, seconds (Gunn+1998: 71.7 s). */
export const DRIFT_ROW_INTERVAL_S = 71.72;

/** Band models, in ugriz order. */
export const BAND_MODELS: Readonly<Record<string, BandModel>> = {
  u: {
    name: "u",
    lambda: 3551,
    width: 560,
    depth: 22.0,
    sky: 22.1,
    moon: 1.2,
    extinction: 5.155,
    driftOffsetS: 2 * DRIFT_ROW_INTERVAL_S,
  },
  g: {
    name: "g",
    lambda: 4686,
    width: 1380,
    depth: 22.2,
    sky: 21.8,
    moon: 1.0,
    extinction: 3.793,
    driftOffsetS: 4 * DRIFT_ROW_INTERVAL_S,
  },
  r: {
    name: "r",
    lambda: 6166,
    width: 1370,
    depth: 22.2,
    sky: 21.2,
    moon: 0.7,
    extinction: 2.751,
    driftOffsetS: 0,
  },
  i: {
    name: "i",
    lambda: 7480,
    width: 1530,
    depth: 21.3,
    sky: 20.3,
    moon: 0.5,
    extinction: 2.086,
    driftOffsetS: 1 * DRIFT_ROW_INTERVAL_S,
  },
  z: {
    name: "z",
    lambda: 8932,
    width: 950,
    depth: 20.5,
    sky: 18.7,
    moon: 0.3,
    extinction: 1.479,
    driftOffsetS: 3 * DRIFT_ROW_INTERVAL_S,
  },
};

/** Returns the model of band `b`; throws a RangeError for an unknown band. */
export function bandModel(b: string): BandModel {
  const m = BAND_MODELS[b];
  if (!m) throw new RangeError(`Unknown SDSS band "${b}": expected one of u, g, r, i, z`);
  return m;
}

/** Pixel scale in arcsec per pixel (Gunn+1998). */
export const PIXEL_SCALE = 0.396;
/** Effective exposure time of one drift-scan frame, seconds (Gunn+1998: 53.9 s). */
export const EXPOSURE_S = 53.907456;
/** Zero point of the stored pixel values: 1 count = 1 nanomaggy, m = 22.5 - 2.5 log10(f). */
export const MAGZP = 22.5;
/** CCD read noise in electrons (Stoughton+2002: about 5 e-). */
export const READ_NOISE_E = 5;
/** Median r-band seeing FWHM in arcsec (DR7: 1.4"). */
export const SEEING_MEDIAN_R = 1.4;
/** Log-normal scatter of the seeing (model choice: gives a 0.9"-2.2" 95 % range before clipping). */
export const SEEING_SIGMA_LN = 0.22;
/** Seeing FWHM clip range in arcsec (issue 4: 0.8"-2.5"). */
export const SEEING_RANGE: readonly [number, number] = [0.8, 2.5];
/** Kolmogorov seeing: FWHM scales as lambda^-0.2 (Roddier 1981). */
export const SEEING_LAMBDA_POWER = -0.2;

/** Stripe 82 footprint of the SN survey: RA -60..+60 deg, Dec -1.25..+1.25 deg (Frieman+2008). */
export const FOOTPRINT = { raMin: -60, raMax: 60, decMin: -1.25, decMax: 1.25 } as const;

/**
 * The three observing seasons, 1 Sep - 30 Nov of 2005, 2006 and 2007, as MJD
 * (2005-09-01 = MJD 53614, 2006-09-01 = 53979, 2007-09-01 = 54344; 30 Nov =
 * 1 Sep + 90 days).
 */
export const SEASONS: readonly { year: number; start: number; end: number }[] = [
  { year: 2005, start: 53614, end: 53704 },
  { year: 2006, start: 53979, end: 54069 },
  { year: 2007, start: 54344, end: 54434 },
];

/** AB magnitude to nanomaggies: f = 10^(-0.4 (m - 22.5)). */
export function magToNmgy(m: number): number {
  return Math.pow(10, -0.4 * (m - MAGZP));
}

/** Nanomaggies to AB magnitude (NaN for f <= 0). */
export function nmgyToMag(f: number): number {
  return f > 0 ? MAGZP - 2.5 * Math.log10(f) : NaN;
}

/** Median seeing FWHM (arcsec) in band `b`, from the r-band median and the Kolmogorov scaling. */
export function medianSeeing(b: string): number {
  return SEEING_MEDIAN_R *
    Math.pow(bandModel(b).lambda / bandModel("r").lambda, SEEING_LAMBDA_POWER);
}
