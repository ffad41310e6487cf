/**
 * The standard FITS random sequence for subtractive dithering of quantized
 * floats (FITS 4.0 section 10.2.3; cfitsio `fits_init_randoms`): 10,000
 * values from a Park-Miller generator, checked against the published final
 * seed.
 *
 * @module
 */

/** Length of the sequence. */
export const N_RANDOM = 10000;

let table: Float32Array | undefined;

/** The 10,000 random values in [0, 1) (computed once). */
export function fitsRandoms(): Float32Array {
  if (table) return table;
  const a = 16807, m = 2147483647;
  const t = new Float32Array(N_RANDOM);
  let seed = 1;
  for (let i = 0; i < N_RANDOM; i++) {
    const temp = a * seed;
    seed = temp - m * Math.trunc(temp / m);
    t[i] = seed / m;
  }
  if (seed !== 1043618065) throw new Error("FITS random sequence check failed");
  table = t;
  return t;
}
