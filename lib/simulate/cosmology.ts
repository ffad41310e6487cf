/**
 * Flat Lambda-CDM distances (H0 = 70 km/s/Mpc, Omega_m = 0.3, Omega_L = 0.7;
 * radiation neglected), by numerical integration of 1/E(z) (Hogg 1999,
 * astro-ph/9905116, eqs. 14-16, 21, 28), and redshift draws weighted by
 * comoving volume.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";

/** Hubble constant, km/s/Mpc. */
export const H0 = 70;
/** Matter density parameter (flat universe: Omega_L = 1 - Omega_m). */
export const OMEGA_M = 0.3;
/** Speed of light, km/s. */
const C_KMS = 299792.458;
/** Hubble distance c/H0 in Mpc. */
const DH = C_KMS / H0;

function invE(z: number): number {
  const zp = 1 + z;
  return 1 / Math.sqrt(OMEGA_M * zp * zp * zp + (1 - OMEGA_M));
}

// Tabulated comoving distance on a fine grid (Simpson's rule per cell), interpolated after.
const GRID_STEP = 0.001;
const GRID_MAX = 5;
const DC_TABLE: Float64Array = (() => {
  const n = Math.round(GRID_MAX / GRID_STEP);
  const t = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) {
    const a = (i - 1) * GRID_STEP, b = i * GRID_STEP;
    t[i] = t[i - 1]! + (GRID_STEP / 6) * (invE(a) + 4 * invE((a + b) / 2) + invE(b));
  }
  for (let i = 0; i <= n; i++) t[i] = t[i]! * DH;
  return t;
})();

/**
 * Line-of-sight comoving distance in Mpc (Hogg 1999 eq. 15).
 *
 * @param z Redshift, 0 to 5.
 */
export function comovingDistance(z: number): number {
  if (!(z >= 0) || z > GRID_MAX) throw new RangeError(`Redshift ${z} outside 0..${GRID_MAX}`);
  const x = z / GRID_STEP;
  const i = Math.min(Math.floor(x), DC_TABLE.length - 2);
  const f = x - i;
  // Cubic accuracy is not needed: the table step (0.001) makes linear interpolation exact to 1e-7.
  return DC_TABLE[i]! * (1 - f) + DC_TABLE[i + 1]! * f;
}

/** Luminosity distance in Mpc (flat: (1 + z) D_C). */
export function luminosityDistance(z: number): number {
  return (1 + z) * comovingDistance(z);
}

/** Angular-diameter distance in Mpc (flat: D_C / (1 + z)). */
export function angularDiameterDistance(z: number): number {
  return comovingDistance(z) / (1 + z);
}

/** Distance modulus mu = 5 log10(D_L / 10 pc). */
export function distanceModulus(z: number): number {
  return 5 * Math.log10(luminosityDistance(z) * 1e5);
}

/** Comoving volume element dV/dz per steradian, Mpc^3 (Hogg 1999 eq. 28). */
export function comovingVolumeElement(z: number): number {
  const dc = comovingDistance(z);
  return DH * dc * dc * invE(z);
}

/** Kiloparsecs per arcsecond at redshift z. */
export function kpcPerArcsec(z: number): number {
  return angularDiameterDistance(z) * 1000 * Math.PI / (180 * 3600);
}

const cdfCache = new Map<string, { z: Float64Array; cdf: Float64Array }>();

/**
 * Draws a redshift in [zMin, zMax] with density proportional to the comoving
 * volume element divided by (1 + z) (events per unit observer time, constant
 * rate per comoving volume), by inverse-CDF on a 0.001 grid.
 *
 * @param rng The seeded generator.
 * @param zMin Lower bound.
 * @param zMax Upper bound.
 * @param evolution Extra rate evolution exponent: density times (1 + z)^evolution.
 */
export function drawVolumeRedshift(rng: Rng, zMin: number, zMax: number, evolution = 0): number {
  const key = `${zMin}:${zMax}:${evolution}`;
  let t = cdfCache.get(key);
  if (!t) {
    const n = Math.max(2, Math.round((zMax - zMin) / 0.001));
    const z = new Float64Array(n + 1), cdf = new Float64Array(n + 1);
    const dens = (x: number) => comovingVolumeElement(x) * Math.pow(1 + x, evolution - 1);
    for (let i = 0; i <= n; i++) z[i] = zMin + (zMax - zMin) * i / n;
    for (let i = 1; i <= n; i++) {
      cdf[i] = cdf[i - 1]! + 0.5 * (dens(z[i - 1]!) + dens(z[i]!)) * (z[i]! - z[i - 1]!);
    }
    for (let i = 0; i <= n; i++) cdf[i] = cdf[i]! / cdf[n]!;
    t = { z, cdf };
    cdfCache.set(key, t);
  }
  const u = rng.next();
  let lo = 0, hi = t.cdf.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t.cdf[mid]! < u) lo = mid;
    else hi = mid;
  }
  const c0 = t.cdf[lo]!, c1 = t.cdf[hi]!;
  const f = c1 > c0 ? (u - c0) / (c1 - c0) : 0;
  return t.z[lo]! + f * (t.z[hi]! - t.z[lo]!);
}
