import { assert, assertAlmostEquals } from "../util/assert.ts";
import { forcedPhotometry, lightCurveFromSeries } from "../../lib/baselines/photometry.ts";
import { pixelPsf, SDSS_DOUBLE_GAUSSIAN } from "../../lib/baselines/psf.ts";
import { saturationLevel } from "../../lib/simulate/nuisance.ts";
import { type SimulatedObject, simulateObject } from "../../lib/simulate/object.ts";
import { Rng } from "../../lib/util/rng.ts";
import type { Frame, ObjectSeries } from "../../lib/survey/series.ts";

function stats(xs: readonly number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return { mean: m, sd: Math.sqrt(v) };
}

/** The object as a reader would give it: pixels plus the FITS header keys the simulator writes. */
function asSeries(o: SimulatedObject): ObjectSeries {
  return {
    id: o.id,
    label: o.label,
    confirmed: o.confirmed,
    frames: o.frames.map((f): Frame => ({
      mjd: f.mjd,
      band: f.band,
      width: o.size,
      height: o.size,
      pixels: f.pixels,
      meta: { SEEING: f.seeing, MAGZP: 22.5, SKYMAG: f.skyMag, GAIN: f.gain, PIXSCALE: 0.396 },
    })),
  };
}

/** Whether the science stamp of a frame has a pixel at the saturation level. */
function isSaturated(f: SimulatedObject["frames"][number], level: number): boolean {
  for (const v of f.pixels) if (v >= level * (1 - 1e-6)) return true;
  return false;
}

/** Robust standard deviation (1.4826 x the median absolute deviation from the median). */
function robustSd(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const med = s[s.length >> 1]!;
  const dev = s.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  return 1.4826 * dev[dev.length >> 1]!;
}

/** Bias (sum of errors over sum of truths, truth S/N > minSnr) and pulls over all frames. */
function compare(
  objects: SimulatedObject[],
  truth: (o: SimulatedObject, f: SimulatedObject["frames"][number]) => number,
  minSnr: number,
): {
  bias: number;
  pullSd: number;
  pullRobustSd: number;
  pullMean: number;
  n: number;
  nBright: number;
} {
  let sumD = 0, sumT = 0, nBright = 0;
  const pulls: number[] = [];
  for (const o of objects) {
    const lc = lightCurveFromSeries(asSeries(o));
    const byKey = new Map(o.frames.map((f) => [`${f.band}:${f.mjd}`, f]));
    for (const p of lc.points) {
      const f = byKey.get(`${p.band}:${p.mjd}`)!;
      // Saturated stars (clipped at the band's level, lib/simulate/nuisance.ts) cannot be
      // measured: a real pipeline flags them; they are left out here.
      if (isSaturated(f, saturationLevel(f.band))) continue;
      const t = truth(o, f);
      pulls.push((p.flux - t) / p.fluxErr);
      if (Math.abs(t) / p.fluxErr > minSnr) {
        sumD += p.flux - t;
        sumT += t;
        nBright++;
      }
    }
  }
  const s = stats(pulls);
  return {
    bias: sumD / sumT,
    pullSd: s.sd,
    pullRobustSd: robustSd(pulls),
    pullMean: s.mean,
    n: pulls.length,
    nBright,
  };
}

Deno.test("pixelPsf sums to the enclosed fraction", () => {
  const p = pixelPsf(64, 64, 31.5, 31.5, 3, SDSS_DOUBLE_GAUSSIAN);
  assertAlmostEquals(p.reduce((a, b) => a + b, 0), 1, 1e-5);
});

Deno.test("forced photometry on synthetic stamps (psf and aperture): unbiased, unit pulls", () => {
  const rng = new Rng(7);
  for (const method of ["psf", "aperture"] as const) {
    let sumD = 0, sumT = 0;
    const pulls: number[] = [];
    for (let k = 0; k < 300; k++) {
      const seeing = rng.uniform(1.0, 2.0), sky = rng.uniform(0.5, 2), bg = rng.uniform(-1, 5);
      const flux = rng.uniform(20, 400);
      const p = pixelPsf(32, 32, 16, 16, seeing / 0.396, SDSS_DOUBLE_GAUSSIAN);
      const pixels = new Float32Array(32 * 32);
      for (let i = 0; i < pixels.length; i++) pixels[i] = bg + flux * p[i]! + rng.normal(0, sky);
      const frame: Frame = {
        mjd: k,
        band: "g",
        width: 32,
        height: 32,
        pixels,
        meta: { SEEING: seeing },
      };
      const m = forcedPhotometry(frame, { method });
      assert(m.ok);
      sumD += m.flux - flux;
      sumT += flux;
      pulls.push((m.flux - flux) / m.fluxErr);
    }
    const q = stats(pulls);
    assert(Math.abs(sumD / sumT) < 0.01, `${method} bias ${sumD / sumT}`);
    assert(q.sd > 0.9 && q.sd < 1.1, `${method} pull sd ${q.sd}`);
  }
});

Deno.test("photometry of simulated stamps vs the simulator's true fluxes", () => {
  const opts = { objects: 160, seed: 5 };
  const science: SimulatedObject[] = [], difference: SimulatedObject[] = [];
  for (let i = 0; i < opts.objects && (science.length < 12 || difference.length < 40); i++) {
    const o = simulateObject(i, opts);
    // Science stamps of host-less point sources: the PSF flux is the point source's flux.
    if (o.trueClass === "Variable" && science.length < 12) science.push(o);
    // Supernovae on template-subtracted stamps: the host is removed.
    if ((o.trueClass === "SNIa" || o.trueClass === "SNOther") && difference.length < 40) {
      difference.push(simulateObject(i, { ...opts, difference: true }));
    }
  }
  const sci = compare(science, (_o, f) => f.pointFlux, 20);
  console.log("science stamps, variable stars:", sci);
  assert(sci.nBright > 200, `too few bright frames: ${sci.nBright}`);
  assert(Math.abs(sci.bias) < 0.02, `bias ${sci.bias}`);
  // Cosmic rays, flares within a visit and blends with neighbours (simulator 2.0) are not in the
  // error model: they add outliers (plain pull sd 2.6 here) and widen the bulk (robust sd 1.18 on
  // these 12 stars, seed 5), so the robust width is bounded by 1.3 (it was 1.1 without them).
  assert(sci.pullRobustSd >= 0.9 && sci.pullRobustSd <= 1.3, `pull sd ${sci.pullRobustSd}`);
  // On difference stamps the photon noise of the subtracted host is not in the stamp's border,
  // so only the bias is tested there.
  const diff = compare(difference, (_o, f) => f.pointFlux, 10);
  console.log("difference stamps, supernovae:", diff);
  assert(diff.nBright > 40, `too few bright frames: ${diff.nBright}`);
  // With the subtraction residuals of simulator 2.0: -0.8 % on these 40 SNe (seed 5).
  assert(Math.abs(diff.bias) < 0.02, `bias ${diff.bias}`);
});
