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
import { ConventionError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { Progress } from "../util/progress.ts";
import { BandMap, type BandMapConfig, DEFAULT_BANDS } from "../survey/bands.ts";
import { DEFAULT_CLASSES } from "../survey/series.ts";
import type { ObjectSource, Problem, ProblemKind } from "../survey/source.ts";
import { brightnessScore, fitStamp } from "./stamp.ts";
import { STAMP_POLICY, type StoreDtype } from "./store_format.ts";
import { type StoreFrame, StoreWriter } from "./store_writer.ts";

/** A fitted frame with its counts, before writing. */
type Fitted = StoreFrame & { nan: number; padded: number; cropped: boolean; source?: string };

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

/** Counts of one problem kind. */
export interface ProblemCount {
  /** Objects skipped for this reason. */
  objects: number;
  /** Frames skipped for this reason. */
  frames: number;
}

/** The ingest report (`ingest_report.json`). */
export interface IngestReport {
  /** Source description. */
  source: string;
  /** Store folder. */
  store: string;
  /** Report path. */
  report: string;
  /** ISO time of the end of the ingest. */
  created: string;
  /** Store stamp side. */
  stampSize: number;
  /** How stamps of other sizes and invalid pixels were handled. */
  stampPolicy: string;
  /** Pixel type of the store. */
  dtype: StoreDtype;
  /** Band names in id order. */
  bands: string[];
  /** Class names in class-index order. */
  classes: string[];
  /** Objects: in = kept + skipped. */
  objects: { in: number; kept: number; skipped: number };
  /** Frames: in = kept + skipped (frames of skipped objects count as skipped). */
  frames: { in: number; kept: number; skipped: number };
  /** Pixel-level counts over the kept frames. */
  pixels: {
    /** NaN/inf/masked input pixels (stored as NaN, become 0 after normalisation). */
    nan: number;
    /** Pixels added by zero-padding smaller stamps. */
    padded: number;
    /** Kept frames with at least one NaN pixel. */
    framesWithNaN: number;
    /** Kept frames that were centre-cropped. */
    framesCropped: number;
    /** Kept frames that were zero-padded. */
    framesPadded: number;
  };
  /** Per problem kind, what was skipped. */
  problemCounts: Partial<Record<ProblemKind, ProblemCount>>;
  /** Kept objects per label (`(unlabelled)` for none): confirmed / unconfirmed. */
  labels: Record<string, { confirmed: number; unconfirmed: number }>;
  /** Wall time in seconds. */
  seconds: number;
  /** Every problem, per object, in input order. */
  problems: Problem[];
}

/** The one-line summary printed on stderr. */
export function summaryLine(r: IngestReport): string {
  const kinds = Object.entries(r.problemCounts)
    .map(([k, c]) => `${k} ${c!.objects}o/${c!.frames}f`)
    .join(", ");
  return `ingest: objects ${r.objects.in} in, ${r.objects.kept} kept, ${r.objects.skipped} skipped; ` +
    `frames ${r.frames.in} in, ${r.frames.kept} kept, ${r.frames.skipped} skipped; ` +
    `${r.pixels.nan} NaN pixels${kinds ? `; problems: ${kinds}` : ""}; ` +
    `${(r.objects.in / Math.max(r.seconds, 1e-9)).toFixed(1)} objects/s; report ${r.report}`;
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
  const labelMap = opts.labelMap ?? {};
  const keepUnlabelled = opts.keepUnlabelled ?? true;
  const reportPath = opts.report ?? `${opts.out}/ingest_report.json`;
  const showProgress = opts.progress ?? true;
  const writer = await StoreWriter.create(opts.out, {
    size,
    dtype: opts.dtype,
    bands: bandMap.bands,
    classes,
    source: source.description,
  });
  const report: IngestReport = {
    source: source.description,
    store: opts.out,
    report: reportPath,
    created: "",
    stampSize: size,
    stampPolicy: STAMP_POLICY,
    dtype: writer.dtype,
    bands: [...bandMap.bands],
    classes,
    objects: { in: 0, kept: 0, skipped: 0 },
    frames: { in: 0, kept: 0, skipped: 0 },
    pixels: { nan: 0, padded: 0, framesWithNaN: 0, framesCropped: 0, framesPadded: 0 },
    problemCounts: {},
    labels: {},
    seconds: 0,
    problems: [],
  };
  const count = (p: Problem, frames: number) => {
    const c = report.problemCounts[p.kind] ?? { objects: 0, frames: 0 };
    if (p.skipped === "object") c.objects++;
    c.frames += frames;
    report.problemCounts[p.kind] = c;
    report.problems.push(p);
  };
  const seen = new Set<string>();
  const progress = new Progress(
    "ingest",
    source.count ?? 0,
    "objects",
    showProgress ? undefined : false,
  );
  try {
    for await (const item of source.items()) {
      report.objects.in++;
      report.frames.in += item.framesIn;
      // Frame-level problems of the source: those frames were never produced.
      let skippedFrames = 0;
      const objectProblems: Problem[] = [];
      for (const p of item.problems) {
        if (p.skipped === "frame") {
          count(p, 1);
          skippedFrames++;
        } else objectProblems.push(p);
      }
      const skipObject = (p: Problem, remaining: number) => {
        count(p, remaining);
        report.objects.skipped++;
        report.frames.skipped += skippedFrames + remaining;
        checkTotals(item.id, item.framesIn, 0, skippedFrames + remaining, source.description);
      };
      const series = item.series;
      if (series === null || objectProblems.length > 0) {
        const remaining = item.framesIn - skippedFrames;
        const [first, ...others] = objectProblems.length > 0 ? objectProblems : [{
          object: item.id,
          kind: "no-frames" as const,
          skipped: "object" as const,
          message: `Object "${item.id}": the source produced no series.`,
        }];
        skipObject(first!, remaining);
        for (const p of others) count(p, 0);
        progress.tick();
        continue;
      }
      const id = series.id;
      const objProblem = (kind: ProblemKind, message: string): Problem => ({
        object: id,
        kind,
        skipped: "object",
        message,
      });
      if (seen.has(id)) {
        skipObject(
          objProblem("duplicate-object", `Object "${id}" appears again; the first one was kept.`),
          series.frames.length,
        );
        progress.tick();
        continue;
      }
      seen.add(id);
      let label = series.label === null || series.label.trim() === "" ? null : series.label.trim();
      if (label !== null) label = labelMap[label] ?? label;
      if (label === null && !keepUnlabelled) {
        skipObject(
          objProblem("unknown-label", `Object "${id}" has no label.`),
          series.frames.length,
        );
        progress.tick();
        continue;
      }
      if (label !== null && !classes.includes(label)) {
        skipObject(
          objProblem(
            "unknown-label",
            `Object "${id}" has label "${label}", not one of ${classes.join(", ")}` +
              " (add a label map entry to rename it).",
          ),
          series.frames.length,
        );
        progress.tick();
        continue;
      }
      // Frame checks.
      const frames: Fitted[] = [];
      for (const f of series.frames) {
        const where = f.source ? ` (${f.source})` : "";
        const frameProblem = (kind: ProblemKind, message: string) => {
          count({ object: id, kind, skipped: "frame", message }, 1);
          skippedFrames++;
        };
        const band = bandMap.id(f.band);
        if (band === 0) {
          frameProblem(
            "unknown-band",
            `Object "${id}": band "${f.band}"${where} is not in the band map ${
              bandMap.bands.join(",")
            }.`,
          );
          continue;
        }
        if (!Number.isFinite(f.mjd)) {
          frameProblem("bad-value", `Object "${id}": frame${where} has no finite MJD.`);
          continue;
        }
        if (
          !(f.width >= 1 && f.height >= 1) || f.pixels.length !== f.width * f.height
        ) {
          frameProblem(
            "wrong-shape",
            `Object "${id}": frame${where} is ${f.width}x${f.height} with ${f.pixels.length} pixels.`,
          );
          continue;
        }
        const s = fitStamp(f, size);
        if (s.nan + s.padded >= size * size) {
          frameProblem("empty-stamp", `Object "${id}": every pixel of frame${where} is NaN.`);
          continue;
        }
        frames.push({
          pixels: s.pixels,
          band,
          mjd: f.mjd,
          score: 0,
          invalid: s.nan + s.padded,
          nan: s.nan,
          padded: s.padded,
          cropped: s.cropped,
          source: f.source,
        });
      }
      frames.sort((a, b) => a.mjd - b.mjd || a.band - b.band);
      const unique: typeof frames = [];
      const lastMjd = new Map<number, number>(); // per band, MJD of the last kept frame
      for (const f of frames) {
        const prev = lastMjd.get(f.band);
        if (prev !== undefined && f.mjd - prev < 1e-6) {
          count({
            object: id,
            kind: "duplicate-frame",
            skipped: "frame",
            message: `Object "${id}": a second ${bandMap.name(f.band)} frame at MJD ${f.mjd}${
              f.source ? ` (${f.source})` : ""
            } was skipped.`,
          }, 1);
          skippedFrames++;
          continue;
        }
        lastMjd.set(f.band, f.mjd);
        unique.push(f);
      }
      if (unique.length === 0) {
        skipObject(objProblem("no-frames", `Object "${id}" has no usable frame.`), 0);
        progress.tick();
        continue;
      }
      for (const f of unique) {
        f.score = brightnessScore(f.pixels, size);
        report.pixels.nan += f.nan;
        report.pixels.padded += f.padded;
        if (f.nan > 0) report.pixels.framesWithNaN++;
        if (f.cropped) report.pixels.framesCropped++;
        if (f.padded > 0) report.pixels.framesPadded++;
      }
      const entry: Parameters<StoreWriter["addObject"]>[0] = {
        id,
        label,
        confirmed: label !== null && series.confirmed,
      };
      if (series.trueLabel !== undefined) entry.trueLabel = series.trueLabel;
      if (series.meta !== undefined) entry.meta = series.meta;
      await writer.addObject(entry, unique);
      report.objects.kept++;
      report.frames.kept += unique.length;
      report.frames.skipped += skippedFrames;
      checkTotals(id, item.framesIn, unique.length, skippedFrames, source.description);
      const key = label ?? "(unlabelled)";
      const lc = report.labels[key] ?? { confirmed: 0, unconfirmed: 0 };
      if (entry.confirmed) lc.confirmed++;
      else lc.unconfirmed++;
      report.labels[key] = lc;
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
  await writeFileAtomic(reportPath, JSON.stringify(report, null, 1) + "\n");
  if (showProgress) console.error(summaryLine(report));
  return report;
}

function checkTotals(id: string, framesIn: number, kept: number, skipped: number, src: string) {
  if (framesIn !== kept + skipped) {
    throw new ConventionError(
      `Internal error in source ${src}: object "${id}" declared ${framesIn} frames but ` +
        `${kept} were kept and ${skipped} skipped.`,
      { hint: "Please report this bug; the source lost frames without a problem entry." },
    );
  }
}
