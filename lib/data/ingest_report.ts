/**
 * The ingest report (`ingest_report.json`): its type, the counters that keep
 * its totals exact (objects in = kept + skipped, frames in = kept +
 * skipped), and the one-line summary.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import type { Problem, ProblemKind } from "../survey/source.ts";
import type { StoreDtype } from "./store_format.ts";

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
  /** Temporary files of killed earlier ingests into the store folder, removed first. */
  staleRemoved?: { files: string[]; bytes: number };
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

/** Counts problems and kept objects into a report. */
export class ReportCounter {
  /**
   * @param report The report being filled.
   */
  constructor(readonly report: IngestReport) {}

  /** Records `p`, which made `frames` frames be skipped. */
  problem(p: Problem, frames: number): void {
    const r = this.report;
    const c = r.problemCounts[p.kind] ?? { objects: 0, frames: 0 };
    if (p.skipped === "object") c.objects++;
    c.frames += frames;
    r.problemCounts[p.kind] = c;
    r.problems.push(p);
  }

  /** Records a skipped object with `p`, `skipped` frames in all. */
  skipObject(p: Problem, remaining: number, skippedBefore: number, framesIn: number): void {
    this.problem(p, remaining);
    this.report.objects.skipped++;
    this.report.frames.skipped += skippedBefore + remaining;
    checkTotals(p.object, framesIn, 0, skippedBefore + remaining, this.report.source);
  }

  /** Records a kept object. */
  keep(
    id: string,
    label: string | null,
    confirmed: boolean,
    kept: number,
    skipped: number,
    framesIn: number,
  ): void {
    const r = this.report;
    r.objects.kept++;
    r.frames.kept += kept;
    r.frames.skipped += skipped;
    checkTotals(id, framesIn, kept, skipped, r.source);
    const key = label ?? "(unlabelled)";
    const lc = r.labels[key] ?? { confirmed: 0, unconfirmed: 0 };
    if (confirmed) lc.confirmed++;
    else lc.unconfirmed++;
    r.labels[key] = lc;
  }
}

/** A new, empty report. */
export function emptyReport(init: {
  source: string;
  store: string;
  report: string;
  stampSize: number;
  stampPolicy: string;
  dtype: StoreDtype;
  bands: string[];
  classes: string[];
}): IngestReport {
  return {
    ...init,
    created: "",
    objects: { in: 0, kept: 0, skipped: 0 },
    frames: { in: 0, kept: 0, skipped: 0 },
    pixels: { nan: 0, padded: 0, framesWithNaN: 0, framesCropped: 0, framesPadded: 0 },
    problemCounts: {},
    labels: {},
    seconds: 0,
    problems: [],
  };
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
