import { assert } from "../util/assert.ts";
import {
  BAND_WAVELENGTHS,
  fitGp2d,
  gpHeatmap,
  gpLogMarginalLikelihood,
} from "../../lib/baselines/gp_heatmap.ts";
import type { LightCurvePoint } from "../../lib/baselines/photometry.ts";

/** A noiseless analytic SN-like light curve: Bazin rise/decline, colour depending on band. */
function truth(t: number, lam: number): number {
  const t0 = 53650, rise = 5, fall = 25 + (lam - 3500) / 400;
  const amp = 100 * Math.exp(-(((lam - 6000) / 4000) ** 2));
  return amp * Math.exp(-(t - t0) / fall) / (1 + Math.exp(-(t - t0) / rise)) + 5;
}

Deno.test("2D GP on a noiseless analytic light curve: within 5 % at observed points, error grows away", () => {
  const points: LightCurvePoint[] = [];
  for (let k = 0; k < 24; k++) {
    const t = 53610 + 4 * k + (k % 3) * 0.7;
    for (const band of ["u", "g", "r", "i", "z"]) {
      points.push({ mjd: t, band, flux: truth(t, BAND_WAVELENGTHS[band]!), fluxErr: 0 });
    }
  }
  const t0 = performance.now();
  const fit = fitGp2d(points);
  console.log(
    fit.amplitude,
    fit.timeScale,
    fit.wavelengthScale,
    fit.iterations,
    performance.now() - t0,
    "ms",
  );
  const obs = fit.predict(points.map((p) => p.mjd), points.map((p) => BAND_WAVELENGTHS[p.band]!));
  let peak = 0;
  for (const p of points) peak = Math.max(peak, p.flux);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const err = Math.abs(obs.mean[i]! - p.flux);
    assert(
      err <= 0.05 * Math.abs(p.flux),
      `point ${i} t=${p.mjd} ${p.band}: ${obs.mean[i]} vs ${p.flux}`,
    );
  }
  // Error grows with distance from the data (in time, g band), at and beyond the ends.
  const g = BAND_WAVELENGTHS.g!;
  const ts = [points[0]!.mjd, 53700, 53720, 53760, 53900];
  const away = fit.predict(ts, ts.map(() => g));
  for (let i = 1; i < ts.length; i++) {
    assert(away.std[i]! > away.std[i - 1]!, `std not growing: ${Array.from(away.std)}`);
  }
  assert(away.std[0]! < 0.01 * peak, `std at a data point ${away.std[0]}`);
});

Deno.test("GP heatmap: shape, normalisation, finite", () => {
  const points: LightCurvePoint[] = [];
  for (let k = 0; k < 15; k++) {
    for (const band of ["g", "r", "i"]) {
      const t = 53610 + 5 * k;
      points.push({ mjd: t, band, flux: truth(t, BAND_WAVELENGTHS[band]!), fluxErr: 1 });
    }
  }
  const map = gpHeatmap(points, { wavelengthBins: 32, dayBins: 180 });
  assert(map.mean.length === 32 * 180 && map.std.length === 32 * 180);
  let mx = 0;
  for (const v of map.mean) mx = Math.max(mx, Math.abs(v));
  assert(Math.abs(mx - 1) < 1e-6, `max |mean| ${mx}`);
  assert(map.std.every((v) => Number.isFinite(v) && v >= 0));
});

Deno.test("GP marginal-likelihood gradient matches finite differences (both kernels)", () => {
  const points: LightCurvePoint[] = [];
  for (let k = 0; k < 12; k++) {
    for (const band of ["g", "r", "i"]) {
      const t = 53610 + 6 * k;
      points.push({ mjd: t, band, flux: truth(t, BAND_WAVELENGTHS[band]!), fluxErr: 3 });
    }
  }
  const at = { amplitude: 0.7, timeScale: 30, wavelengthScale: 5000 };
  for (const kernel of ["matern32", "sqexp"] as const) {
    const g = gpLogMarginalLikelihood(points, at, { kernel }).gradient;
    const keys = ["amplitude", "timeScale", "wavelengthScale"] as const;
    keys.forEach((key, i) => {
      const h = 1e-5;
      const up = gpLogMarginalLikelihood(points, { ...at, [key]: at[key] * Math.exp(h) }, {
        kernel,
      });
      const dn = gpLogMarginalLikelihood(points, { ...at, [key]: at[key] * Math.exp(-h) }, {
        kernel,
      });
      const fd = (up.value - dn.value) / (2 * h);
      assert(
        Math.abs(fd - g[i]!) <= 1e-5 * Math.max(1, Math.abs(fd)),
        `${kernel} ${key}: ${g[i]} vs ${fd}`,
      );
    });
  }
});

Deno.test("GP fit with the wavelength scale free reaches a likelihood at least as high", () => {
  const points: LightCurvePoint[] = [];
  for (let k = 0; k < 15; k++) {
    for (const band of ["g", "r", "i", "z"]) {
      const t = 53610 + 5 * k;
      points.push({ mjd: t, band, flux: truth(t, BAND_WAVELENGTHS[band]!), fluxErr: 2 });
    }
  }
  const fixed = fitGp2d(points);
  const free = fitGp2d(points, { fitWavelengthScale: true });
  assert(Math.abs(fixed.wavelengthScale - 6000) < 1e-6);
  assert(
    free.logLikelihood >= fixed.logLikelihood - 1e-6,
    `${free.logLikelihood} < ${fixed.logLikelihood}`,
  );
});
