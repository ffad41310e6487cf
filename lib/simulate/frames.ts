/**
 * The band-frames of an object: its point-source light curve on every visit
 * of the three seasons, then the series it gets, chosen by one class-blind
 * rule (issue 17, item 4): the season of its detection, i.e. the season
 * holding the visit where the difference-image flux (source minus its flux
 * in the pre-survey template: 0 for a SN, the mean for a nucleus or a star)
 * has the largest significance in g, r or i, with the PSF-photometry noise
 * of that night. Every class gets one whole season by the same rule, so the
 * number of frames, the time span and the first and last MJD depend on the
 * position and the weather, not on the class (tests/simulate/leakage_test.ts).
 *
 * @module
 */
import { Rng } from "../util/rng.ts";
import { dampedRandomWalk } from "./agn.ts";
import { bandMjd, bandSeeing, bandSky } from "./cadence.ts";
import { frameNoise } from "./noise.ts";
import type { ObjectParams } from "./object_types.ts";
import { doubleGaussianPsf, noiseEquivalentArea } from "./psf.ts";
import { bandModel, nmgyToMag, SDSS_BANDS, SEASONS, SEEING_MEDIAN_R } from "./sdss.ts";
import { snFlux } from "./sn_params.ts";
import { eruptiveOffset } from "./eruptive.ts";
import { variableOffsets } from "./variable_star.ts";

/** One band-frame of the series, before rendering. */
export interface FramePlan {
  /** Index of the visit within the series (0-based; EXTNAME and VISIT). */
  epoch: number;
  /** Index of the visit in `params.visits` (all seasons). */
  visitIndex: number;
  /** Band letter. */
  band: string;
  /** MJD of this band's exposure. */
  mjd: number;
  /** Model flux of the point source (SN, nucleus or star), nanomaggies. */
  pointFlux: number;
}

/** Flux of the source in the pre-survey template: 0 for SNe, the mean for nuclei and stars. */
export function templateFlux(p: ObjectParams, b: string): number {
  return p.tExplosion !== undefined ? 0 : p.meanFlux?.[b] ?? 0;
}

/** A function (band, visit index) -> point-source model flux, over all visits. */
function lightCurve(p: ObjectParams, rng: Rng): (b: string, v: number, mjd: number) => number {
  const times = p.visits.map((v) => v.mjdR);
  if (p.tExplosion !== undefined) return (b, _v, mjd) => snFlux(p, b, mjd);
  if (p.agn) {
    const tauObs = p.agn.tauRest * (1 + p.z!);
    const drive = dampedRandomWalk(times, tauObs, 1, rng);
    const lr = bandModel("r").lambda / (1 + p.z!);
    const scale = Object.fromEntries(SDSS_BANDS.map((b) => [
      b,
      p.agn!.sfInfR * Math.pow(bandModel(b).lambda / (1 + p.z!) / lr, -0.479),
    ]));
    return (b, v) => p.meanFlux![b]! * Math.pow(10, -0.4 * drive[v]! * scale[b]!);
  }
  if (p.star) {
    const star = p.star;
    const walk = variableOffsets(star, times, rng);
    // Periodic stars use the band's own time; the irregular walk is per visit.
    const offset = (b: string, v: number, mjd: number) =>
      star.eruptive
        ? eruptiveOffset(star.eruptive, b, mjd, p.visits[v]!.mjdR)
        : star.subtype === "irregular"
        ? walk(b, v)
        : offsetAt(star, b, mjd);
    return (b, v, mjd) => p.meanFlux![b]! * Math.pow(10, -0.4 * offset(b, v, mjd));
  }
  return () => 0;
}

function offsetAt(star: NonNullable<ObjectParams["star"]>, b: string, mjd: number): number {
  // Periodic offsets do not draw from the generator.
  return variableOffsets(star, [mjd], NO_RNG)(b, 0);
}

const NO_RNG = new Rng(0);

const NEA_MEDIAN = noiseEquivalentArea(doubleGaussianPsf(SEEING_MEDIAN_R));

/**
 * Noise of PSF photometry of a point source on the visit's night, nanomaggies
 * (background-limited; the NEA scaled from the median seeing's as seeing^2).
 */
function psfNoise(p: ObjectParams, v: number, b: string): number {
  const night = p.visits[v]!.night;
  const n = frameNoise(b, bandSky(night, b), night.transparency);
  const s = bandSeeing(night.seeingR, b) / SEEING_MEDIAN_R;
  return n.skySigma * Math.sqrt(NEA_MEDIAN) * s;
}

const DETECT_BANDS = ["g", "r", "i"];

/**
 * The season of detection: the one holding the visit of largest
 * difference-flux significance in g, r or i (ties: the earliest); -1 when
 * that visit lies outside the survey's seasons (hand-made visit lists of
 * tests: the whole list is then kept).
 */
export function detectionSeason(p: ObjectParams, flux: (b: string, v: number) => number): number {
  let best = -Infinity, season = 0;
  p.visits.forEach((visit, v) => {
    for (const b of DETECT_BANDS) {
      const s = (flux(b, v) - templateFlux(p, b)) / psfNoise(p, v, b);
      if (s > best) {
        best = s;
        season = SEASONS.findIndex((x) => visit.mjdR >= x.start - 1 && visit.mjdR <= x.end + 1);
      }
    }
  });
  return season;
}

/**
 * The band-frames of an object's series (visits of its detection season x
 * bands, time-ordered, ugriz within a visit, 2 % missing) and the
 * point-source flux of each. Uses the object's `lc:<index>` stream (missing
 * frames, AGN and irregular-star random walks). Sets `p.peakMagR` for
 * non-SNe (brightest r over the series).
 */
export function planFrames(seed: number, p: ObjectParams, bands: readonly string[]): FramePlan[] {
  const rng = Rng.derive(seed, `lc:${p.index}`);
  const lc = lightCurve(p, rng);
  // All visits, all bands: missing-frame draws and fluxes (the same draws whatever is kept).
  const all: FramePlan[] = [];
  const g = new Map<string, number>();
  p.visits.forEach((v, e) => {
    for (const b of SDSS_BANDS) {
      const missing = rng.bernoulli(0.02);
      const mjd = bandMjd(v.mjdR, b);
      const pointFlux = lc(b, e, mjd);
      if (DETECT_BANDS.includes(b)) g.set(`${b}${e}`, pointFlux);
      if (!missing && bands.includes(b)) {
        all.push({ epoch: e, visitIndex: e, band: b, mjd, pointFlux });
      }
    }
  });
  const si = detectionSeason(p, (b, v) => g.get(`${b}${v}`)!);
  const season = SEASONS[si];
  const inSeason = (v: number) =>
    !season || (p.visits[v]!.mjdR >= season.start - 1 && p.visits[v]!.mjdR <= season.end + 1);
  const first = p.visits.findIndex((_, v) => inSeason(v));
  const frames = all.filter((f) => inSeason(f.visitIndex)).map((f) => ({
    ...f,
    epoch: f.visitIndex - first,
  }));
  if (p.tExplosion === undefined) {
    let best = 0;
    for (const f of frames) if (f.band === "r") best = Math.max(best, f.pointFlux);
    p.peakMagR = best > 0 ? nmgyToMag(best) : nmgyToMag(p.meanFlux?.r ?? 0);
  }
  return frames;
}
