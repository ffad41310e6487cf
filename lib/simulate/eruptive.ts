/**
 * Eruptive variable stars that mimic transients: dwarf novae (cataclysmic
 * variables with outbursts, blue) and flaring M dwarfs (red, with brief blue
 * flares). Their light curves are pure functions of time and the star's
 * parameters (outburst and flare times come from an integer hash of the
 * cycle or night and the star's own key), so the same star gives the same
 * magnitudes whichever frames are asked for.
 *
 * - Dwarf novae (model choices in the ranges of Warner 1995, "Cataclysmic
 *   Variable Stars", ch. 3, and the SDSS CVs of Szkody et al. 2002-2011):
 *   quiescent r 18-22, blue colours u-g 0.0-0.4, g-r -0.1-0.4, r-i 0-0.3,
 *   i-z 0-0.2; outbursts every 20-200 days (each cycle's start jittered by
 *   up to 30 % of it), amplitude 2-5 mag in g (u 1.0, r 0.9, i 0.8, z 0.7
 *   times it), rising in 1 day, a 2-10 day plateau, then fading at 0.3-1
 *   mag/day.
 * - Flaring M dwarfs (after the Stripe 82 flares of Kowalski et al. 2009, AJ
 *   138, 633: flares seen on about 1-3 % of the epochs of active M dwarfs,
 *   largest in u): quiescent r 16-21, g-r 1.3-1.6 on the stellar locus; a
 *   flare on a night with probability 0.03, starting 0-0.05 d before the r
 *   exposure, of u amplitude 0.5-3 mag (g 0.45, r 0.2, i 0.1, z 0.05 times
 *   it), decaying exponentially with tau 0.01-0.05 d, so the five bands of
 *   one drift-scan visit (about 5 minutes) see it fade.
 *
 * @module
 */

/** Parameters of an eruptive star's light curve. */
export interface EruptiveParams {
  /** "CV" (dwarf nova) or "flare" (M dwarf). */
  kind: "CV" | "flare";
  /** Key of the star's outburst / flare sequence. */
  key: number;
  /** CV: mean recurrence time, days. */
  recurrence: number;
  /** CV: outburst amplitude in g, mag (flares draw theirs per flare: u 0.5-3 mag). */
  amplitude: number;
  /** Amplitude per band relative to the reference band. */
  ratio: Record<string, number>;
  /** CV: plateau days; flare: decay time, days. */
  duration: number;
  /** CV: decline rate, mag/day. */
  decline: number;
}

/** Probability of a flare on a visit's night. */
export const FLARE_PROBABILITY = 0.03;

/** An integer hash to [0, 1) (xorshift-multiply of two 32-bit words). */
export function hash01(a: number, b: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Dwarf-nova outburst profile (mag brighter than quiescence) `dt` days after its start. */
function outburst(p: EruptiveParams, dt: number): number {
  if (dt < 0) return 0;
  if (dt < 1) return p.amplitude * dt;
  if (dt < 1 + p.duration) return p.amplitude;
  return Math.max(0, p.amplitude - p.decline * (dt - 1 - p.duration));
}

/**
 * Magnitude offset (negative = brighter) of an eruptive star in band `b` at
 * `mjd`, during a visit whose r exposure is at `visitMjd`.
 */
export function eruptiveOffset(
  p: EruptiveParams,
  b: string,
  mjd: number,
  visitMjd: number,
): number {
  const r = p.ratio[b] ?? 1;
  if (p.kind === "CV") {
    // Outbursts of cycles k - 1 and k can overlap the time; take the brighter.
    const k = Math.floor(mjd / p.recurrence);
    let best = 0;
    for (const c of [k - 1, k]) {
      const start = (c + 0.3 * hash01(p.key, c)) * p.recurrence;
      best = Math.max(best, outburst(p, mjd - start));
    }
    return -best * r;
  }
  // A flare on the night of the visit, starting 0-0.05 d before its r exposure.
  const night = Math.floor(visitMjd);
  if (hash01(p.key, night) >= FLARE_PROBABILITY) return 0;
  const amp = 0.5 + 2.5 * hash01(p.key ^ 0x5bd1e995, night);
  const start = visitMjd - 0.05 * hash01(p.key ^ 0x27d4eb2f, night);
  const dt = mjd - start;
  if (dt < 0) return 0;
  return -amp * r * Math.exp(-dt / p.duration);
}
