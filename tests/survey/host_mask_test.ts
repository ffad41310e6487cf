import { assert, assertEquals, assertThrows } from "../util/assert.ts";
import { HOST_MASK_KEEP_FWHM, HOST_MASK_SIGMA, maskHostLight } from "../../lib/survey/host_mask.ts";
import type { BandTemplate } from "../../lib/survey/host_mask.ts";
import type { Frame } from "../../lib/survey/series.ts";
import type { SourceItem } from "../../lib/survey/source.ts";
import { simulatedSource } from "../../lib/survey/simulated.ts";
import { openSource } from "../../lib/survey/open_source.ts";
import { simulateSurvey } from "../../lib/simulate/survey.ts";
import { UsageError } from "../../lib/errors.ts";

const W = 16;

/** A 16x16 frame: the source (100) at the centre, a host blob (50) around (12, 12). */
function scene(): { frame: Frame; template: BandTemplate } {
  const px = new Float32Array(W * W), tp = new Float32Array(W * W);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const host = 50 * Math.exp(-((x - 12) ** 2 + (y - 12) ** 2) / 4);
      const src = 100 * Math.exp(-((x + 0.5 - 8) ** 2 + (y + 0.5 - 8) ** 2) / 2);
      px[y * W + x] = host + src;
      tp[y * W + x] = host;
    }
  }
  const meta = { SEEING: 0.792, SKYSIG: 1, PIXSCALE: 0.396 }; // FWHM 2 px: kept radius 3 px
  return {
    frame: { mjd: 1, band: "r", width: W, height: W, pixels: px, meta },
    template: { pixels: tp, width: W, height: W, skySigma: 1 },
  };
}

Deno.test("maskHostLight: static light outside the source aperture becomes sky noise, the aperture stays", () => {
  const { frame, template } = scene();
  const before = frame.pixels.slice();
  const keep = HOST_MASK_KEEP_FWHM * 2;
  let expected = 0;
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const r2 = (x + 0.5 - 8) ** 2 + (y + 0.5 - 8) ** 2;
      if (r2 > keep * keep && template.pixels[y * W + x]! > HOST_MASK_SIGMA) expected++;
    }
  }
  const count = maskHostLight([frame], new Map([["r", template]]), "obj1");
  assertEquals([count.frames, count.unmasked.length, count.pixels], [1, 0, expected]);
  assert(expected > 20, `the blob covers ${expected} pixels`);
  let changed = 0, sum = 0;
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const r2 = (x + 0.5 - 8) ** 2 + (y + 0.5 - 8) ** 2;
      if (r2 <= keep * keep) assertEquals(frame.pixels[i], before[i], `aperture pixel ${x},${y}`);
      if (frame.pixels[i] !== before[i]) {
        changed++;
        sum += frame.pixels[i]!;
      }
    }
  }
  assertEquals(changed, expected);
  // The blob's peak (50) is gone: what replaced it is N(0, 1) noise.
  assert(Math.abs(frame.pixels[12 * W + 12]!) < 5, `blob centre ${frame.pixels[12 * W + 12]}`);
  assert(Math.abs(sum / changed) < 1, `mean of the replaced pixels ${sum / changed}`);
  // Seeded by the object id: the same id gives the same noise.
  const again = scene();
  maskHostLight([again.frame], new Map([["r", again.template]]), "obj1");
  assertEquals([...again.frame.pixels], [...frame.pixels]);
});

Deno.test("maskHostLight: a frame without its band's template is returned for the caller to skip", () => {
  const { frame, template } = scene();
  const count = maskHostLight([frame], new Map([["g", template]]), "obj1");
  assertEquals([count.frames, count.unmasked, count.pixels], [0, [frame], 0]);
});

async function items(src: ReturnType<typeof simulatedSource>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const it of src.items()) out.push(it);
  return out;
}

Deno.test("simulated source, host-masked stamps: hosts are masked, source apertures unchanged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "convention-hostmask-" });
  try {
    await simulateSurvey({
      out: dir,
      objects: 12,
      size: 24,
      bands: "gr",
      seed: 5,
      progress: false,
    });
    const science = await items(simulatedSource(dir));
    const masked = await items(simulatedSource(dir, { stamps: "host-masked" }));
    const catalog = (await Deno.readTextFile(`${dir}/catalog.csv`)).trim().split("\n");
    const cols = catalog[0]!.split(",");
    const hostCol = cols.indexOf("host_mag_r");
    let hosted = 0, hostedChanged = 0;
    for (const [k, s] of science.entries()) {
      const m = masked[k]!;
      assertEquals(m.problems, s.problems, `object ${s.id}: no new problem`);
      const sf = s.series!.frames, mf = m.series!.frames;
      assertEquals(mf.length, sf.length);
      let diff = 0;
      for (const [j, f] of sf.entries()) {
        const keep = HOST_MASK_KEEP_FWHM * Number(f.meta!["SEEING"]) / 0.396;
        for (let i = 0; i < f.pixels.length; i++) {
          const x = i % f.width, y = Math.floor(i / f.width);
          const r2 = (x + 0.5 - f.width / 2) ** 2 + (y + 0.5 - f.height / 2) ** 2;
          if (r2 <= keep * keep) assertEquals(mf[j]!.pixels[i], f.pixels[i]);
          else if (mf[j]!.pixels[i] !== f.pixels[i]) diff++;
        }
      }
      const hasHost = catalog[k + 1]!.split(",")[hostCol] !== "";
      if (hasHost) {
        hosted++;
        if (diff > 0) hostedChanged++;
      }
    }
    assert(hosted >= 3, `${hosted} hosted objects among 12`);
    assert(hostedChanged >= hosted - 1, `${hostedChanged} of ${hosted} hosted objects masked`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("host-masked stamps: an object without a template is skipped and said; alerts refuse it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "convention-hostmask-" });
  try {
    await simulateSurvey({ out: dir, objects: 2, size: 16, bands: "g", seed: 3, progress: false });
    const text = await Deno.readTextFile(`${dir}/catalog.csv`);
    const lines = text.trim().split("\n");
    const col = lines[0]!.split(",").indexOf("template_file");
    const row = lines[1]!.split(",");
    row[col] = "";
    lines[1] = row.join(",");
    await Deno.writeTextFile(`${dir}/catalog.csv`, lines.join("\n") + "\n");
    const got = await items(simulatedSource(dir, { stamps: "host-masked" }));
    assertEquals(got[0]!.series, null);
    assertEquals(got[0]!.problems.map((p) => [p.kind, p.skipped]), [["unreadable-file", "object"]]);
    assert(got[0]!.problems[0]!.message.includes("no template"));
    assert(got[1]!.series !== null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assertThrows(() => openSource("alerts", "x.avro", { cutout: "host-masked" }), UsageError);
});
