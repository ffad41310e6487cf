/**
 * Ingest: reads objects from any {@link ObjectSource}, checks them, fits the
 * stamps to the store size, orders frames by time, and writes a packed store
 * plus an ingest report. Bad input never stops the run: every problem is
 * recorded against its object, the frame or object is skipped, and the
 * totals add up exactly (objects in = kept + skipped, frames in = kept +
 * skipped).
 *
 * Checks made here for every source: band in the band map (else the frame
 * is skipped), finite MJD, a stamp with at least one valid pixel, no second
 * frame with the same band and MJD (within 1e-6 day; the first is kept), at
 * least one frame left, a label in the class list (after the label map;
 * an empty label is "unlabelled", kept unless `keepUnlabelled` is false), and
 * a unique object id. Sources add their own file-level checks (unreadable
 * file, missing HDU or header key, wrong shape).
 *
 * @module
 */
import { writeFileAtomic } from "../util/atomic.ts";
import { Progress } from "../util/progress.ts";
import { BandMap, type BandMapConfig, DEFAULT_BANDS } from "../survey/bands.ts";
import { DEFAULT_CLASSES, type ObjectSeries } from "../survey/series.ts";
import type { ObjectSource, Problem, ProblemKind, SourceItem } from "../survey/source.ts";
import { fitFrames, orderFrames } from "./ingest_frames.ts";
import { emptyReport, type IngestReport, ReportCounter, summaryLine } from "./ingest_report.ts";
import { STAMP_POLICY, type StoreDtype } from "./store_format.ts";
import { removeStaleTemporaries } from "./store_folder.ts";
import { StoreWriter } from "./store_writer.ts";

export type { IngestReport, ProblemCount } from "./ingest_report.ts";
export { summaryLine };

/** Options of {@link ingest}. */
export interface IngestOptions {
  /** Store folder to write. */
  out: string;
  /** Store stamp side in pixels (default 32). */
  size?: number;
  /** Pixel type (default float32). */
  dtype?: StoreDtype;
  /** Band map (default ugriz). */
  bands?: BandMapConfig | BandMap;
  /** Class names (default AGN, SNIa, Variable, SNOther). */
  classes?: readonly string[];
  /** Label renames applied before the class check (e.g. `{ SNII: "SNOther" }`). */
  labelMap?: Readonly<Record<string, string>>;
  /** Keep objects without a label (default true; they are never used for training). */
  keepUnlabelled?: boolean;
  /** Report path (default `<out>/ingest_report.json`). */
  report?: string;
  /** Show a progress bar and the summary line on stderr (default true). */
  progress?: boolean;
}

/**
 * Ingests `source` into a packed store at `opts.out` and writes the report.
 *
 * @example
 * ```ts
 * import { ingest } from "./ingest.ts";
 * import { simulateSurvey } from "../simulate/survey.ts";
 * import { simulatedSource } from "../survey/simulated.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 8, size: 16, progress: false });
 * const report = await ingest(simulatedSource(`${dir}/s82`), {
 *   out: `${dir}/store`,
 *   size: 16,
 *   progress: false, // true: a progress bar and a summary line on stderr
 * });
 * if (!(report.objects.in === 8 && report.objects.kept === 8)) throw new Error("example check failed");
 * console.log(report.frames, report.labels, report.report); // .../store/ingest_report.json
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function ingest(source: ObjectSource, opts: IngestOptions): Promise<IngestReport> {
  const t0 = performance.now();
  const size = opts.size ?? 32;
  const bandMap = opts.bands instanceof BandMap
    ? opts.bands
    : new BandMap(opts.bands ?? { bands: DEFAULT_BANDS });
  const classes = [...(opts.classes ?? DEFAULT_CLASSES)];
  const showProgress = opts.progress ?? true;
  const stale = await removeStaleTemporaries(opts.out); // left by a killed ingest
  const writer = await StoreWriter.create(opts.out, {
    size,
    dtype: opts.dtype,
    bands: bandMap.bands,
    classes,
    source: source.description,
  });
  const report = emptyReport({
    source: source.description,
    store: opts.out,
    report: opts.report ?? `${opts.out}/ingest_report.json`,
    stampSize: size,
    stampPolicy: STAMP_POLICY,
    dtype: writer.dtype,
    bands: [...bandMap.bands],
    classes,
  });
  if (stale.files.length > 0) report.staleRemoved = stale;
  const ctx: ItemContext = {
    counter: new ReportCounter(report),
    seen: new Set<string>(),
    bandMap,
    size,
    classes,
    labelMap: opts.labelMap ?? {},
    keepUnlabelled: opts.keepUnlabelled ?? true,
    writer,
  };
  const progress = new Progress(
    "ingest",
    source.count ?? 0,
    "objects",
    showProgress ? undefined : false,
  );
  try {
    for await (const item of source.items()) {
      await ingestItem(item, ctx);
      progress.tick();
    }
    report.created = new Date().toISOString();
    report.seconds = (performance.now() - t0) / 1000;
    await writer.finish({ created: report.created });
  } catch (e) {
    await writer.abort();
    progress.done(undefined, true);
    throw e;
  }
  progress.done(undefined, true);
  await writeFileAtomic(report.report, JSON.stringify(report, null, 1) + "\n");
  if (showProgress) console.error(summaryLine(report));
  return report;
}

/** What {@link ingestItem} needs besides the item. */
interface ItemContext {
  counter: ReportCounter;
  seen: Set<string>;
  bandMap: BandMap;
  size: number;
  classes: string[];
  labelMap: Readonly<Record<string, string>>;
  keepUnlabelled: boolean;
  writer: StoreWriter;
}

/** Checks one source item and writes it, or records why it was skipped. */
async function ingestItem(item: SourceItem, ctx: ItemContext): Promise<void> {
  const { counter } = ctx;
  const report = counter.report;
  report.objects.in++;
  report.frames.in += item.framesIn;
  // Frame-level problems of the source: those frames were never produced.
  let skippedFrames = 0;
  const objectProblems: Problem[] = [];
  for (const p of item.problems) {
    if (p.skipped === "frame") {
      counter.problem(p, 1);
      skippedFrames++;
    } else objectProblems.push(p);
  }
  const series = item.series;
  if (series === null || objectProblems.length > 0) {
    const [first, ...others] = objectProblems.length > 0 ? objectProblems : [{
      object: item.id,
      kind: "no-frames" as const,
      skipped: "object" as const,
      message: `Object "${item.id}": the source produced no series.`,
    }];
    counter.skipObject(first!, item.framesIn - skippedFrames, skippedFrames, item.framesIn);
    for (const p of others) counter.problem(p, 0);
    return;
  }
  const id = series.id;
  const checked = checkObject(series, ctx);
  if ("problem" in checked) {
    counter.skipObject(checked.problem, series.frames.length, skippedFrames, item.framesIn);
    return;
  }
  const skip = (kind: ProblemKind, message: string) => {
    counter.problem({ object: id, kind, skipped: "frame", message }, 1);
    skippedFrames++;
  };
  const fitted = fitFrames(id, series.frames, ctx.bandMap, ctx.size, skip);
  const frames = orderFrames(id, fitted, ctx.bandMap, ctx.size, skip);
  if (frames.length === 0) {
    const p: Problem = {
      object: id,
      kind: "no-frames",
      skipped: "object",
      message: `Object "${id}" has no usable frame.`,
    };
    counter.skipObject(p, 0, skippedFrames, item.framesIn);
    return;
  }
  for (const f of frames) {
    report.pixels.nan += f.nan;
    report.pixels.padded += f.padded;
    if (f.nan > 0) report.pixels.framesWithNaN++;
    if (f.cropped) report.pixels.framesCropped++;
    if (f.padded > 0) report.pixels.framesPadded++;
  }
  const label = checked.label;
  const entry: Parameters<StoreWriter["addObject"]>[0] = {
    id,
    label,
    confirmed: label !== null && series.confirmed,
  };
  if (series.trueLabel !== undefined) entry.trueLabel = series.trueLabel;
  if (series.meta !== undefined) entry.meta = series.meta;
  await ctx.writer.addObject(entry, frames);
  counter.keep(id, label, entry.confirmed, frames.length, skippedFrames, item.framesIn);
}

/**
 * The object-level checks: a unique id and a known label (after the label
 * map). Returns the label to store, or the problem that skips the object.
 */
function checkObject(
  series: ObjectSeries,
  ctx: ItemContext,
): { label: string | null } | { problem: Problem } {
  const id = series.id;
  const fail = (kind: ProblemKind, message: string) => ({
    problem: { object: id, kind, skipped: "object" as const, message },
  });
  if (ctx.seen.has(id)) {
    return fail("duplicate-object", `Object "${id}" appears again; the first one was kept.`);
  }
  ctx.seen.add(id);
  let label = series.label === null || series.label.trim() === "" ? null : series.label.trim();
  if (label !== null) label = ctx.labelMap[label] ?? label;
  if (label === null && !ctx.keepUnlabelled) {
    return fail("unknown-label", `Object "${id}" has no label.`);
  }
  if (label !== null && !ctx.classes.includes(label)) {
    return fail(
      "unknown-label",
      `Object "${id}" has label "${label}", not one of ${ctx.classes.join(", ")}` +
        " (add a label map entry to rename it).",
    );
  }
  return { label };
}
