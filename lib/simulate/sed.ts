/**
 * Spectral energy distributions and synthetic photometry.
 *
 * Every source model gives its rest-frame spectrum as an "absolute" AB flux
 * density F10(lambda) in nanomaggies at 10 pc (AB magnitude M(lambda) =
 * 22.5 - 2.5 log10 F10). An observed band flux is then (Hogg et al. 2002,
 * astro-ph/0210394, eq. 8 with f_nu):
 *
 *   f_b = (1 + z) 10^(-0.4 mu(z)) <F10(lambda / (1 + z))>_b 10^(-0.4 A_b)
 *
 * where <.>_b averages f_nu over the band, approximated as a top-hat of the
 * band's width sampled at 7 wavelengths with photon-counting weights
 * (d lambda / lambda), and A_b is the Galactic extinction. The K-correction
 * is therefore implicit: it is whatever the rest-frame spectrum gives at the
 * redshifted band wavelengths. Approximations (documented in
 * docs/simulator.md): top-hat bands instead of the real SDSS responses;
 * spectra built from blackbodies with a simple ultraviolet suppression and
 * power laws, not from spectral templates.
 *
 * @module
 */
import { bandModel } from "./sdss.ts";

/** A rest-frame spectrum: F10 in nanomaggies at 10 pc as a function of wavelength (Angstrom). */
export type RestSpectrum = (lambda: number) => number;

/** h c / k in Angstrom Kelvin. */
const HC_OVER_K = 1.438777e8;

/**
 * Planck f_nu shape at wavelength `lambda` (Angstrom) and temperature `t`
 * (Kelvin), up to a constant: 1 / (lambda^3 (exp(hc / lambda k T) - 1)).
 */
export function planckNu(lambda: number, t: number): number {
  const x = HC_OVER_K / (lambda * t);
  return 1 / (lambda * lambda * lambda * Math.expm1(x));
}

const SAMPLES = 7;

/** Sample wavelengths and normalised weights of band `b` (top-hat, d lambda / lambda weights). */
export function bandSamples(b: string): { lambda: Float64Array; weight: Float64Array } {
  const m = bandModel(b);
  const lambda = new Float64Array(SAMPLES), weight = new Float64Array(SAMPLES);
  let tot = 0;
  for (let k = 0; k < SAMPLES; k++) {
    const l = m.lambda + m.width * ((k + 0.5) / SAMPLES - 0.5);
    lambda[k] = l;
    weight[k] = 1 / l;
    tot += 1 / l;
  }
  for (let k = 0; k < SAMPLES; k++) weight[k] = weight[k]! / tot;
  return { lambda, weight };
}

const sampleCache = new Map<string, { lambda: Float64Array; weight: Float64Array }>();

function samples(b: string): { lambda: Float64Array; weight: Float64Array } {
  let s = sampleCache.get(b);
  if (!s) {
    s = bandSamples(b);
    sampleCache.set(b, s);
  }
  return s;
}

/**
 * Band-averaged rest-frame spectrum seen through observer band `b` at
 * redshift `z`: <F10(lambda_obs / (1 + z))>_b.
 */
export function bandAverage(spec: RestSpectrum, b: string, z: number): number {
  const s = samples(b);
  let sum = 0;
  for (let k = 0; k < SAMPLES; k++) sum += s.weight[k]! * spec(s.lambda[k]! / (1 + z));
  return sum;
}

/**
 * Observed flux in nanomaggies of a source with rest spectrum `spec` at
 * redshift `z` with distance modulus `mu`, through band `b`, after Galactic
 * extinction E(B-V) = `ebv`.
 */
export function observedFlux(
  spec: RestSpectrum,
  b: string,
  z: number,
  mu: number,
  ebv: number,
): number {
  return (1 + z) * Math.pow(10, -0.4 * (mu + bandModel(b).extinction * ebv)) *
    bandAverage(spec, b, z);
}

/** Rest-frame B band used to define peak absolute magnitudes: top-hat 3900-4900 A (Bessell B). */
export const REST_B = { lambda: 4400, width: 1000 } as const;

/** Rest-frame B-band average of a spectrum (same top-hat scheme as the observer bands). */
export function restBandB(spec: RestSpectrum): number {
  let sum = 0, tot = 0;
  for (let k = 0; k < SAMPLES; k++) {
    const l = REST_B.lambda + REST_B.width * ((k + 0.5) / SAMPLES - 0.5);
    sum += spec(l) / l;
    tot += 1 / l;
  }
  return sum / tot;
}

/**
 * Ultraviolet line-blanketing factor applied to supernova blackbodies:
 * (lambda / lambdaCut)^power below lambdaCut, 1 above (model choice; SN
 * spectra fall far below a blackbody in the UV because of metal lines).
 */
export function uvSuppression(lambda: number, lambdaCut: number, power: number): number {
  return lambda >= lambdaCut ? 1 : Math.pow(lambda / lambdaCut, power);
}
