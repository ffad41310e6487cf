/**
 * The self-contained HTML report of an evaluation: summary and per-class
 * tables, the confusion matrix, learning curves and reliability diagram as
 * inline SVG, and a gallery of misclassified test objects with their stamp
 * strips (inline PNG) per band over time. No external resource is loaded.
 *
 * @module
 */
import type { Metrics } from "./metrics.ts";
import { metricsTables } from "./tables.ts";
import { type CompareRow, compareTable } from "./compare_tables.ts";
import type { StampStrip } from "./stamps.ts";
import { type EarlyRow, earlyTable } from "./early_tables.ts";
import { toBase64 } from "../util/png.ts";

/** One misclassified (or any) object shown in the gallery. */
export interface GalleryItem {
  /** Object id. */
  id: string;
  /** True class name. */
  trueClass: string;
  /** Predicted class name. */
  predictedClass: string;
  /** Probability per class, in class order. */
  probabilities: number[];
  /** Number of frames the model used. */
  frames: number;
  /** Stamp strips, one per band. */
  strips: StampStrip[];
}

/** Everything the report shows. */
export interface ReportInput {
  /** Page title. */
  title: string;
  /** Key facts shown on top (run, model, preset, data, backend, ...). */
  facts: [string, string][];
  /** Test metrics. */
  metrics: Metrics;
  /** Plots: title and SVG text. */
  plots: { title: string; svg: string }[];
  /** Optional Table-2-style rows (this run, or several runs). */
  compare?: CompareRow[];
  /** Gallery of misclassified objects. */
  gallery: GalleryItem[];
  /** Total misclassified objects (the gallery may show fewer). */
  misclassified: number;
  /** Optional early-classification rows (metrics per cut); its plot goes in `plots`. */
  early?: EarlyRow[];
  /** Optional resolved configuration (YAML) shown at the end. */
  configYaml?: string;
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function table(header: string[] | null, rows: string[][], cls = ""): string {
  const th = header
    ? `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>`
    : "";
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table${cls ? ` class="${cls}"` : ""}>${th}<tbody>\n${tr}\n</tbody></table>`;
}

/** Strips the XML prolog so an SVG can be inlined in HTML. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, "");
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.facts td { text-align: left; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.plot { border: 1px solid #eee; padding: 6px; }
.gallery { display: flex; flex-direction: column; gap: 14px; }
.object { border: 1px solid #ddd; padding: 8px; }
.object h3 { font-size: 14px; margin: 0 0 6px; }
.strip { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.strip span { width: 1.5em; font-weight: bold; }
.strip img { image-rendering: pixelated; height: 48px; width: auto; }
pre { background: #f6f6f6; padding: 8px; overflow: auto; }
`;

/**
 * Builds the HTML report (one self-contained document).
 *
 * @param input What to show.
 */
export function buildReport(input: ReportInput): string {
  const m = input.metrics;
  const facts = table(null, input.facts.map(([k, v]) => [k, v]), "facts");
  const t = metricsTables(m);
  const summary = table(t.summary.header, t.summary.rows);
  const perClass = table(t.perClass.header, t.perClass.rows);
  const confusion = table(t.confusion.header, t.confusion.rows, "confusion");
  const snia = t.snia ? `<h2>SN Ia selection</h2>\n${table(t.snia.header, t.snia.rows)}` : "";
  const calibration = t.calibration
    ? `<h2>Calibration (temperature scaling)</h2>\n${
      table(t.calibration.header, t.calibration.rows)
    }`
    : "";
  const early = input.early?.length
    ? `<h2>Early classification</h2>\n${
      table(earlyTable(input.early).header, earlyTable(input.early).rows)
    }`
    : "";
  const ct = input.compare?.length ? compareTable(input.compare, true) : null;
  const compare = ct
    ? `<h2>Comparison (layout of the paper's Table 2)</h2>\n` + table(ct.header, ct.rows)
    : "";
  const plots = input.plots.map((p) =>
    `<figure class="plot" data-plot="${escapeHtml(p.title)}">${inlineSvg(p.svg)}</figure>`
  ).join("\n");
  const gallery = input.gallery.map((g) => {
    const probs = g.probabilities.map((p, k) => `${m.classes[k]} ${(100 * p).toFixed(1)}%`)
      .join(", ");
    const strips = g.strips.map((s) => {
      const title = `band ${s.band}: ${s.frames} frames, MJD ${s.mjds[0]?.toFixed(1)}..${
        s.mjds[s.mjds.length - 1]?.toFixed(1)
      }`;
      return `<div class="strip"><span>${escapeHtml(s.band)}</span><img alt="${
        escapeHtml(`${g.id} ${title}`)
      }" title="${escapeHtml(title)}" width="${s.width * 1.5}" height="${s.height * 1.5}" ` +
        `src="data:image/png;base64,${toBase64(s.png)}"></div>`;
    }).join("\n");
    return `<div class="object" data-object="${escapeHtml(g.id)}"><h3>${escapeHtml(g.id)}: true ${
      escapeHtml(g.trueClass)
    }, predicted ${escapeHtml(g.predictedClass)} <small>(${
      escapeHtml(probs)
    }; ${g.frames} frames; ` +
      `columns are epochs, time to the right)</small></h3>\n${strips}</div>`;
  }).join("\n");
  const shown = input.gallery.length < input.misclassified
    ? `showing ${input.gallery.length} of ${input.misclassified}`
    : `${input.misclassified} objects`;
  const config = input.configYaml
    ? `<h2>Configuration</h2>\n<pre>${escapeHtml(input.configYaml)}</pre>`
    : "";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(input.title)}</h1>
${facts}
<h2>Test metrics</h2>
${summary}
<h2>Per class</h2>
${perClass}
<h2>Confusion matrix (rows: true class, columns: predicted)</h2>
${confusion}
${snia}
${calibration}
${early}
${compare}
<h2>Plots</h2>
<div class="plots">
${plots}
</div>
<h2>Misclassified test objects (${shown})</h2>
<div class="gallery">
${gallery || "<p>None.</p>"}
</div>
${config}
</body></html>
`;
}
