/**
 * Difference imaging (issue 17, item 1): per object a deep template per band
 * and per frame a difference stamp with the residuals of real subtractions;
 * template + difference = science within the noise; the files and the
 * ingest hook that selects them.
 */
import { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";
import { readFitsFile } from "../../lib/fits/read.ts";
import { differenceImage, makeTemplates, type Scene } from "../../lib/simulate/difference.ts";
import { HostGrid } from "../../lib/simulate/host_grid.ts";
import { simulateObject } from "../../lib/simulate/object.ts";
import { sersicMixture } from "../../lib/simulate/sersic.ts";
import { simulateSurvey } from "../../lib/simulate/survey.ts";
import { simulatedSource } from "../../lib/survey/simulated.ts";

function brightHostScene(size = 32): Scene {
  const host = { mixture: sersicMixture(2), reArcsec: 1.2, q: 0.7, pa: 0.3, x: 17, y: 15.5 };
  return {
    size,
    cx: 16.2,
    cy: 15.8,
    host: new HostGrid(host, size),
    hostFlux: { r: 400 },
    templateFlux: () => 0,
    neighbours: [],
  };
}

const NO_ERRORS = { psf: 0, dx: 0, dy: 0, scale: 0 };

Deno.test("difference: with exact PSF matching, template + difference = science (noiseless)", () => {
  const s = brightHostScene();
  const { templates } = makeTemplates(s, ["r"], null);
  const t = templates[0]!;
  const science = new Float64Array(32 * 32);
  s.host!.add(science, t.seeing, 400);
  science[16 * 32 + 16] = science[16 * 32 + 16]! + 50; // a "SN" pixel
  const diff = differenceImage(s, science, "r", t.seeing, NO_ERRORS, undefined);
  for (let i = 0; i < diff.length; i++) {
    assertAlmostEquals(t.pixels[i]! + diff[i]!, science[i]!, 1e-3 + 1e-5 * Math.abs(science[i]!));
  }
  assertAlmostEquals(diff[16 * 32 + 16]!, 50, 1e-3);
});

Deno.test("difference: misregistration leaves a dipole, a PSF mismatch a ring, both with zero net flux", () => {
  const s = brightHostScene();
  const science = new Float64Array(32 * 32);
  s.host!.add(science, 1.4, 400);
  const peak = Math.max(...science);
  for (const e of [{ ...NO_ERRORS, dx: 0.25 }, { ...NO_ERRORS, psf: 0.05 }]) {
    const d = differenceImage(s, science, "r", 1.4, e, undefined);
    let sum = 0, pos = 0, neg = 0;
    for (const v of d) {
      sum += v;
      if (v > 0) pos += v;
      else neg -= v;
    }
    const hi = Math.max(...d), lo = Math.min(...d);
    const what = JSON.stringify(e);
    console.log(`${what}: lobes ${lo.toFixed(3)}..${hi.toFixed(3)} (host peak ${peak.toFixed(2)})`);
    assert(Math.abs(sum) < 0.01 * 400, `net flux ${sum} (${what})`);
    // Positive and negative parts, each over 0.5 % of the host's flux; the peak over 1 % of
    // the host's peak (a template too sharp in the centre or shifted).
    assert(pos > 0.005 * 400 && neg > 0.005 * 400, `lobes +${pos} -${neg} (${what})`);
    assert(Math.max(hi, -lo) > 0.01 * peak, `extremes ${lo}..${hi}, host peak ${peak}`);
  }
  // A template-scale error leaves a positive or negative copy of the host.
  const d = differenceImage(s, science, "r", 1.4, { ...NO_ERRORS, scale: 0.01 }, undefined);
  assertAlmostEquals(d.reduce((a, b) => a + b, 0), -0.01 * 400 * 0.99, 0.2);
});

Deno.test("difference: simulated objects, template + difference = science within the noise", () => {
  const rms: number[] = [], chi: number[] = [];
  for (let i = 0; i < 60; i++) {
    const o = simulateObject(i, { objects: 200, seed: 3 });
    assertEquals(o.templates.map((t) => t.band), ["u", "g", "r", "i", "z"]);
    for (const f of o.frames) {
      const t = o.templates.find((x) => x.band === f.band)!;
      assertAlmostEquals(f.differenceSigma!, Math.hypot(f.skySigma, t.skySigma), 1e-9);
      if (Math.abs(f.seeing - t.seeing) < 0.05) {
        let s2 = 0, n = 0;
        for (let k = 0; k < f.pixels.length; k++) {
          const r = t.pixels[k]! + f.difference![k]! - f.pixels[k]!;
          if (Number.isNaN(f.pixels[k]!)) assert(Number.isNaN(f.difference![k]!), "masked");
          else {
            s2 += r * r;
            n++;
          }
        }
        rms.push(Math.sqrt(s2 / n) / f.skySigma);
      }
      // Before a SN explodes its difference stamps are noise (and residuals) only.
      if (o.params.tExplosion !== undefined && f.mjd < o.params.tExplosion) {
        let s2 = 0, n = 0;
        for (const v of f.difference!) {
          if (Number.isNaN(v)) continue;
          s2 += v * v;
          n++;
        }
        chi.push(s2 / n / f.differenceSigma! ** 2);
      }
    }
  }
  rms.sort((a, b) => a - b);
  chi.sort((a, b) => a - b);
  const q = (a: number[], p: number) => a[Math.floor(p * (a.length - 1))]!;
  console.log(
    `difference: |template + diff - science| / sigma at matched seeing: median ${
      q(rms, 0.5).toFixed(3)
    }, 80 % ${q(rms, 0.8).toFixed(3)} (n ${rms.length}); pre-explosion chi2/pixel median ${
      q(chi, 0.5).toFixed(3)
    } (n ${chi.length})`,
  );
  assert(
    rms.length > 100 && chi.length > 100,
    `${rms.length} matched, ${chi.length} pre-explosion`,
  );
  // Where the frame's seeing equals the template's, only the subtraction errors remain: well
  // below the noise for most frames; bright stars and hosts leave more (as real subtractions).
  assert(q(rms, 0.5) < 0.2 && q(rms, 0.8) < 1, `rms quantiles ${q(rms, 0.5)}, ${q(rms, 0.8)}`);
  assert(q(chi, 0.5) > 0.9 && q(chi, 0.5) < 1.15, `pre-explosion chi2 median ${q(chi, 0.5)}`);
});

Deno.test("difference: the survey writes difference and template files; ingest can select them", async () => {
  const root = await Deno.makeTempDir({ prefix: "convention-diff-" });
  try {
    const out = `${root}/s`;
    const opts = { objects: 4, seed: 5, size: 16 };
    await simulateSurvey({ out, ...opts, workers: 0, progress: false });
    const items = [];
    for await (const it of simulatedSource(out, { stamps: "difference" }).items()) items.push(it);
    assertEquals(items.length, 4);
    for (const it of items) {
      const index = Number(it.id.slice(4)) - 1;
      const obj = simulateObject(index, opts);
      const base = `${out}/objects/${String(index + 1).padStart(6, "0")}`;
      const diff = await readFitsFile(`${base}.diff.fits`);
      const tmpl = await readFitsFile(`${base}.tmpl.fits`);
      const sci = await readFitsFile(`${base}.fits`);
      assertEquals(diff.hdus.length, obj.frames.length + 1);
      assertEquals(tmpl.hdus.length, 6);
      assertEquals(diff.hdus[0]!.header.get("IMAGETYP"), "difference");
      assertEquals(it.series!.frames.length, obj.frames.length);
      obj.frames.forEach((f, k) => {
        assertEquals(Array.from(it.series!.frames[k]!.pixels), Array.from(f.difference!));
        assertEquals(diff.hdus[k + 1]!.header.get("DIFFIM"), true);
        // GAIN and SKYMAG let photometry add the source's Poisson noise.
        assertAlmostEquals(sci.hdus[k + 1]!.header.getNumber("GAIN")!, f.gain, 1e-5 * f.gain);
        assertEquals(it.series!.frames[k]!.meta?.["GAIN"], sci.hdus[k + 1]!.header.get("GAIN"));
      });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
