/**
 * The HTML page of a `compare --models ...` run: the Table-2-style comparison, the paper's
 * numbers beside it, each model's confusion matrix (inlined from its run) and links to each
 * run's own report. One self-contained file (SVGs inline).
 *
 * @module
 */
import type { Comparison } from "../eval/compare.ts";
import { escapeHtml } from "../eval/report.ts";
import { fix3, fix3Interval, pct, pctInterval } from "../eval/tables.ts";
import { pairedCell } from "../eval/compare_tables.ts";
import { type EarlyRow, earlySpec } from "../eval/early_tables.ts";
import { renderSvg } from "../eval/plots.ts";
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

/** What {@link compareHtml} shows beside the rows. */
export interface CompareHtmlInfo {
  /** Output folder (for relative links). */
  out: string;
  /** Training budget. */
  budget: string;
  /** Data source. */
  data: string;
  /** Wall time of the comparison in seconds. */
  wallS: number;
  /** The early-classification plot (SVG), if any. */
  earlySvg?: string;
  /** Evaluation folder name inside each run (default `eval`). */
  evalDir?: string;
  /** The test set, in words. */
  testSet?: string;
}

const TABLE_HEAD = [
  "model",
  "bands",
  "input",
  "accuracy % [95 % CI]",
  "paper accuracy %",
  "balanced accuracy % [95 % CI]",
  "macro F1 [95 % CI]",
  "Δ accuracy vs reference (points) [95 % CI], McNemar p",
  "SN Ia purity / efficiency %",
  "parameters",
  "n",
  "seeds",
  "epochs seen",
  "train time",
  "report",
];

/** One `<tr>` of the comparison table. */
function rowHtml(c: Comparison, r: Comparison["rows"][number], out: string): string {
  const paper = paperAccuracy(r.model, r.bands);
  const link = relative(out, `${r.run}/eval/report.html`);
  return `<tr${r.paired?.significant ? ' class="significant"' : ""}>${
    [
      r.model,
      r.bands,
      r.input,
      `${pct(r.accuracy)} ${pctInterval(r.accuracyInterval)}`,
      paper === null ? "-" : paper.toFixed(2),
      `${pct(r.balancedAccuracy)} ${pctInterval(r.balancedAccuracyInterval)}`,
      `${fix3(r.macroF1)} ${fix3Interval(r.macroF1Interval)}`,
      c.rows.length > 1 ? pairedCell(r.paired) : "-",
      r.snia ? `${pct(r.snia.purity)} / ${pct(r.snia.efficiency)}` : "-",
      r.parameters.toLocaleString("en-US"),
      String(r.n ?? r.testObjects),
      r.seeds?.join(", ") ?? "-",
      r.window ?? "-",
      r.trainTimeS === null ? "n/a" : fmtTime(r.trainTimeS),
    ].map((v) => `<td>${escapeHtml(v)}</td>`).join("")
  }<td><a href="${escapeHtml(link)}">${escapeHtml(r.run.split("/").pop() ?? r.run)}</a></td></tr>`;
}

/** Each run's confusion-matrix SVG as a titled `<div>`. */
async function confusionPlots(c: Comparison, evalDir: string): Promise<string[]> {
  const plots: string[] = [];
  for (const r of c.rows) {
    const svg = await readOr(`${r.run}/${evalDir}/confusion.svg`, "");
    if (!svg) continue;
    plots.push(
      `<div class="plot"><h3>${escapeHtml(`${r.model} (${r.bands})`)}</h3>${
        svg.replace(/^<\?xml[^>]*>\s*/, "")
      }</div>`,
    );
  }
  return plots;
}

const PAGE_STYLE = `<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1300px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; }
tr.significant td { font-weight: bold; }
.plot { border: 1px solid #eee; padding: 6px; } .plot h3 { font-size: 14px; margin: 0 0 4px; }
</style>`;

/**
 * Builds the comparison page.
 *
 * @param c The comparison.
 * @param info Output folder (for relative links), budget, data, wall time.
 */
export async function compareHtml(c: Comparison, info: CompareHtmlInfo): Promise<string> {
  const rows = c.rows.map((r) => rowHtml(c, r, info.out)).join("\n");
  const plots = await confusionPlots(c, info.evalDir ?? "eval");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ConvEntion: Table 2 comparison</title>
${PAGE_STYLE}</head><body>
<h1>Table 2 comparison</h1>
<p>Data: <code>${escapeHtml(info.data)}</code>; budget: <code>${escapeHtml(info.budget)}</code>;
wall time ${escapeHtml(fmtTime(info.wallS))}. Test set: ${
    escapeHtml(info.testSet ?? "the confirmed test objects of the split")
  } (the same for every model; same split, seed, balancing and two stages). "paper accuracy" is the paper's Table 2 on
SDSS-II data, for reference.</p>
<table id="comparison"><thead><tr>${
    TABLE_HEAD.map((h) => `<th>${escapeHtml(h)}</th>`).join("")
  }</tr></thead>
<tbody>
${rows}
</tbody></table>
<p>Δ: each row's accuracy minus the reference row's on the same test objects, with its paired
bootstrap 95 % interval (2000 resamples over objects, seed 1) and the exact McNemar p-value;
<b>*</b> (bold row) = p &lt; 0.05 and the interval excludes 0, i.e. the difference holds at 95 %.
Accuracy intervals are Clopper-Pearson; balanced accuracy and macro F1 intervals are bootstrap
over objects.</p>
${
    info.earlySvg
      ? `<h2>Early classification (test)</h2>\n<div class="plot">${
        info.earlySvg.replace(/^<\?xml[^>]*>\s*/, "")
      }</div>`
      : ""
  }
<h2>Confusion matrices (test)</h2>
<div class="plots">${plots.join("\n")}</div>
</body></html>
`;
}

/**
 * The early-classification plot of every row (from each run's
 * `eval/early.json`), or null when no run has one.
 */
export async function earlyComparisonSvg(c: Comparison, evalDir = "eval"): Promise<string | null> {
  const series: { name: string; rows: EarlyRow[] }[] = [];
  for (const r of c.rows) {
    const text = await readOr(`${r.run}/${evalDir}/early.json`, "");
    if (!text) continue;
    series.push({ name: `${r.model} ${r.bands}`, rows: JSON.parse(text) as EarlyRow[] });
  }
  return series.length ? await renderSvg(earlySpec(series)) : null;
}

/** The test set a run's evaluation in `evalDir` used (its metrics.json protocol). */
export async function testSetOf(run: string, evalDir = "eval"): Promise<string | undefined> {
  const text = await readOr(`${run}/${evalDir}/metrics.json`, "");
  if (!text) return undefined;
  return (JSON.parse(text) as { protocol?: { testSet?: string } }).protocol?.testSet;
}
