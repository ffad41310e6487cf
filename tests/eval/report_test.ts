import { assert, assertEquals } from "../util/assert.ts";
import { computeMetrics } from "../../lib/eval/metrics.ts";
import {
  confusionSpec,
  learningCurvesSpec,
  reliabilitySpec,
  renderSvg,
} from "../../lib/eval/plots.ts";
import { renderStampStrips, type StampFrame } from "../../lib/eval/stamps.ts";
import { buildReport, type GalleryItem } from "../../lib/eval/report.ts";
import { encodePngGray } from "../../lib/util/png.ts";
import { Rng } from "../../lib/util/rng.ts";
import { checkReport, launchChromium } from "./chromium.ts";
import { toolTest } from "../util/tools.ts";

function fakeObject(rng: Rng, id: string): StampFrame[] {
  const frames: StampFrame[] = [];
  for (let e = 0; e < 6; e++) {
    for (const band of ["g", "r", "i"]) {
      if (rng.bernoulli(0.2)) continue;
      const pixels = new Float32Array(16 * 16);
      for (let i = 0; i < pixels.length; i++) {
        const x = i % 16 - 7.5, y = Math.floor(i / 16) - 7.5;
        pixels[i] = rng.normal(0, 1) + (e + 1) * 4 * Math.exp(-(x * x + y * y) / 8);
      }
      frames.push({ band, mjd: 53600 + 3 * e + 0.01 * band.length, width: 16, height: 16, pixels });
    }
  }
  return id ? frames : [];
}

Deno.test("png: valid signature, chunks and size", async () => {
  const png = await encodePngGray(new Uint8Array([0, 255, 128, 64, 32, 16]), 3, 2);
  assertEquals(Array.from(png.subarray(0, 8)), [137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer);
  assertEquals(view.getUint32(16), 3);
  assertEquals(view.getUint32(20), 2);
  assertEquals(new TextDecoder().decode(png.subarray(png.length - 8, png.length - 4)), "IEND");
});

Deno.test("stamps: one strip per band, epochs aligned across bands", async () => {
  const frames = fakeObject(new Rng(3), "x");
  const strips = await renderStampStrips(frames, ["g", "r", "i"]);
  assertEquals(strips.map((s) => s.band), ["g", "r", "i"]);
  for (const s of strips) {
    assertEquals(s.mjds.length, 6);
    assertEquals(s.width, 6 * 17 - 1);
    assertEquals(s.height, 16);
  }
  assertEquals(strips.reduce((a, s) => a + s.frames, 0), frames.length);
});

await toolTest({
  name: "report: renders in headless Chromium (plots, tables, gallery images)",
  tools: ["chromium"],
  fn: async () => {
    const rng = new Rng(11);
    const classes = ["AGN", "SNIa", "Variable", "SNOther"];
    const labels: number[] = [], probs: number[][] = [];
    for (let i = 0; i < 40; i++) {
      const y = i % 4;
      const p = classes.map(() => rng.uniform(0, 1));
      p[y]! += 1.2;
      const s = p.reduce((a, b) => a + b, 0);
      labels.push(y);
      probs.push(p.map((v) => v / s));
    }
    const metrics = computeMetrics(labels, probs, classes);
    const epochs = [1, 2, 3].map((e) => ({
      stage: e < 3 ? 1 : 2,
      epoch: e < 3 ? e : 1,
      trainLoss: 1.4 / e,
      trainAccuracy: 0.3 * e,
      valLoss: 1.5 / e,
      valAccuracy: 0.25 * e,
      valMacroF1: 0.2 * e,
    }));
    const plots = [
      { title: "confusion", svg: await renderSvg(confusionSpec(metrics)) },
      { title: "learning curves", svg: await renderSvg(learningCurvesSpec(epochs)) },
      { title: "reliability", svg: await renderSvg(reliabilitySpec(metrics)) },
    ];
    const gallery: GalleryItem[] = [];
    for (const id of ["obj-1", "obj-2"]) {
      gallery.push({
        id,
        trueClass: "SNIa",
        predictedClass: "SNOther",
        probabilities: [0.1, 0.3, 0.1, 0.5],
        frames: 12,
        strips: await renderStampStrips(fakeObject(rng, id), ["g", "r", "i"]),
      });
    }
    const html = buildReport({
      title: "test report <&>",
      facts: [["run", "runs/x"]],
      metrics,
      plots,
      gallery,
      misclassified: 7,
      configYaml: "seed: 1\n",
    });
    assert(!/(src|href)="https?:/.test(html), "the report must not load external resources");
    const dir = await Deno.makeTempDir();
    const path = `${dir}/report.html`;
    await Deno.writeTextFile(path, html);
    const browser = await launchChromium();
    try {
      const r = await checkReport(browser, path);
      assertEquals(r.requests, []);
      assertEquals(r.plots.length, 3);
      for (const p of r.plots) {
        assert(p.visible && p.width > 50 && p.height > 50, `plot ${p.title}: ${JSON.stringify(p)}`);
      }
      assertEquals(r.objects, 2);
      const nStrips = gallery.reduce((a, g) => a + g.strips.length, 0);
      assertEquals(r.images.length, nStrips);
      for (const img of r.images) {
        assert(img.complete && img.visible && img.naturalWidth > 0, JSON.stringify(img));
      }
      assertEquals(r.images[0]!.naturalHeight, 16);
      assert(r.tables >= 4, `tables: ${r.tables}`);
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
