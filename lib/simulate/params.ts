/**
 * Everything about one simulated object except its pixels: position, class
 * model and parameters, host, observing window and visits, and the
 * point-source light curve. Pure: the draws come from
 * `Rng.derive(seed, "params:<index>")` and `Rng.derive(seed, "lc:<index>")`.
 *
 * Observing windows (issue 4):
 * - SNe: the explosion (or B maximum for Ia) falls uniformly in one of the
 *   three seasons (from 20 rest-frame days before it starts to 10 days before
 *   it ends). The series covers the whole season of the transient, so it
 *   starts before the explosion, and every following season until the SN has
 *   faded 0.5 mag below the depth in every band. Only SNe that a search would
 *   have found enter the catalogue: at least two visits brighter than the
 *   depth in at least two of g, r, i (otherwise its redshift, parameters and
 *   time are redrawn, keeping the sub-type), which makes the redshift
 *   distributions magnitude-limited.
 * - AGN and variable stars: 1, 2 or 3 consecutive seasons with probabilities
 *   0.6, 0.3, 0.1 (model choice).
 * - Redshifts: SN Ia 0.02-0.45 and core-collapse 0.02-0.3 by comoving volume
 *   (dV/dz / (1 + z)); AGN 0.05-2.5 with density proportional to
 *   z exp(-z / 0.5) (model choice: median 0.85, a third below z = 0.5 where
 *   the host is visible, the rest quasar-like).
 * - Galactic extinction E(B-V) uniform 0.02-0.08 (typical of Stripe 82 in
 *   Schlegel et al. 1998).
 *
 * @module
 */
import { Rng } from "../util/rng.ts";
import { agnContinuum, type AgnParams, dampedRandomWalk, drawAgnParams } from "./agn.ts";
import { bandMjd, type Epoch, visitsOf } from "./cadence.ts";
import { distanceModulus, drawVolumeRedshift } from "./cosmology.ts";
import { drawHost, drawOffsetInHost, type HostParams, hostSpectrum } from "./host.ts";
import { bandModel, FOOTPRINT, magToNmgy, nmgyToMag, SDSS_BANDS, SEASONS } from "./sdss.ts";
import { observedFlux, type RestSpectrum } from "./sed.ts";
import { CC_MIX, ccModel, type CcParams, type CcSubtype, drawCcParams } from "./sn_cc.ts";
import { drawSnIaParams, snIaModel, type SnIaParams, snIaRiseDays } from "./sn_ia.ts";
import {
  drawVariableParams,
  VARIABLE_MIX,
  variableOffsets,
  type VariableParams,
  type VariableSubtype,
} from "./variable_star.ts";

/** The four classes, in the paper's order. */
export type SimClass = "AGN" | "SNIa" | "Variable" | "SNOther";

/** All parameters of one object (no pixels). */
export interface ObjectParams {
  /** 0-based index in the survey. */
  index: number;
  /** True class. */
  trueClass: SimClass;
  /** True sub-type: Ia, II-P, IIn, Ibc, DRW, RRLyrae, EB, irregular. */
  subtype: string;
  /** Right ascension, degrees in 0..360. */
  ra: number;
  /** Declination, degrees. */
  dec: number;
  /** Galactic E(B-V). */
  ebv: number;
  /** Redshift (null for stars). */
  z: number | null;
  /** Distance modulus (0 for stars: their magnitudes are apparent). */
  mu: number;
  /** The host galaxy, or null. */
  host: HostParams | null;
  /** Host centre relative to the candidate (stamp centre) along x, arcsec. */
  hostDx: number;
  /** Host centre relative to the candidate along y, arcsec. */
  hostDy: number;
  /** Host flux per band (nanomaggies, after Galactic extinction). */
  hostFlux: Record<string, number>;
  /** SN Ia parameters. */
  ia?: SnIaParams;
  /** Core-collapse parameters. */
  cc?: CcParams;
  /** Observer-frame MJD of explosion (SNe). */
  tExplosion?: number;
  /** AGN parameters. */
  agn?: AgnParams;
  /** Mean nucleus / star flux per band (nanomaggies, after extinction). */
  meanFlux?: Record<string, number>;
  /** Variable star parameters. */
  star?: VariableParams;
  /** Series window, MJD. */
  window: [number, number];
  /** Visits inside the window, in time order. */
  visits: Epoch[];
  /** Brightest model r magnitude of the variable source over the series. */
  peakMagR: number;
  /** Observed r magnitude of the host (NaN without host). */
  hostMagR: number;
  /** Uniform draw for the spectroscopic-confirmation choice. */
  confirmDraw: number;
  /** Uniform draw for the photometric-mislabelling choice. */
  mislabelDraw: number;
}

/** Sub-stream seed names: one per object and purpose. */
export function paramsRng(seed: number, index: number): Rng {
  return Rng.derive(seed, `params:${index}`);
}

function pickSeasonWindow(rng: Rng): [number, number] {
  const k = rng.weighted([0.6, 0.3, 0.1]) + 1;
  const first = rng.int(0, SEASONS.length - k);
  return [SEASONS[first]!.start - 1, SEASONS[first + k - 1]!.end + 1];
}

/** Rest-frame spectrum of a SN at observer time `mjd`. */
function snSpectrum(p: ObjectParams, mjd: number, models: SnModels): RestSpectrum {
  const tRest = (mjd - p.tExplosion!) / (1 + p.z!);
  if (p.ia) return models.ia!(tRest - snIaRiseDays(p.ia.x1));
  return models.cc!(tRest);
}

interface SnModels {
  ia?: (phase: number) => RestSpectrum;
  cc?: (t: number) => RestSpectrum;
}

const snModelCache = new WeakMap<ObjectParams, SnModels>();

function modelsOf(p: ObjectParams): SnModels {
  let m = snModelCache.get(p);
  if (!m) {
    m = p.ia ? { ia: snIaModel(p.ia) } : p.cc ? { cc: ccModel(p.cc) } : {};
    snModelCache.set(p, m);
  }
  return m;
}

/** Model flux (nanomaggies) of a SN in band `b` at observer time `mjd`. */
export function snFlux(p: ObjectParams, b: string, mjd: number): number {
  if (mjd <= p.tExplosion!) return 0;
  return observedFlux(snSpectrum(p, mjd, modelsOf(p)), b, p.z!, p.mu, p.ebv);
}

const DETECT_BANDS = ["g", "r", "i"];

function snDetected(p: ObjectParams): boolean {
  let n = 0;
  for (const v of p.visits) {
    let bands = 0;
    for (const b of DETECT_BANDS) {
      if (snFlux(p, b, bandMjd(v.mjdR, b)) > magToNmgy(bandModel(b).depth)) bands++;
    }
    if (bands >= 2 && ++n >= 2) return true;
  }
  return false;
}

/** Whether the SN is brighter than 0.5 mag below the depth in some band at `mjd`. */
function snVisible(p: ObjectParams, mjd: number): boolean {
  for (const b of SDSS_BANDS) {
    if (snFlux(p, b, mjd) > magToNmgy(bandModel(b).depth + 0.5)) return true;
  }
  return false;
}

/** Brightest model r magnitude of the SN (3-day grid, then a golden-section search). */
function snPeakMagR(p: ObjectParams): number {
  let best = 0, tb = p.tExplosion!;
  for (let dt = 1; dt <= 400; dt += 3) {
    const f = snFlux(p, "r", p.tExplosion! + dt);
    if (f > best) {
      best = f;
      tb = p.tExplosion! + dt;
    }
  }
  // Golden-section refinement on [tb - 3, tb + 3] (the curve is unimodal near its peak).
  let lo = tb - 3, hi = tb + 3;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 30; i++) {
    const m1 = hi - g * (hi - lo), m2 = lo + g * (hi - lo);
    if (snFlux(p, "r", m1) > snFlux(p, "r", m2)) hi = m2;
    else lo = m1;
  }
  best = Math.max(best, snFlux(p, "r", (lo + hi) / 2));
  return nmgyToMag(best);
}

function hostFluxes(h: HostParams, z: number, mu: number, ebv: number): Record<string, number> {
  const spec = hostSpectrum(h);
  return Object.fromEntries(SDSS_BANDS.map((b) => [b, observedFlux(spec, b, z, mu, ebv)]));
}

function basePosition(rng: Rng): { raSigned: number; dec: number; ebv: number } {
  return {
    raSigned: rng.uniform(FOOTPRINT.raMin, FOOTPRINT.raMax),
    dec: rng.uniform(FOOTPRINT.decMin, FOOTPRINT.decMax),
    ebv: rng.uniform(0.02, 0.08),
  };
}

function visitsIn(seed: number, ra: number, dec: number, w: [number, number]): Epoch[] {
  return visitsOf(seed, ra, dec).filter((v) => v.mjdR >= w[0] && v.mjdR <= w[1]);
}

/**
 * Draws all parameters of object `index` of true class `trueClass`.
 *
 * @param seed Survey seed.
 * @param index 0-based object index.
 * @param trueClass The object's true class (from the survey plan).
 */
export function drawObjectParams(seed: number, index: number, trueClass: SimClass): ObjectParams {
  const rng = paramsRng(seed, index);
  const confirmDraw = rng.next(), mislabelDraw = rng.next();
  const pos = basePosition(rng);
  const ra = pos.raSigned < 0 ? pos.raSigned + 360 : pos.raSigned;
  const base = {
    index,
    trueClass,
    ra,
    dec: pos.dec,
    ebv: pos.ebv,
    hostDx: 0,
    hostDy: 0,
    confirmDraw,
    mislabelDraw,
  };
  if (trueClass === "SNIa" || trueClass === "SNOther") {
    let p: ObjectParams | null = null;
    const isIa = trueClass === "SNIa";
    // The sub-type follows the observed mix; redshift, parameters and time are redrawn
    // until the SN passes the detection cut.
    const subtype: string = isIa
      ? "Ia"
      : CC_MIX[rng.weighted(CC_MIX.map((c) => c.fraction))]!.subtype;
    for (let attempt = 0; attempt < 400; attempt++) {
      const z = drawVolumeRedshift(rng, 0.02, isIa ? 0.45 : 0.3);
      const mu = distanceModulus(z);
      const ia = isIa ? drawSnIaParams(rng) : undefined;
      const cc = isIa ? undefined : drawCcParams(rng, subtype as CcSubtype);
      // Quick rejection: a SN whose rest-frame B peak would appear fainter than 23.5 cannot
      // pass the detection cut (depths 21.3-22.2 in g, r, i; K-corrections within ~1 mag).
      if (attempt < 399 && (ia ?? cc)!.mB + mu - 2.5 * Math.log10(1 + z) > 23.5) continue;
      const host = drawHost(rng, isIa ? "SNIa" : "SNOther", z);
      const off = drawOffsetInHost(rng, host);
      const si = rng.int(0, SEASONS.length - 1);
      const season = SEASONS[si]!;
      // Reference time: B maximum (Ia) or explosion (others), observer frame.
      const ref = rng.uniform(season.start - 20 * (1 + z), season.end - 10);
      const rise = ia ? snIaRiseDays(ia.x1) * (1 + z) : 0;
      const tExplosion = ref - rise;
      const cand: ObjectParams = {
        ...base,
        subtype,
        z,
        mu,
        host,
        hostDx: -off.dx,
        hostDy: -off.dy,
        hostFlux: hostFluxes(host, z, mu, pos.ebv),
        ia,
        cc,
        tExplosion,
        window: [season.start - 1, season.end + 1],
        visits: [],
        peakMagR: NaN,
        hostMagR: NaN,
      };
      cand.visits = visitsIn(seed, pos.raSigned, pos.dec, cand.window);
      p = cand;
      if (!snDetected(cand)) continue;
      // The series covers the season(s) of the transient: every season from the explosion's
      // until the SN has faded 0.5 mag below the depth in all bands.
      // (Late light curves only decline, so visible at a season's start means it continues.)
      let last = si;
      while (last + 1 < SEASONS.length && snVisible(cand, SEASONS[last + 1]!.start)) last++;
      cand.window = [season.start - 1, SEASONS[last]!.end + 1];
      cand.visits = visitsIn(seed, pos.raSigned, pos.dec, cand.window);
      break;
    }
    p!.peakMagR = snPeakMagR(p!);
    p!.hostMagR = nmgyToMag(p!.hostFlux.r!);
    return p!;
  }
  const window = pickSeasonWindow(rng);
  const visits = visitsIn(seed, pos.raSigned, pos.dec, window);
  if (trueClass === "AGN") {
    // Density proportional to z exp(-z / 0.5) on 0.05-2.5 (a Gamma(2, 0.5) draw, redrawn
    // outside the range).
    let z = 0;
    do z = -0.5 * (Math.log(1 - rng.next()) + Math.log(1 - rng.next())); while (
      z < 0.05 || z > 2.5
    );
    const mu = distanceModulus(z);
    const host = drawHost(rng, "AGN", z);
    const hostFlux = hostFluxes(host, z, mu, pos.ebv);
    // Nucleus: mean r from 18 to 21.5 with counts rising as 10^(0.3 m) (model choice,
    // quasar number counts).
    const k = 0.3 * Math.LN10;
    const mNuc = Math.log(Math.exp(k * 18) + rng.next() * (Math.exp(k * 21.5) - Math.exp(k * 18))) /
      k;
    const agn = drawAgnParams(rng, mNuc);
    const lr = bandModel("r").lambda / (1 + z);
    const meanFlux = Object.fromEntries(SDSS_BANDS.map((b) => {
      const lb = bandModel(b).lambda / (1 + z);
      const ext = Math.pow(10, -0.4 * bandModel(b).extinction * pos.ebv);
      return [b, magToNmgy(mNuc) * agnContinuum(lb, lr) / agnContinuum(lr, lr) * ext];
    }));
    return {
      ...base,
      subtype: "DRW",
      z,
      mu,
      host,
      hostFlux,
      agn,
      meanFlux,
      window,
      visits,
      peakMagR: NaN,
      hostMagR: nmgyToMag(hostFlux.r!),
    };
  }
  const subtype: VariableSubtype = VARIABLE_MIX[rng.weighted(VARIABLE_MIX.map((v) => v.fraction))]!
    .subtype;
  const star = drawVariableParams(rng, subtype);
  const meanFlux = Object.fromEntries(
    SDSS_BANDS.map((b) => [
      b,
      magToNmgy(star.meanMag[b]! + bandModel(b).extinction * pos.ebv),
    ]),
  );
  return {
    ...base,
    subtype,
    z: null,
    mu: 0,
    host: null,
    hostFlux: Object.fromEntries(SDSS_BANDS.map((b) => [b, 0])),
    star,
    meanFlux,
    window,
    visits,
    peakMagR: NaN,
    hostMagR: NaN,
  };
}

/** One band-frame of the series, before rendering. */
export interface FramePlan {
  /** Index of the visit in `params.visits`. */
  epoch: number;
  /** Band letter. */
  band: string;
  /** MJD of this band's exposure. */
  mjd: number;
  /** Model flux of the point source (SN, nucleus or star), nanomaggies. */
  pointFlux: number;
}

/**
 * The band-frames of an object (visits x bands, time-ordered, ugriz within a
 * visit, 2 % missing) and the point-source flux of each. Uses the object's
 * `lc:<index>` stream (missing frames, AGN and irregular-star random walks).
 */
export function planFrames(seed: number, p: ObjectParams, bands: readonly string[]): FramePlan[] {
  const rng = Rng.derive(seed, `lc:${p.index}`);
  const frames: FramePlan[] = [];
  const times = p.visits.map((v) => v.mjdR);
  let stochastic: ((b: string, i: number) => number) | null = null;
  if (p.agn) {
    const tauObs = p.agn.tauRest * (1 + p.z!);
    const drive = dampedRandomWalk(times, tauObs, 1, rng);
    const lr = bandModel("r").lambda / (1 + p.z!);
    const scale = Object.fromEntries(SDSS_BANDS.map((b) => [
      b,
      p.agn!.sfInfR * Math.pow(bandModel(b).lambda / (1 + p.z!) / lr, -0.479),
    ]));
    stochastic = (b, i) => drive[i]! * scale[b]!;
  }
  const starOffsets = p.star ? variableOffsets(p.star, times, rng) : null;
  p.visits.forEach((v, e) => {
    for (const b of SDSS_BANDS) {
      if (!bands.includes(b)) continue;
      const missing = rng.bernoulli(0.02);
      if (missing) continue;
      const mjd = bandMjd(v.mjdR, b);
      let pointFlux = 0;
      if (p.tExplosion !== undefined) pointFlux = snFlux(p, b, mjd);
      else if (p.agn && stochastic) {
        pointFlux = p.meanFlux![b]! * Math.pow(10, -0.4 * stochastic(b, e));
      } else if (p.star && starOffsets) {
        // Periodic stars use the band's own time; the irregular walk is per visit.
        const off = p.star.subtype === "irregular"
          ? starOffsets(b, e)
          : variableOffsets(p.star, [mjd], rng)(b, 0);
        pointFlux = p.meanFlux![b]! * Math.pow(10, -0.4 * off);
      }
      frames.push({ epoch: e, band: b, mjd, pointFlux });
    }
  });
  if (!(p.tExplosion !== undefined)) {
    let best = 0;
    for (const f of frames) if (f.band === "r") best = Math.max(best, f.pointFlux);
    p.peakMagR = best > 0 ? nmgyToMag(best) : nmgyToMag(p.meanFlux?.r ?? 0);
  }
  return frames;
}
