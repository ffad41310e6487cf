/**
 * Physics of the simulator (issue 4, "What it must show" 1): SN Ia peak
 * magnitudes, noise versus the stated depths, the DRW structure function,
 * flux conservation, plus the cosmology and the SN Ia template features.
 */
import { assert, assertAlmostEquals } from "../util/assert.ts";
import { Rng } from "../../lib/util/rng.ts";
import { dampedRandomWalk, drwStructureFunction } from "../../lib/simulate/agn.ts";
import {
  angularDiameterDistance,
  distanceModulus,
  drawVolumeRedshift,
  luminosityDistance,
} from "../../lib/simulate/cosmology.ts";
import { GaussStream } from "../../lib/simulate/gauss_stream.ts";
import { addNoise, frameNoise } from "../../lib/simulate/noise.ts";
import {
  objectParams,
  renderObject,
  resolveObjectOptions,
  surveyPlan,
} from "../../lib/simulate/object.ts";
import { planFrames } from "../../lib/simulate/frames.ts";
import { snFlux } from "../../lib/simulate/sn_params.ts";
import { doubleGaussianPsf, noiseEquivalentArea } from "../../lib/simulate/psf.ts";
import { addHost, addPointSource } from "../../lib/simulate/render.ts";
import {
  bandModel,
  magToNmgy,
  medianSeeing,
  nmgyToMag,
  SDSS_BANDS,
} from "../../lib/simulate/sdss.ts";
import { observedFlux } from "../../lib/simulate/sed.ts";
import { sersicMixture } from "../../lib/simulate/sersic.ts";
import { snIaModel } from "../../lib/simulate/sn_ia.ts";
import { customSnIa } from "./helpers.ts";

Deno.test("cosmology: distances match astropy FlatLambdaCDM(H0=70, Om0=0.3, Tcmb0=0)", () => {
  // astropy 5.2.1 values (distmod, D_L and D_A in Mpc).
  const ref: [number, number, number, number][] = [
    [0.02, 34.696928940024044, 86.9732678219642, 83.59598983272221],
    [0.1, 38.31520457439093, 460.2999363904754, 380.4131705706408],
    [0.3, 40.95546004411441, 1552.7159306297997, 918.7668228578696],
    [0.45, 41.98770424921595, 2497.7033126784777, 1187.9682818922606],
    [1.0, 44.10023765554372, 6607.657611774941, 1651.9144029437352],
    [2.5, 46.54776721283213, 20396.396341769723, 1665.011946266916],
  ];
  for (const [z, mu, dl, da] of ref) {
    assertAlmostEquals(distanceModulus(z), mu, 1e-4, `mu(${z})`);
    assertAlmostEquals(luminosityDistance(z) / dl, 1, 1e-5, `D_L(${z})`);
    assertAlmostEquals(angularDiameterDistance(z) / da, 1, 1e-5, `D_A(${z})`);
  }
});

Deno.test("cosmology: volume-weighted redshifts pile up at high z (dV/dz grows)", () => {
  const rng = new Rng(3);
  const z = Array.from({ length: 20000 }, () => drawVolumeRedshift(rng, 0.02, 0.45));
  assert(z.every((x) => x >= 0.02 && x <= 0.45));
  const below = z.filter((x) => x < 0.235).length / z.length;
  // Fraction of dV/dz/(1+z) below the middle of the range: 0.1899 (numerical integral).
  assertAlmostEquals(below, 0.1899, 0.01, "fraction below z = 0.235");
});

Deno.test("SN Ia: a noiseless SN Ia peaks at the model magnitude within 0.05 mag in every band", () => {
  for (const z of [0.05, 0.15, 0.3]) {
    const p = customSnIa(z, { x1: 0.5, c: -0.05, mB: -19.35 });
    const o = resolveObjectOptions({ objects: 1, noiseless: true });
    const obj = renderObject(p, { label: "SNIa", confirmed: true }, o);
    for (const b of SDSS_BANDS) {
      // Model: the brightest flux of the light-curve model on a 0.05-day grid.
      let model = 0;
      for (let t = p.tExplosion!; t < p.tExplosion! + 120; t += 0.05) {
        model = Math.max(model, snFlux(p, b, t));
      }
      // Measured: the largest stamp sum among the daily frames of band b.
      let measured = 0;
      for (const f of obj.frames) {
        if (f.band !== b) continue;
        let s = 0;
        for (const v of f.pixels) s += v;
        measured = Math.max(measured, s);
      }
      const dm = nmgyToMag(measured) - nmgyToMag(model);
      assert(Math.abs(dm) < 0.05, `z=${z} ${b}: measured peak differs by ${dm.toFixed(3)} mag`);
    }
  }
});

Deno.test("SN Ia: the observed peak follows M_B + mu - 2.5 log10(1+z) where a band sees rest B", () => {
  // g sees rest-frame B at z = 4686/4400 - 1; r at 6166/4400 - 1 (K-correction near 0).
  const model = snIaModel({ x1: 0, c: 0, mB: -19.3 });
  for (const [b, z] of [["g", 4686 / 4400 - 1], ["r", 6166 / 4400 - 1]] as const) {
    const mu = distanceModulus(z);
    let best = 0;
    for (let p = -10; p < 20; p += 0.05) best = Math.max(best, observedFlux(model(p), b, z, mu, 0));
    const expected = -19.3 + mu - 2.5 * Math.log10(1 + z);
    assertAlmostEquals(nmgyToMag(best), expected, 0.05, `${b} at z=${z.toFixed(3)}`);
  }
});

Deno.test("SN Ia: rest-frame template has Delta m15(B) ~ 1, V peaking after B, a second maximum in I", () => {
  const model = snIaModel({ x1: 0, c: 0, mB: -19.3 });
  const restMag = (p: number, lambda: number) => {
    const s = model(p);
    let f = 0, w = 0;
    for (let k = 0; k < 7; k++) {
      const l = lambda * (0.9 + 0.2 * (k + 0.5) / 7);
      f += s(l) / l;
      w += 1 / l;
    }
    return 22.5 - 2.5 * Math.log10(f / w);
  };
  const peak = (lambda: number) => {
    let best = Infinity, at = 0;
    for (let p = -15; p <= 15; p += 0.25) {
      const m = restMag(p, lambda);
      if (m < best) [best, at] = [m, p];
    }
    return { best, at };
  };
  const b = peak(4400), v = peak(5500), i = peak(8000);
  const dm15 = restMag(b.at + 15, 4400) - b.best;
  assert(dm15 > 0.8 && dm15 < 1.3, `Delta m15(B) = ${dm15}`);
  assert(v.at > b.at, `V peaks at ${v.at}, B at ${b.at}`);
  assert(i.at < b.at, `I peaks at ${i.at} before B`);
  // Second maximum in I: a local minimum in magnitude between +20 and +35 days.
  const mid = restMag(12, 8000),
    second = Math.min(...[22, 24, 26, 28, 30].map((p) => restMag(p, 8000)));
  assert(second < mid, `I second maximum ${second} not brighter than the dip ${mid}`);
});

Deno.test("noise: empty stamps have the per-band noise of the stated 5-sigma depths (within 10 %)", () => {
  const size = 32, n = 60;
  const gauss = new GaussStream(new Rng(9));
  for (const b of SDSS_BANDS) {
    const m = bandModel(b);
    const noise = frameNoise(b, m.sky, 1);
    let s2 = 0, k = 0;
    for (let f = 0; f < n; f++) {
      const img = new Float64Array(size * size);
      addNoise(img, noise, gauss);
      for (const v of img) {
        s2 += v * v;
        k++;
      }
    }
    const sigma = Math.sqrt(s2 / k);
    // Limiting flux from the measured pixel noise: F = 5 sqrt(NEA sigma^2 + F / g) (PSF photometry).
    const nea = noiseEquivalentArea(doubleGaussianPsf(medianSeeing(b)));
    const g = noise.gain;
    const a = 1 / 25, bb = -1 / g, c = -nea * sigma * sigma; // F^2/25 - F/g - NEA sigma^2 = 0
    const f5 = (-bb + Math.sqrt(bb * bb - 4 * a * c)) / (2 * a);
    const stated = magToNmgy(m.depth);
    assert(Math.abs(f5 / stated - 1) < 0.1, `${b}: 5-sigma flux ${f5} vs stated ${stated}`);
    // And the SKYSIG the files carry is the measured noise.
    assert(
      Math.abs(sigma / noise.skySigma - 1) < 0.02,
      `${b}: sigma ${sigma} vs ${noise.skySigma}`,
    );
  }
});

Deno.test("AGN: the structure function of a long DRW series matches tau and SF_inf", () => {
  const tau = 200, sf = 0.2;
  const times = Array.from({ length: 400000 }, (_, i) => i * 0.5);
  const x = dampedRandomWalk(times, tau, sf, new Rng(21));
  for (const lagDays of [5, 50, 200, 600]) {
    const lag = lagDays * 2;
    let s = 0, n = 0;
    for (let i = 0; i + lag < x.length; i += 7) {
      const d = x[i + lag]! - x[i]!;
      s += d * d;
      n++;
    }
    const measured = Math.sqrt(s / n);
    const expected = drwStructureFunction(lagDays, tau, sf);
    assert(
      Math.abs(measured / expected - 1) < 0.08,
      `SF(${lagDays} d) = ${measured.toFixed(4)}, expected ${expected.toFixed(4)}`,
    );
  }
});

Deno.test("rendering conserves flux: noiseless stamp sums equal the model flux within 1 %", () => {
  const size = 32;
  for (const seeing of [0.8, 1.4, 2.2]) {
    const psf = doubleGaussianPsf(seeing);
    const img = new Float64Array(size * size);
    addPointSource(img, size, 16.3, 15.7, 123.4, psf);
    let s = 0;
    for (const v of img) s += v;
    assertAlmostEquals(s / 123.4, 1, 0.01, `point source, seeing ${seeing}"`);
    // A compact host (r_e = 0.5", n = 1 and n = 4) on the stamp centre.
    for (const n of [1, 4]) {
      const h = new Float64Array(size * size);
      addHost(
        h,
        size,
        { mixture: sersicMixture(n), reArcsec: 0.5, q: 0.7, pa: 0.4, x: 16, y: 16 },
        50,
        psf,
      );
      let sh = 0;
      for (const v of h) sh += v;
      assertAlmostEquals(sh / 50, 1, 0.01, `host n=${n}, seeing ${seeing}"`);
    }
  }
});

Deno.test("AGN: the simulated nucleus varies more in g than in r (bluer when brighter)", () => {
  const n = 120;
  const plan = surveyPlan(7, n, 0.08);
  let checked = 0;
  for (let i = 0; i < n; i++) {
    if (plan.trueClass[i] !== "AGN") continue;
    const p = objectParams(7, n, 0.08, i, "AGN");
    const frames = planFrames(7, p, ["g", "r"]);
    // Visits with both bands (2 % of frames are missing, which would compare other samples).
    const both = new Set(
      frames.filter((f) => f.band === "g").map((f) => f.epoch).filter((e) =>
        frames.some((f) => f.band === "r" && f.epoch === e)
      ),
    );
    const mags = (b: string) =>
      frames.filter((f) => f.band === b && both.has(f.epoch)).map((f) => nmgyToMag(f.pointFlux));
    const sd = (x: number[]) => {
      const m = x.reduce((a, b) => a + b, 0) / x.length;
      return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length);
    };
    const g = mags("g"), r = mags("r");
    if (g.length < 10 || r.length < 10) continue;
    // Same driving process scaled by (lambda_g / lambda_r)^-0.479 in the rest frame.
    assertAlmostEquals(sd(g) / sd(r), Math.pow(4686 / 6166, -0.479), 0.05, p.subtype);
    checked++;
  }
  assert(checked >= 3, `only ${checked} AGN checked`);
});
