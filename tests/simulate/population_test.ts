/**
 * Populations and nuisances (issue 17, items 2 and 3): rates, shapes and
 * fluxes against the numbers the modules state (and cite).
 */
import { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";
import { Rng } from "../../lib/util/rng.ts";
import { bandMjd } from "../../lib/simulate/cadence.ts";
import { eruptiveOffset, FLARE_PROBABILITY, hash01 } from "../../lib/simulate/eruptive.ts";
import {
  applyArtefacts,
  COSMIC_RAYS_PER_FRAME,
  drawFrameNuisance,
  drawNeighbours,
  JITTER_ARCSEC,
  MASKED_PIXEL_RATE,
  NEIGHBOURS_PER_STAMP,
  saturationLevel,
} from "../../lib/simulate/nuisance.ts";
import { drawObjectParams } from "../../lib/simulate/params.ts";
import { doubleGaussianPsf } from "../../lib/simulate/psf.ts";
import { addPointSource } from "../../lib/simulate/render.ts";
import { magToNmgy, medianSeeing, PIXEL_SCALE } from "../../lib/simulate/sdss.ts";
import { CC_HOST_AV_MEAN, CC_MIX, CC_PEAK_MB, drawCcParams } from "../../lib/simulate/sn_cc.ts";
import { SN_HOSTLESS_FRACTION } from "../../lib/simulate/sn_params.ts";
import { drawSnIaSubclassParams, SNIA_SUBCLASS_MIX } from "../../lib/simulate/sn_ia.ts";
import { drawVariableParams } from "../../lib/simulate/variable_star.ts";

/** |observed fraction - p| within 4 binomial sigmas of n draws. */
function assertRate(k: number, n: number, p: number, what: string) {
  const sd = Math.sqrt(p * (1 - p) / n);
  assert(Math.abs(k / n - p) < 4 * sd + 1e-9, `${what}: ${k}/${n} = ${(k / n).toFixed(4)} vs ${p}`);
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const sd = (x: number[]) => Math.sqrt(mean(x.map((v) => (v - mean(x)) ** 2)));

Deno.test("population: SN sub-types in the stated fractions (Li et al. 2011; Smith et al. 2011)", () => {
  const ia: Record<string, number> = {}, cc: Record<string, number> = {};
  let hostless = 0;
  const n = 500;
  for (let i = 0; i < n; i++) {
    const a = drawObjectParams(21, i, "SNIa"), b = drawObjectParams(21, n + i, "SNOther");
    ia[a.subtype] = (ia[a.subtype] ?? 0) + 1;
    cc[b.subtype] = (cc[b.subtype] ?? 0) + 1;
    if (!a.host) hostless++;
    if (!b.host) hostless++;
    assertEquals(!a.host, !Number.isFinite(a.hostMagR));
  }
  for (const m of SNIA_SUBCLASS_MIX) assertRate(ia[m.subclass] ?? 0, n, m.fraction, m.subclass);
  for (const m of CC_MIX) assertRate(cc[m.subtype] ?? 0, n, m.fraction, m.subtype);
  assertRate(hostless, 2 * n, SN_HOSTLESS_FRACTION, "hostless SNe");
});

Deno.test("population: peculiar SNe Ia and core-collapse luminosity functions with their spreads", () => {
  const rng = new Rng(5);
  const bg = Array.from({ length: 2000 }, () => drawSnIaSubclassParams(rng, "Ia-91bg"));
  assertAlmostEquals(mean(bg.map((p) => p.mB)), -17.6, 0.03);
  assert(mean(bg.map((p) => p.x1)) < -2 && mean(bg.map((p) => p.c)) > 0.35, "91bg fast and red");
  const t = Array.from({ length: 2000 }, () => drawSnIaSubclassParams(rng, "Ia-91T"));
  assert(mean(t.map((p) => p.mB)) < -19.5 && mean(t.map((p) => p.x1)) > 0.8, "91T bright, slow");
  const iax = Array.from({ length: 2000 }, () => drawSnIaSubclassParams(rng, "Iax"));
  assert(Math.min(...iax.map((p) => p.mB)) >= -18.5 && Math.max(...iax.map((p) => p.mB)) <= -14.5);
  // Richardson et al. 2014 means and dispersions, truncated at 2 sigma (sd 0.880 sigma).
  for (const m of CC_MIX) {
    const draws = Array.from({ length: 3000 }, () => drawCcParams(rng, m.subtype));
    const [mu, sigma] = CC_PEAK_MB[m.subtype];
    assertAlmostEquals(mean(draws.map((d) => d.mB)), mu, 0.06, m.subtype);
    assertAlmostEquals(sd(draws.map((d) => d.mB)) / sigma, 0.88, 0.04, m.subtype);
    assertAlmostEquals(mean(draws.map((d) => d.av)), CC_HOST_AV_MEAN, 0.025, `${m.subtype} A_V`);
  }
});

Deno.test("population: most AGN are hostless quasars; hosts only below z = 0.5", () => {
  let hostless = 0;
  const n = 400;
  for (let i = 0; i < n; i++) {
    const p = drawObjectParams(22, i, "AGN");
    if (!p.host) hostless++;
    assertEquals(p.host === null, p.z! >= 0.5, `z ${p.z}`);
  }
  // P(z >= 0.5) of z exp(-z / 0.5) on 0.05-2.5: 0.728.
  assertRate(hostless, n, 0.728, "hostless AGN");
});

Deno.test("population: dwarf novae outburst blue and bright; M dwarfs flare on 3 % of nights", () => {
  const rng = new Rng(9);
  for (let k = 0; k < 20; k++) {
    const cv = drawVariableParams(rng, "CV");
    const e = cv.eruptive!;
    const days = Array.from({ length: 2000 }, (_, d) => 50000 + d);
    const g = days.map((d) => eruptiveOffset(e, "g", d, d));
    assertAlmostEquals(Math.min(...g), -e.amplitude, 1e-9, "outburst amplitude in g");
    // Outburst starts: rises from quiescence, one per recurrence time (+-1).
    let starts = 0;
    for (let d = 1; d < g.length; d++) if (g[d - 1] === 0 && g[d]! < 0) starts++;
    assert(Math.abs(starts - 2000 / e.recurrence) <= 2, `${starts} outbursts, T ${e.recurrence}`);
    assert(cv.meanMag.u! - cv.meanMag.g! <= 0.4, "quiescent u-g blue");
  }
  let flares = 0, nights = 0;
  for (let k = 0; k < 40; k++) {
    const star = drawVariableParams(rng, "flare");
    for (let night = 53600; night < 54100; night++) {
      nights++;
      const t = night + 0.3;
      const u = eruptiveOffset(star.eruptive!, "u", bandMjd(t, "u"), t);
      const g = eruptiveOffset(star.eruptive!, "g", bandMjd(t, "g"), t);
      if (u < 0) {
        flares++;
        // The flare fades from the u to the g exposure (g is 143 s later) and is weaker in g.
        assert(g > 0.45 * u - 1e-12, `g ${g} vs u ${u}`);
        assert(u >= -3, `u amplitude ${u}`);
      }
    }
  }
  assertRate(flares, nights, FLARE_PROBABILITY, "flare nights");
  assert(hash01(1, 2) !== hash01(2, 1) && hash01(1, 2) >= 0 && hash01(1, 2) < 1);
});

Deno.test("nuisance: jitter, cosmic rays, masked pixels and neighbours at the stated rates", () => {
  const rng = new Rng(3);
  const n = 20000;
  const dx: number[] = [];
  let hits = 0, masked = 0, neighbours = 0;
  for (let k = 0; k < n; k++) {
    const f = drawFrameNuisance(rng, 32);
    dx.push(f.dx);
    if (f.cosmic.length) hits++;
    if (f.masked.length && f.masked.length <= 4) masked++;
    neighbours += drawNeighbours(rng, 32).length;
  }
  assertAlmostEquals(sd(dx) * PIXEL_SCALE / JITTER_ARCSEC, 1, 0.03);
  assertRate(hits, n, 1 - Math.exp(-COSMIC_RAYS_PER_FRAME), "frames with a cosmic ray");
  assert(masked > 0.8 * MASKED_PIXEL_RATE * n, `${masked} frames with masked pixels`);
  assertAlmostEquals(neighbours / n, NEIGHBOURS_PER_STAMP, 0.02);
});

Deno.test("nuisance: saturation clips bright stars, masked pixels are NaN, cosmic rays add flux", () => {
  for (const b of ["g", "r"]) {
    const level = saturationLevel(b);
    const img = new Float64Array(32 * 32);
    addPointSource(img, 32, 16, 16, magToNmgy(12), doubleGaussianPsf(medianSeeing(b)));
    const faint = img.map((v) => v * magToNmgy(20) / magToNmgy(12));
    const nuis = { dx: 0, dy: 0, ellipticity: 0, cosmic: [{ index: 3, sigmas: 50 }], masked: [7] };
    const saturated = applyArtefacts(img, nuis, b, 0.04);
    assert(saturated > 0 && Math.max(...img.filter((v) => !Number.isNaN(v))) === level);
    assertEquals(applyArtefacts(faint, { ...nuis, cosmic: [] }, b, 0.04), 0);
    assert(Number.isNaN(img[7]!) && Math.abs(img[3]! - 50 * 0.04) < 1e-6, "masked, cosmic");
  }
});

Deno.test("nuisance: an elongated PSF keeps the flux and widens x against y", () => {
  const img = new Float64Array(32 * 32);
  addPointSource(img, 32, 16, 16, 100, doubleGaussianPsf(1.4), 0.1);
  let sum = 0, xx = 0, yy = 0;
  img.forEach((v, i) => {
    const x = i % 32 - 16, y = Math.floor(i / 32) - 16;
    sum += v;
    xx += v * x * x;
    yy += v * y * y;
  });
  assertAlmostEquals(sum, 100, 0.5);
  // sigma_x / sigma_y = 1.1 / 0.9 for the core (the pixel variance 1/12 dilutes it slightly).
  assertAlmostEquals(Math.sqrt(xx / yy), 1.1 / 0.9, 0.06);
});
