/**
 * Rendering and numerical building blocks: PSF width, pixel integration
 * against brute force, the seeing-grid host interpolation, the Sersic
 * mixtures, NNLS and the normal deviates.
 */
import { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";
import { Rng } from "../../lib/util/rng.ts";
import { GaussStream } from "../../lib/simulate/gauss_stream.ts";
import { nnls } from "../../lib/simulate/nnls.ts";
import { HOST_SEEING_MIN, HOST_SEEING_STEP } from "../../lib/simulate/object.ts";
import { doubleGaussianPsf, psfFwhm } from "../../lib/simulate/psf.ts";
import { addGaussian, addHost, addPointSource } from "../../lib/simulate/render.ts";
import {
  fitSersicMixture,
  mixtureHalfLightRadius,
  sersicMixture,
  sersicProfile,
} from "../../lib/simulate/sersic.ts";

Deno.test("psf: the double Gaussian has the requested FWHM", () => {
  for (const fwhm of [0.8, 1.4, 2.5]) {
    const psf = doubleGaussianPsf(fwhm);
    assertAlmostEquals(psfFwhm(psf), fwhm, 1e-6);
    assertAlmostEquals(psf[0]!.weight + psf[1]!.weight, 1, 1e-12);
  }
});

function bruteForce(
  size: number,
  x: number,
  y: number,
  cxx: number,
  cxy: number,
  cyy: number,
): Float64Array {
  // 20 x 20 sub-samples per pixel.
  const out = new Float64Array(size * size);
  const det = cxx * cyy - cxy * cxy, a = cyy / det, b = -cxy / det, c = cxx / det;
  const norm = 1 / (2 * Math.PI * Math.sqrt(det));
  const k = 20;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let s = 0;
      for (let v = 0; v < k; v++) {
        for (let u = 0; u < k; u++) {
          const dx = i - 0.5 + (u + 0.5) / k - x, dy = j - 0.5 + (v + 0.5) / k - y;
          s += Math.exp(-0.5 * (a * dx * dx + 2 * b * dx * dy + c * dy * dy));
        }
      }
      out[j * size + i] = norm * s / (k * k);
    }
  }
  return out;
}

Deno.test("render: elliptical Gaussians are within 1 % of the peak of the exact pixel integral", () => {
  const size = 24;
  // The narrowest case that occurs: sigma 0.85 px (0.8" seeing) plus an elongated host part.
  for (const [cxx, cxy, cyy] of [[0.72, 0, 0.72], [1.5, 0.9, 1.0], [6, -2, 3]]) {
    const img = new Float64Array(size * size);
    addGaussian(img, size, { flux: 1, x: 11.3, y: 12.6, cxx: cxx!, cxy: cxy!, cyy: cyy! });
    const ref = bruteForce(size, 11.3, 12.6, cxx!, cxy!, cyy!);
    let peak = 0, worst = 0;
    for (let i = 0; i < img.length; i++) {
      peak = Math.max(peak, ref[i]!);
      worst = Math.max(worst, Math.abs(img[i]! - ref[i]!));
    }
    assert(
      worst / peak < 0.01,
      `covariance ${[cxx, cxy, cyy]}: error ${(worst / peak).toFixed(4)} of the peak`,
    );
  }
});

Deno.test("render: point sources (erf integration) equal a 400-sample brute-force integral", () => {
  const size = 20;
  const psf = doubleGaussianPsf(0.9);
  const img = new Float64Array(size * size);
  addPointSource(img, size, 9.2, 10.4, 1, psf);
  const ref = new Float64Array(size * size);
  for (const c of psf) {
    const v = (c.sigma / 0.396) ** 2;
    const b = bruteForce(size, 9.2, 10.4, v, 0, v);
    for (let i = 0; i < ref.length; i++) ref[i] = ref[i]! + c.weight * b[i]!;
  }
  // The midpoint rule of the reference itself errs by ~1e-4 of the peak at sigma 0.9 px.
  const peak = Math.max(...ref);
  for (let i = 0; i < img.length; i++) assertAlmostEquals(img[i]!, ref[i]!, 5e-4 * peak);
});

Deno.test("render: hosts interpolated on the seeing grid are within 0.5 % of the peak of a direct render", () => {
  const size = 32;
  const host = { mixture: sersicMixture(4), reArcsec: 0.5, q: 0.5, pa: 1.0, x: 15.7, y: 16.2 };
  for (const seeing of [0.83, 1.37, 2.21]) {
    const direct = new Float64Array(size * size);
    addHost(direct, size, host, 1, doubleGaussianPsf(seeing));
    const g = (seeing - HOST_SEEING_MIN) / HOST_SEEING_STEP, k = Math.floor(g), f = g - k;
    const a = new Float64Array(size * size), b = new Float64Array(size * size);
    addHost(a, size, host, 1, doubleGaussianPsf(HOST_SEEING_MIN + k * HOST_SEEING_STEP));
    addHost(b, size, host, 1, doubleGaussianPsf(HOST_SEEING_MIN + (k + 1) * HOST_SEEING_STEP));
    let peak = 0, worst = 0;
    for (let i = 0; i < direct.length; i++) {
      peak = Math.max(peak, direct[i]!);
      worst = Math.max(worst, Math.abs((1 - f) * a[i]! + f * b[i]! - direct[i]!));
    }
    assert(worst / peak < 0.005, `seeing ${seeing}: ${(worst / peak).toFixed(4)}`);
  }
});

Deno.test("sersic: tabulated mixtures equal fresh fits, have unit flux and r_e = 1", () => {
  for (const n of [1, 2.5, 4]) {
    const table = sersicMixture(n), fresh = fitSersicMixture(n);
    assertEquals(table.length, fresh.length);
    table.forEach((c, k) => {
      assertAlmostEquals(c.amp, fresh[k]!.amp, 1e-9);
      assertAlmostEquals(c.variance, fresh[k]!.variance, 1e-9);
    });
    assertAlmostEquals(table.reduce((s, c) => s + c.amp, 0), 1, 1e-12);
    assertAlmostEquals(mixtureHalfLightRadius(table), 1, 1e-6);
  }
  // The exponential profile is reproduced within 5 % between 0.2 and 3 r_e (relative to I(r)).
  const m = sersicMixture(1);
  const at = (r: number) =>
    m.reduce(
      (s, c) => s + c.amp * Math.exp(-r * r / (2 * c.variance)) / (2 * Math.PI * c.variance),
      0,
    );
  const ratio1 = at(1) / sersicProfile(1, 1);
  for (const r of [0.2, 0.5, 2, 3]) {
    const rel = at(r) / sersicProfile(r, 1) / ratio1;
    assert(Math.abs(rel - 1) < 0.05, `n=1 profile at r=${r}: ${rel}`);
  }
});

Deno.test("nnls: solves a small non-negative problem (Lawson-Hanson)", () => {
  // min |A x - b| with x >= 0: the unconstrained solution has a negative entry.
  const a = Float64Array.from([1, 0, 0, 1, 1, 1]); // 3 x 2
  const b = Float64Array.from([2, -1, 1]);
  const x = nnls(a, 3, 2, b);
  assert(x[0]! >= 0 && x[1]! >= 0);
  assertAlmostEquals(x[0]!, 1.5, 1e-9);
  assertAlmostEquals(x[1]!, 0, 1e-9);
});

Deno.test("gauss stream: standard normal moments and deterministic from the seed", () => {
  const n = 1 << 20;
  const z = new Float64Array(n);
  new GaussStream(new Rng(4)).fill(z);
  let s = 0, s2 = 0, s4 = 0, tail = 0;
  for (const v of z) {
    s += v;
    s2 += v * v;
    s4 += v ** 4;
    if (Math.abs(v) > 3) tail++;
  }
  assertAlmostEquals(s / n, 0, 0.005);
  assertAlmostEquals(s2 / n, 1, 0.005);
  assertAlmostEquals(s4 / n, 3, 0.05);
  assertAlmostEquals(tail / n, 0.0026998, 0.0003);
  const again = new Float64Array(16);
  new GaussStream(new Rng(4)).fill(again);
  assertEquals(Array.from(again), Array.from(z.subarray(0, 16)));
});
