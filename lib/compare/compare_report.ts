/**
 * The HTML page of a `compare --models ...` run: the Table-2-style comparison, the paper's
 * numbers beside it, each model's confusion matrix (inlined from its run) and links to each
 * run's own report. One self-contained file (SVGs inline).
 *
 * @module
 */
import type { Comparison } from "../eval/compare.ts";
import { escapeHtml } from "../eval/report.ts";
import { fix3, pct } from "../eval/tables.ts";
import { fmtTime } from "../util/progress.ts";

/** The paper's Table 2 (accuracy %, confirmed test objects), by registry model and bands. */
export const PAPER_TABLE2: readonly { model: string; bands: string; accuracy: number }[] = [
  { model: "ConvEntion", bands: "ugriz", accuracy: 79.83 },
  { model: "ConvEntion", bands: "g", accuracy: 76.89 },
  { model: "CNN+GRU", bands: "g", accuracy: 63.67 },
  { model: "CNN+LSTM", bands: "g", accuracy: 63.0 },
  { model: "SuperNNova Bayesian RNN", bands: "ugriz", accuracy: 65.54 },
  { model: "SITS-BERT", bands: "ugriz", accuracy: 67.43 },
  { model: "SCONE (CNN on GP heatmaps)", bands: "ugriz", accuracy: 62.57 },
  { model: "SuperNNova RNN", bands: "ugriz", accuracy: 56.3 },
];

/** The paper's accuracy for a row, when the paper has that row. */
export function paperAccuracy(model: string, bands: string): number | null {
  return PAPER_TABLE2.find((r) => r.model === model && r.bands === bands)?.accuracy ?? null;
}

async function readOr(path: string, fallback: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return fallback;
  }
}

function relative(from: string, to: string): string {
  const a = from.replace(/\/+$/, "").split("/").filter((x) => x !== "." && x !== "");
  const b = to.split("/").filter((x) => x !== "." && x !== "");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}

/**
 * Builds the comparison page.
 *
 * @param c The comparison.
 * @param info Output folder (for relative links), budget, data, wall time.
 */
export async function compareHtml(
  c: Comparison,
  info: { out: string; budget: string; data: string; wallS: number },
): Promise<string> {
  const head = [
    "model",
    "bands",
    "input",
    "accuracy %",
    "paper accuracy %",
    "balanced accuracy %",
    "macro F1",
    "parameters",
    "train time",
    "test objects",
    "report",
  ];
  const rows = c.rows.map((r) => {
    const paper = paperAccuracy(r.model, r.bands);
    const link = relative(info.out, `${r.run}/eval/report.html`);
    return `<tr>${
      [
        r.model,
        r.bands,
        r.input,
        pct(r.accuracy),
        paper === null ? "-" : paper.toFixed(2),
        pct(r.balancedAccuracy),
        fix3(r.macroF1),
        r.parameters.toLocaleString("en-US"),
        r.trainTimeS === null ? "n/a" : fmtTime(r.trainTimeS),
        String(r.testObjects),
      ].map((v) => `<td>${escapeHtml(v)}</td>`).join("")
    }<td><a href="${escapeHtml(link)}">${
      escapeHtml(r.run.split("/").pop() ?? r.run)
    }</a></td></tr>`;
  }).join("\n");
  const plots: string[] = [];
  for (const r of c.rows) {
    const svg = await readOr(`${r.run}/eval/confusion.svg`, "");
    if (!svg) continue;
    plots.push(
      `<div class="plot"><h3>${escapeHtml(`${r.model} (${r.bands})`)}</h3>${
        svg.replace(/^<\?xml[^>]*>\s*/, "")
      }</div>`,
    );
  }
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ConvEntion: Table 2 comparison</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1300px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; }
.plot { border: 1px solid #eee; padding: 6px; } .plot h3 { font-size: 14px; margin: 0 0 4px; }
</style></head><body>
<h1>Table 2 comparison</h1>
<p>Data: <code>${escapeHtml(info.data)}</code>; budget: <code>${escapeHtml(info.budget)}</code>;
wall time ${escapeHtml(fmtTime(info.wallS))}. Accuracy on the confirmed test objects (same split,
seed, balancing and two stages for every model). "paper accuracy" is the paper's Table 2 on
SDSS-II data, for reference.</p>
<table id="comparison"><thead><tr>${
    head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")
  }</tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Confusion matrices (test)</h2>
<div class="plots">${plots.join("\n")}</div>
</body></html>
`;
}
