/**
 * Test helpers: objects with chosen parameters, observed every day in
 * median conditions (dark sky, photometric, seeing at the median).
 */
import type { Epoch, Night } from "../../lib/simulate/cadence.ts";
import { distanceModulus } from "../../lib/simulate/cosmology.ts";
import { drawObjectParams, type ObjectParams } from "../../lib/simulate/params.ts";
import { SEEING_MEDIAN_R } from "../../lib/simulate/sdss.ts";
import type { SnIaParams } from "../../lib/simulate/sn_ia.ts";

/** A median night (no moon, photometric, median seeing). */
export function medianNight(mjd: number, seeingR = SEEING_MEDIAN_R): Night {
  return {
    mjd: Math.floor(mjd),
    season: 0,
    strip: 0,
    raMin: -60,
    raMax: 60,
    t0: mjd,
    seeingR,
    transparency: 1,
    moon: 0,
    skyJitter: 0,
  };
}

/** Daily visits from `start` for `days` days. */
export function dailyVisits(start: number, days: number, seeingR = SEEING_MEDIAN_R): Epoch[] {
  return Array.from({ length: days }, (_, k) => ({
    night: medianNight(start + k, seeingR),
    mjdR: start + k,
  }));
}

const ZERO = { u: 0, g: 0, r: 0, i: 0, z: 0 };

/**
 * A SN Ia with the given parameters at redshift z, without host or Galactic
 * extinction, exploding at MJD 53600 and visited daily for 120 days.
 */
export function customSnIa(z: number, ia: SnIaParams, withHost = false): ObjectParams {
  const base = drawObjectParams(1, 0, "SNIa");
  const tExplosion = 53600;
  return {
    ...base,
    z,
    mu: distanceModulus(z),
    ebv: 0,
    host: withHost ? base.host : null,
    hostFlux: withHost ? base.hostFlux : { ...ZERO },
    ia,
    cc: undefined,
    tExplosion,
    visits: dailyVisits(tExplosion - 5, 125),
    window: [tExplosion - 5, tExplosion + 120],
  };
}
