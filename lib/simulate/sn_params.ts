/**
 * The parameters of a simulated supernova: sub-type, redshift, light-curve
 * model, host and explosion time, redrawn until a search would have found it
 * (at least two visits brighter than the depth in at least two of g, r, i),
 * which makes the redshift distributions magnitude-limited. Also the SN's
 * model flux at any time ({@link snFlux}).
 *
 * - The reference time (B maximum for Ia, explosion for the others) falls
 *   uniformly in one of the three seasons, from 20 rest-frame days before it
 *   starts to 10 days before it ends.
 * - Redshifts: SN Ia 0.02-0.45 and core-collapse 0.02-0.3 by comoving volume
 *   (dV/dz / (1 + z)).
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { bandMjd, type Epoch } from "./cadence.ts";
import { distanceModulus, drawVolumeRedshift } from "./cosmology.ts";
import { drawHost, drawOffsetInHost, type HostParams, hostSpectrum } from "./host.ts";
import type { ObjectParams, SimClass } from "./object_types.ts";
import { bandModel, magToNmgy, nmgyToMag, SDSS_BANDS, SEASONS } from "./sdss.ts";
import { observedFlux, type RestSpectrum } from "./sed.ts";
import { CC_MIX, ccModel, type CcSubtype, drawCcParams } from "./sn_cc.ts";
import {
  drawSnIaSubclassParams,
  SNIA_SUBCLASS_MIX,
  snIaModel,
  snIaRiseDays,
  type SnIaSubclass,
} from "./sn_ia.ts";

const SNIA_SUBCLASSES = new Set<string>(SNIA_SUBCLASS_MIX.map((c) => c.subclass));

/**
 * Fraction of SNe without a visible host (model choice: a few per cent of
 * SDSS-II SNe have no host down to the survey depth; Sako et al. 2018 report
 * host matches for most but not all of their candidates).
 */
export const SN_HOSTLESS_FRACTION = 0.05;

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
  const tRest = (mjd - p.tExplosion!) / (1 + p.z!);
  const m = modelsOf(p);
  const spec = p.ia ? m.ia!(tRest - snIaRiseDays(p.ia.x1)) : m.cc!(tRest);
  return observedFlux(spec, b, p.z!, p.mu, p.ebv);
}

const DETECT_BANDS = ["g", "r", "i"];

/** The search cut: two visits brighter than the depth in at least two of g, r, i. */
function snDetected(p: ObjectParams): boolean {
  let n = 0;
  for (const v of p.visits) {
    if (v.mjdR < p.tExplosion! || v.mjdR > p.tExplosion! + 400) continue;
    let bands = 0;
    for (const b of DETECT_BANDS) {
      if (snFlux(p, b, bandMjd(v.mjdR, b)) > magToNmgy(bandModel(b).depth)) bands++;
    }
    if (bands >= 2 && ++n >= 2) return true;
  }
  return false;
}

/** Brightest model r magnitude of the SN (3-day grid, then a golden-section search). */
export function snPeakMagR(p: ObjectParams): number {
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

/** Host flux per band (nanomaggies, after Galactic extinction). */
export function hostFluxes(
  h: HostParams,
  z: number,
  mu: number,
  ebv: number,
): Record<string, number> {
  const spec = hostSpectrum(h);
  return Object.fromEntries(SDSS_BANDS.map((b) => [b, observedFlux(spec, b, z, mu, ebv)]));
}

/** What every object has before its class model: identity, position, draws, visits. */
export type BaseParams = Pick<
  ObjectParams,
  | "index"
  | "trueClass"
  | "ra"
  | "dec"
  | "ebv"
  | "hostDx"
  | "hostDy"
  | "confirmDraw"
  | "mislabelDraw"
  | "window"
  | "visits"
>;

/** One draw of a SN candidate (not yet checked against the search cut), or null if hopeless. */
function snCandidate(
  rng: Rng,
  base: BaseParams,
  subtype: string,
  last: boolean,
): ObjectParams | null {
  const isIa = SNIA_SUBCLASSES.has(subtype);
  const z = drawVolumeRedshift(rng, 0.02, isIa ? 0.45 : 0.3);
  const mu = distanceModulus(z);
  const ia = isIa ? drawSnIaSubclassParams(rng, subtype as SnIaSubclass) : undefined;
  const cc = isIa ? undefined : drawCcParams(rng, subtype as CcSubtype);
  // Quick rejection: a SN whose rest-frame B peak would appear fainter than 23.5 cannot
  // pass the detection cut (depths 21.3-22.2 in g, r, i; K-corrections within ~1 mag).
  if (!last && (ia ?? cc)!.mB + mu - 2.5 * Math.log10(1 + z) > 23.5) return null;
  // A few SNe have no visible host (dwarf galaxies below the detection limit).
  const hostless = rng.next() < SN_HOSTLESS_FRACTION;
  const host = drawHost(rng, isIa ? "SNIa" : "SNOther", z);
  const off = drawOffsetInHost(rng, host);
  const season = SEASONS[rng.int(0, SEASONS.length - 1)]!;
  // Reference time: B maximum (Ia) or explosion (others), observer frame.
  const ref = rng.uniform(season.start - 20 * (1 + z), season.end - 10);
  const rise = ia ? snIaRiseDays(ia.x1) * (1 + z) : 0;
  return {
    ...base,
    subtype,
    z,
    mu,
    host: hostless ? null : host,
    hostDx: hostless ? 0 : -off.dx,
    hostDy: hostless ? 0 : -off.dy,
    hostFlux: hostless
      ? Object.fromEntries(SDSS_BANDS.map((b) => [b, 0]))
      : hostFluxes(host, z, mu, base.ebv),
    ia,
    cc,
    tExplosion: ref - rise,
    peakMagR: NaN,
    hostMagR: NaN,
  };
}

/**
 * Draws a SN of true class `trueClass` that passes the search cut (at most
 * 400 draws; the last one is kept whatever it gives).
 *
 * @param rng The object's parameter stream.
 * @param base Identity, position and visits (all seasons).
 * @param trueClass "SNIa" or "SNOther".
 */
export function drawSnObject(rng: Rng, base: BaseParams, trueClass: SimClass): ObjectParams {
  // The sub-type follows the observed mix; redshift, parameters and time are redrawn
  // until the SN passes the detection cut.
  const subtype: string = trueClass === "SNIa"
    ? SNIA_SUBCLASS_MIX[rng.weighted(SNIA_SUBCLASS_MIX.map((c) => c.fraction))]!.subclass
    : CC_MIX[rng.weighted(CC_MIX.map((c) => c.fraction))]!.subtype;
  let p: ObjectParams | null = null;
  for (let attempt = 0; attempt < 400; attempt++) {
    const cand = snCandidate(rng, base, subtype, attempt === 399);
    if (!cand) continue;
    p = cand;
    if (snDetected(cand)) break;
  }
  p!.peakMagR = snPeakMagR(p!);
  p!.hostMagR = p!.host ? nmgyToMag(p!.hostFlux.r!) : NaN;
  return p!;
}

/** Visits of a list inside a window (inclusive). */
export function visitsWithin(visits: readonly Epoch[], w: readonly [number, number]): Epoch[] {
  return visits.filter((v) => v.mjdR >= w[0] && v.mjdR <= w[1]);
}
