/**
 * A figure made by the simulator itself: strips of stamps over time for a
 * few objects (one row per object, one band), as an SVG with the stamps
 * embedded as small PNG images (8-bit grey, asinh stretch per object).
 *
 * @module
 */
import { encodePngGray, toBase64 } from "../util/png.ts";
import {
  objectParams,
  resolveObjectOptions,
  type SimulatedObject,
  simulateObject,
  type SimulateObjectOptions,
  surveyPlan,
} from "./object.ts";
import { nmgyToMag } from "./sdss.ts";

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Options of {@link stampStripSvg}. */
export interface StripOptions {
  /** Band to show (default "r"). */
  band?: string;
  /** Stamps per row (default 12), evenly spaced in time. */
  frames?: number;
  /** Display pixels per stamp pixel (default 2). */
  scale?: number;
  /** Figure title. */
  title?: string;
}

const NAMES: Record<string, string> = {
  SNIa: "SN Ia",
  SNOther: "SN other",
  AGN: "AGN",
  Variable: "variable star",
};

/**
 * An SVG with one strip of stamps per object: `frames` stamps of one band
 * evenly spaced over the series, each labelled with the days since the first
 * one and the model magnitude of the variable source.
 *
 * @param objects Simulated objects (one row each).
 * @param opts Band, number of stamps, scale, title.
 * @returns The SVG text (deterministic).
 */
export async function stampStripSvg(
  objects: SimulatedObject[],
  opts: StripOptions = {},
): Promise<string> {
  const band = opts.band ?? "r", n = opts.frames ?? 12, scale = opts.scale ?? 2;
  const gap = 6, left = 10, top = opts.title ? 34 : 10, rowLabel = 18, under = 26;
  let width = 0;
  const rows: string[] = [];
  let y = top;
  for (const obj of objects) {
    const frames = obj.frames.filter((f) => f.band === band);
    if (frames.length === 0) continue;
    const pick: typeof frames = [];
    for (let k = 0; k < Math.min(n, frames.length); k++) {
      pick.push(
        frames[Math.round(k * (frames.length - 1) / Math.max(1, Math.min(n, frames.length) - 1))]!,
      );
    }
    // One asinh stretch per object: from -2 sigma to the 99.5th percentile of its stamps.
    const all: number[] = [];
    for (const f of pick) for (const v of f.pixels) all.push(v);
    all.sort((a, b) => a - b);
    const sigma = pick.reduce((s, f) => s + f.skySigma, 0) / pick.length;
    const lo = -2 * sigma, hi = Math.max(all[Math.floor(0.995 * (all.length - 1))]!, 5 * sigma);
    const soft = 10;
    const p = obj.params;
    const z = p.z !== null ? `, z = ${p.z.toFixed(3)}` : "";
    rows.push(
      `<text x="${left}" y="${y + 12}" class="h">${
        escapeXml(
          `${obj.id}: ${NAMES[obj.trueClass] ?? obj.trueClass} (${obj.subtype}${z})${
            obj.confirmed ? ", confirmed" : ""
          }`,
        )
      }</text>`,
    );
    y += rowLabel;
    let x = left;
    const s = obj.size * scale;
    for (const f of pick) {
      const grey = new Uint8Array(obj.size * obj.size);
      for (let j = 0; j < obj.size; j++) {
        for (let i = 0; i < obj.size; i++) {
          // FITS row 0 is the bottom: flip vertically for display.
          const v = f.pixels[(obj.size - 1 - j) * obj.size + i]!;
          const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
          grey[j * obj.size + i] = Math.round(255 * Math.asinh(soft * t) / Math.asinh(soft));
        }
      }
      const png = await encodePngGray(grey, obj.size, obj.size);
      const mag = nmgyToMag(f.pointFlux);
      rows.push(
        `<image x="${x}" y="${y}" width="${s}" height="${s}" style="image-rendering:pixelated" ` +
          `href="data:image/png;base64,${toBase64(png)}"/>`,
        `<text x="${x + s / 2}" y="${y + s + 11}" class="t">+${
          (f.mjd - pick[0]!.mjd).toFixed(0)
        } d</text>`,
        `<text x="${x + s / 2}" y="${y + s + 22}" class="t">${
          Number.isFinite(mag) && mag < 30 ? `${band} ${mag.toFixed(1)}` : "-"
        }</text>`,
      );
      x += s + gap;
    }
    width = Math.max(width, x + left - gap);
    y += s + under + gap;
  }
  const title = opts.title
    ? `<text x="${left}" y="20" class="title">${escapeXml(opts.title)}</text>`
    : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">
<style>text{font-family:sans-serif;fill:#222}.h{font-size:12px}.t{font-size:9px;text-anchor:middle}.title{font-size:14px;font-weight:bold}</style>
<rect width="100%" height="100%" fill="#fff"/>
${title}
${rows.join("\n")}
</svg>
`;
}

/**
 * The example figure of the documentation: strips of `band` stamps for the
 * first `snia` spectroscopically confirmed SNe Ia brighter than r = 21 and the
 * first `agn` AGN brighter than r = 20.5 below z = 1 of a survey (same options as the survey, so the stamps are
 * exactly those of its files).
 *
 * @param opts Survey options (seed, objects, size, bands, difference).
 * @param pick How many SNe Ia and AGN, and the band.
 */
export async function exampleFigure(
  opts: SimulateObjectOptions,
  pick: { snia?: number; agn?: number; band?: string } = {},
): Promise<string> {
  const o = resolveObjectOptions(opts);
  const plan = surveyPlan(o.seed, o.objects, o.photometricErrorRate);
  const want = { SNIa: pick.snia ?? 3, AGN: pick.agn ?? 2 };
  const chosen: number[] = [];
  const found = { SNIa: 0, AGN: 0 };
  for (let i = 0; i < o.objects && (found.SNIa < want.SNIa || found.AGN < want.AGN); i++) {
    const c = plan.trueClass[i]!;
    if (c === "SNIa" && found.SNIa < want.SNIa && plan.confirmed[i]) {
      const p = objectParams(o.seed, o.objects, o.photometricErrorRate, i, c);
      if (p.peakMagR < 21) {
        chosen.push(i);
        found.SNIa++;
      }
    } else if (c === "AGN" && found.AGN < want.AGN) {
      const p = objectParams(o.seed, o.objects, o.photometricErrorRate, i, c);
      if (p.agn!.meanMagR < 20.5 && p.z! < 1) {
        chosen.push(i);
        found.AGN++;
      }
    }
  }
  const objs = chosen.map((i) => simulateObject(i, o));
  objs.sort((
    a,
    b,
  ) => (a.trueClass === b.trueClass ? a.index - b.index : a.trueClass === "SNIa" ? -1 : 1));
  const band = pick.band ?? "r";
  return await stampStripSvg(objs, {
    band,
    title:
      `Simulated Stripe 82 stamps (${band} band, seed ${o.seed}): SNe Ia and AGN over one season`,
  });
}
