import { assert, assertAlmostEquals } from "../util/assert.ts";
import { forcedPhotometry } from "../../lib/baselines/photometry.ts";
import { pixelPsf, SDSS_DOUBLE_GAUSSIAN } from "../../lib/baselines/psf.ts";
import { Rng } from "../../lib/util/rng.ts";
import type { Frame } from "../../lib/survey/series.ts";

function stats(xs: number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return { mean: m, sd: Math.sqrt(v) };
}

Deno.test("pixelPsf sums to the enclosed fraction", () => {
  const p = pixelPsf(64, 64, 31.5, 31.5, 3, SDSS_DOUBLE_GAUSSIAN);
  assertAlmostEquals(p.reduce((a, b) => a + b, 0), 1, 1e-5);
});

Deno.test("forced photometry on synthetic stamps: unbiased, pulls of unit scatter", () => {
  const rng = new Rng(7);
  for (const method of ["psf", "aperture"] as const) {
    const ratios: number[] = [], pulls: number[] = [];
    for (let k = 0; k < 400; k++) {
      const seeing = rng.uniform(1.0, 2.0), sky = rng.uniform(0.5, 2), bg = rng.uniform(-1, 5);
      const flux = rng.uniform(20, 200);
      const p = pixelPsf(32, 32, 15.5, 15.5, seeing / 0.396, SDSS_DOUBLE_GAUSSIAN);
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
      ratios.push(m.flux / flux);
      pulls.push((m.flux - flux) / m.fluxErr);
    }
    const r = stats(ratios), q = stats(pulls);
    console.log(method, r, q);
    assert(Math.abs(r.mean - 1) < 0.02, `${method} bias ${r.mean}`);
    assert(q.sd > 0.9 && q.sd < 1.1, `${method} pull sd ${q.sd}`);
  }
});
