/**
 * Everything about one simulated object except its pixels: position, class
 * model and parameters, host and visits. Pure: the draws come from
 * `Rng.derive(seed, "params:<index>")`.
 *
 * Observing (issue 17, item 4, class-blind): every object is observed on
 * every visit of its position over the three seasons (`visits`); which of
 * them form its series is chosen by one rule for every class, from the light
 * curve (lib/simulate/frames.ts: the season of the candidate's detection).
 * SNe (lib/simulate/sn_params.ts) are redrawn until a search would have
 * found them. AGN redshifts: 0.05-2.5 with density proportional to
 * z exp(-z / 0.5) (model choice); hosts only below z = 0.5. Galactic extinction E(B-V) uniform
 * 0.02-0.08 (typical of Stripe 82 in Schlegel et al. 1998).
 *
 * @module
 */
import { Rng } from "../util/rng.ts";
import { agnContinuum, drawAgnParams } from "./agn.ts";
import { visitsOf } from "./cadence.ts";
import { distanceModulus } from "./cosmology.ts";
import { drawHost } from "./host.ts";
import type { ObjectParams, SimClass } from "./object_types.ts";
import { bandModel, FOOTPRINT, magToNmgy, nmgyToMag, SDSS_BANDS, SEASONS } from "./sdss.ts";
import { type BaseParams, drawSnObject, hostFluxes, visitsWithin } from "./sn_params.ts";
import { drawVariableParams, VARIABLE_MIX, type VariableSubtype } from "./variable_star.ts";

export type { ObjectParams, SimClass } from "./object_types.ts";

/** Sub-stream seed names: one per object and purpose. */
export function paramsRng(seed: number, index: number): Rng {
  return Rng.derive(seed, `params:${index}`);
}

/** The observing window of every object: the three seasons. */
export const SURVEY_WINDOW: readonly [number, number] = [
  SEASONS[0]!.start - 1,
  SEASONS[SEASONS.length - 1]!.end + 1,
];

/**
 * AGN hosts are drawn below this redshift only (model choice): above it the
 * nucleus outshines a host that SDSS depth and seeing would barely resolve, so
 * most of the AGN (z median 0.8) are hostless point-source quasars.
 */
export const AGN_HOST_MAX_Z = 0.5;

function zeroFluxes(): Record<string, number> {
  return Object.fromEntries(SDSS_BANDS.map((b) => [b, 0]));
}

function drawAgnObject(rng: Rng, base: BaseParams): ObjectParams {
  // Density proportional to z exp(-z / 0.5) on 0.05-2.5 (a Gamma(2, 0.5) draw, redrawn
  // outside the range).
  let z = 0;
  do z = -0.5 * (Math.log(1 - rng.next()) + Math.log(1 - rng.next())); while (
    z < 0.05 || z > 2.5
  );
  const mu = distanceModulus(z);
  // Most AGN are point-source quasars: a host is drawn only below z = AGN_HOST_MAX_Z.
  const host = z < AGN_HOST_MAX_Z ? drawHost(rng, "AGN", z) : null;
  const hostFlux = host ? hostFluxes(host, z, mu, base.ebv) : zeroFluxes();
  // Nucleus: mean r from 18 to 21.5 with counts rising as 10^(0.3 m) (model choice,
  // quasar number counts).
  const k = 0.3 * Math.LN10;
  const mNuc = Math.log(Math.exp(k * 18) + rng.next() * (Math.exp(k * 21.5) - Math.exp(k * 18))) /
    k;
  const agn = drawAgnParams(rng, mNuc);
  const lr = bandModel("r").lambda / (1 + z);
  const meanFlux = Object.fromEntries(SDSS_BANDS.map((b) => {
    const lb = bandModel(b).lambda / (1 + z);
    const ext = Math.pow(10, -0.4 * bandModel(b).extinction * base.ebv);
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
    peakMagR: NaN,
    hostMagR: host ? nmgyToMag(hostFlux.r!) : NaN,
  };
}

function drawStarObject(rng: Rng, base: BaseParams): ObjectParams {
  const subtype: VariableSubtype = VARIABLE_MIX[rng.weighted(VARIABLE_MIX.map((v) => v.fraction))]!
    .subtype;
  const star = drawVariableParams(rng, subtype);
  const meanFlux = Object.fromEntries(
    SDSS_BANDS.map((b) => [b, magToNmgy(star.meanMag[b]! + bandModel(b).extinction * base.ebv)]),
  );
  return {
    ...base,
    subtype,
    z: null,
    mu: 0,
    host: null,
    hostFlux: zeroFluxes(),
    star,
    meanFlux,
    peakMagR: NaN,
    hostMagR: NaN,
  };
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
  const raSigned = rng.uniform(FOOTPRINT.raMin, FOOTPRINT.raMax);
  const dec = rng.uniform(FOOTPRINT.decMin, FOOTPRINT.decMax);
  const ebv = rng.uniform(0.02, 0.08);
  const base: BaseParams = {
    index,
    trueClass,
    ra: raSigned < 0 ? raSigned + 360 : raSigned,
    dec,
    ebv,
    hostDx: 0,
    hostDy: 0,
    confirmDraw,
    mislabelDraw,
    window: [SURVEY_WINDOW[0], SURVEY_WINDOW[1]],
    visits: visitsWithin(visitsOf(seed, raSigned, dec), SURVEY_WINDOW),
  };
  if (trueClass === "SNIa" || trueClass === "SNOther") return drawSnObject(rng, base, trueClass);
  return trueClass === "AGN" ? drawAgnObject(rng, base) : drawStarObject(rng, base);
}
