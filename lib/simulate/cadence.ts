/**
 * The survey calendar: which nights observed which part of Stripe 82 and in
 * what conditions, and the epochs of one object.
 *
 * Model (Frieman et al. 2008 and Sako et al. 2008 describe the real survey;
 * the numbers below are model choices that reproduce its mean revisit of
 * about 4 nights, after weather):
 * - Nights of 1 Sep - 30 Nov of 2005-2007 (SEASONS). Weather is a two-state
 *   Markov chain: clear after clear 0.72, clear after cloudy 0.32 (53 % of
 *   nights clear on average, in runs of a few nights). With the strip
 *   alternation and partial scans below, a position is visited about 21 times
 *   per season (a mean revisit of 4.3 nights).
 * - Stripe 82 is covered by two interleaved strips (N and S, 12 alternating
 *   camera-column bands of 2.5/12 deg in Dec); each clear night scans one
 *   strip, alternating, over the full 120 deg of RA (60 % of nights) or a
 *   window of 40-120 deg (40 %).
 * - The scan drifts at the sidereal rate (360.9856 deg/day), centred near
 *   local midnight (UT fraction 0.30 +- 0.05 at Apache Point), so the r
 *   exposure of RA alpha is at t0 + (alpha - raMin) / 360.9856 days; the
 *   other bands follow on the sky in the order r i u z g, 71.72 s apart
 *   (Gunn et al. 1998).
 * - Per night: r-band seeing FWHM log-normal around 1.4" (sigma(ln) 0.22,
 *   clipped to 0.8"-2.5"; other bands scale as lambda^-0.2); transparency 1
 *   on 75 % of nights, else 0-0.6 mag of cloud; sky brightened by the moon
 *   (illuminated fraction from the synodic month, new moon at MJD 51550.26,
 *   times a random 0.3-1 for the moon's altitude, times BAND_MODELS.moon mag)
 *   and a random +-0.1 mag.
 * - Per object: 2 % of band-frames missing (defects, bleed trails, edges).
 *
 * @module
 */
import { Rng } from "../util/rng.ts";
import {
  bandModel,
  DRIFT_ROW_INTERVAL_S,
  FOOTPRINT,
  SEASONS,
  SEEING_LAMBDA_POWER,
  SEEING_MEDIAN_R,
  SEEING_RANGE,
  SEEING_SIGMA_LN,
} from "./sdss.ts";

/** One observing night. */
export interface Night {
  /** Integer MJD (UT date) of the night. */
  mjd: number;
  /** Index of the season (0, 1, 2). */
  season: number;
  /** Strip scanned: 0 (south) or 1 (north). */
  strip: number;
  /** Start of the scanned RA window, degrees in -60..60. */
  raMin: number;
  /** End of the scanned RA window, degrees. */
  raMax: number;
  /** MJD of the r exposure at raMin. */
  t0: number;
  /** r-band seeing FWHM, arcsec. */
  seeingR: number;
  /** Transparency: fraction of the light that reaches the detector (1 = photometric). */
  transparency: number;
  /** Moon illuminated fraction times its altitude factor, 0..1. */
  moon: number;
  /** Random sky offset, mag (negative = brighter). */
  skyJitter: number;
}

/** Sidereal drift rate of the scan, degrees per day. */
export const SIDEREAL_DEG_PER_DAY = 360.98564736629;
/** Synodic month, days, and a reference new moon (2000-01-06 18:14 UT). */
const SYNODIC = 29.530589, NEW_MOON_MJD = 51550.26;

const logCache = new Map<number, Night[]>();

/** The night log of the whole survey for `seed` (deterministic, cached). */
export function nightLog(seed: number): Night[] {
  const cached = logCache.get(seed);
  if (cached) return cached;
  const rng = Rng.derive(seed, "nights");
  const nights: Night[] = [];
  let clear = true;
  let strip = 0;
  SEASONS.forEach((s, season) => {
    for (let mjd = s.start; mjd <= s.end; mjd++) {
      clear = rng.bernoulli(clear ? 0.72 : 0.32);
      // Draw every night's conditions even when cloudy, so the stream stays aligned.
      const full = rng.bernoulli(0.6);
      const len = full ? 120 : rng.uniform(40, 120);
      const raMin = FOOTPRINT.raMin + rng.uniform(0, 120 - len);
      const mid = mjd + 0.30 + rng.uniform(-0.05, 0.05);
      const seeingR = Math.min(
        SEEING_RANGE[1],
        Math.max(SEEING_RANGE[0], SEEING_MEDIAN_R * Math.exp(rng.normal(0, SEEING_SIGMA_LN))),
      );
      const cloudy = !rng.bernoulli(0.75);
      const transparency = cloudy ? Math.pow(10, -0.4 * rng.uniform(0, 0.6)) : 1;
      const phase = ((mjd + 0.3 - NEW_MOON_MJD) / SYNODIC) % 1;
      const illum = 0.5 * (1 - Math.cos(2 * Math.PI * phase));
      const moon = illum * rng.uniform(0.3, 1);
      const skyJitter = rng.normal(0, 0.1);
      if (!clear) continue;
      nights.push({
        mjd,
        season,
        strip,
        raMin,
        raMax: raMin + len,
        t0: mid - (len / 2) / SIDEREAL_DEG_PER_DAY,
        seeingR,
        transparency,
        moon,
        skyJitter,
      });
      strip = 1 - strip;
    }
  });
  logCache.set(seed, nights);
  return nights;
}

/** Strip (0 or 1) of a position: 12 alternating bands of 2.5/12 deg in Dec. */
export function stripOf(dec: number): number {
  const k = Math.floor((dec - FOOTPRINT.decMin) / (2.5 / 12));
  return Math.min(11, Math.max(0, k)) % 2;
}

/** One visit of an object: the conditions and the r-band time. */
export interface Epoch {
  /** The night. */
  night: Night;
  /** MJD of the r exposure. */
  mjdR: number;
}

/** Every visit of the position (ra in -60..60, dec) during the survey, in time order. */
export function visitsOf(seed: number, ra: number, dec: number): Epoch[] {
  const strip = stripOf(dec);
  const out: Epoch[] = [];
  for (const n of nightLog(seed)) {
    if (n.strip !== strip || ra < n.raMin || ra > n.raMax) continue;
    out.push({ night: n, mjdR: n.t0 + (ra - n.raMin) / SIDEREAL_DEG_PER_DAY });
  }
  return out;
}

/** MJD of band `b` in an epoch whose r exposure is at `mjdR` (drift order r i u z g). */
export function bandMjd(mjdR: number, b: string): number {
  return mjdR + bandModel(b).driftOffsetS / 86400;
}

/** Seeing FWHM (arcsec) in band `b` on a night of r-band seeing `seeingR`. */
export function bandSeeing(seeingR: number, b: string): number {
  const s = seeingR * Math.pow(bandModel(b).lambda / bandModel("r").lambda, SEEING_LAMBDA_POWER);
  return Math.min(SEEING_RANGE[1], Math.max(SEEING_RANGE[0], s));
}

/** Sky brightness (AB mag/arcsec^2) in band `b` on night `n`. */
export function bandSky(n: Night, b: string): number {
  const m = bandModel(b);
  return m.sky - m.moon * n.moon + n.skyJitter;
}

/** Seconds between the r exposure and the last (g) exposure of an epoch. */
export const EPOCH_SPAN_S = 4 * DRIFT_ROW_INTERVAL_S;
