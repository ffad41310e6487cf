/**
 * Rubin alerts as an ingest {@link ObjectSource} (`--kind rubin`): one object
 * per `diaObjectId` (solar-system sources per `ssObjectId`), frames from one
 * cut-out per alert, built as {@link groupRubinSeries} builds them, with
 * every skipped file, record or alert reported as a {@link Problem}.
 *
 * A first pass reads only ids, band and time (no cut-out, no history) to
 * group alerts by object; each object's cut-outs are decoded when it is
 * yielded (the last file read is kept, so a file is rarely decoded twice).
 *
 * @module
 */
import type { ObjectSource, Problem, ProblemKind, SourceItem } from "./source.ts";
import { alertCutout, type SourceOptions } from "./source_options.ts";
import type { RubinAlert } from "./rubin_alert.ts";
import type { RubinCutoutName } from "./rubin_cutout.ts";
import {
  listRubinFiles,
  readRubinFile,
  type RubinProblem,
  type RubinReadOptions,
} from "./rubin_files.ts";
import { loadRubinSchemas } from "./rubin_avro.ts";
import { groupRubinSeries } from "./rubin_series.ts";
import { labelFromColumn, readRubinLabels, type RubinLabel } from "./rubin_labels.ts";

/** Options of {@link rubinSource}. */
export interface RubinSourceOptions extends Omit<RubinReadOptions, "cutouts" | "columns"> {
  /** Which cut-out makes the frames (default `science`). */
  cutout?: RubinCutoutName;
  /** Stamp size of the frames (default `"native"`: ingest fits each to the store size). */
  size?: number | "native";
  /** Labels by object id. */
  labels?: ReadonlyMap<string, RubinLabel>;
  /** Or: the alert field holding the label (e.g. `xm.simbad_otype`), used when `labels` lacks the object. */
  labelColumn?: string;
}

function kindOf(p: RubinProblem): ProblemKind {
  if (p.problem.startsWith("duplicate frame")) return "duplicate-frame";
  if (p.problem.startsWith("unknown band")) return "unknown-band";
  if (p.problem.startsWith("alert has no")) return "missing-hdu";
  return p.index === null ? "unreadable-file" : "bad-value";
}

function describe(p: RubinProblem): string {
  const at = `${p.file}${p.index !== null ? `[${p.index}]` : ""}`;
  return `${at}${p.diaSourceId ? ` (diaSourceId ${p.diaSourceId})` : ""}: ${p.problem}`;
}

/** Where one alert lives. */
interface Ref {
  file: string;
  index: number;
}

/** The first pass: alerts grouped by object, plus the files and records that failed. */
async function scan(list: readonly string[], opts: RubinReadOptions) {
  const groups = new Map<string, Ref[]>();
  const failed: RubinProblem[] = [];
  for (const file of await listRubinFiles(list)) {
    try {
      const r = await readRubinFile(file, { ...opts, cutouts: [], history: false });
      failed.push(...r.problems);
      for (const a of r.alerts) {
        let refs = groups.get(a.id);
        if (!refs) groups.set(a.id, refs = []);
        refs.push({ file, index: a.index });
      }
    } catch (err) {
      failed.push({
        file,
        index: null,
        diaSourceId: null,
        cutout: null,
        problem: (err as Error).message,
      });
    }
  }
  return { groups, failed };
}

function failedItem(p: RubinProblem): SourceItem {
  const id = p.index === null ? `file:${p.file}` : `record:${p.file}[${p.index}]`;
  const problem: Problem = {
    object: id,
    kind: p.index === null ? "unreadable-file" : "bad-value",
    skipped: "object",
    message: p.index === null ? `${p.file} cannot be read: ${p.problem}` : describe(p),
    file: p.file,
  };
  return { id, series: null, problems: [problem], framesIn: 1 };
}

/**
 * Makes an ingest source over Rubin alert files or folders.
 *
 * @param paths A file or folder, or a list of them.
 * @param options Cut-out, stamp size, labels, schemas.
 *
 * @example
 * ```ts
 * import { rubinSource } from "./rubin_source.ts";
 * const src = rubinSource("fixtures/rubin/part-1-0-398764591.parquet", {
 *   labelColumn: "xm.simbad_otype",
 * });
 * const labels = [];
 * for await (const item of src.items()) labels.push(item.series?.label);
 * if (labels.join() !== "EB*,,HB*") throw new Error("example check failed");
 * ```
 */
export function rubinSource(
  paths: string | readonly string[],
  options: RubinSourceOptions = {},
): ObjectSource {
  const list = typeof paths === "string" ? [paths] : [...paths];
  const cutout = options.cutout ?? "science";
  const columns = options.labelColumn ? [options.labelColumn] : [];
  let counted: number | undefined;
  let cache: { file: string; alerts: Map<number, RubinAlert> } | null = null;
  const load = async (file: string): Promise<Map<number, RubinAlert>> => {
    if (cache?.file !== file) {
      const r = await readRubinFile(file, {
        ...options,
        cutouts: [cutout],
        columns,
        history: false,
      });
      cache = { file, alerts: new Map(r.alerts.map((a) => [a.index, a])) };
    }
    return cache.alerts;
  };
  return {
    description: `rubin-alerts:${list.join(",")}`,
    /** Known once `items()` has scanned the files. */
    get count(): number | undefined {
      return counted;
    },
    async *items(): AsyncGenerator<SourceItem> {
      const { groups, failed } = await scan(list, options);
      counted = groups.size + failed.length;
      for (const p of failed) yield failedItem(p);
      for (const [id, refs] of groups) {
        const alerts: RubinAlert[] = [];
        const problems: Problem[] = [];
        for (const r of refs) {
          try {
            const a = (await load(r.file)).get(r.index);
            if (a) alerts.push(a);
          } catch (err) {
            problems.push({
              object: id,
              kind: "unreadable-file",
              skipped: "frame",
              message: `${r.file} cannot be read: ${(err as Error).message}`,
              file: r.file,
            });
          }
        }
        yield itemOf(id, refs.length, alerts, problems, options);
      }
    },
  };
}

function itemOf(
  id: string,
  framesIn: number,
  alerts: RubinAlert[],
  problems: Problem[],
  options: RubinSourceOptions,
): SourceItem {
  const cutout = options.cutout ?? "science";
  const { series, report } = groupRubinSeries(alerts, { cutout, size: options.size ?? "native" });
  for (const p of report.problems) {
    problems.push({
      object: id,
      kind: kindOf(p),
      skipped: "frame",
      message: `Object "${id}": ${describe(p)}`,
      file: p.file,
    });
  }
  const s = series[0] ?? null;
  if (!s) {
    problems.push({
      object: id,
      kind: "no-frames",
      skipped: "object",
      message: `Object "${id}": none of its ${framesIn} alerts has a usable ${cutout} cut-out`,
    });
    return { id, series: null, problems, framesIn };
  }
  const l = options.labels?.get(id);
  if (l) {
    s.label = l.label;
    s.confirmed = l.confirmed;
  } else if (options.labelColumn) {
    s.label = labelFromColumn(alerts, options.labelColumn);
  }
  return { id, series: s, problems, framesIn };
}

/**
 * The `rubin` opener of the source registry: files or folders of Fink
 * Parquet exports or LSST Avro alerts; `opts.cutout`, `opts.labels` (CSV),
 * `opts.labelColumn` and `opts.schema` (for Confluent-framed messages) apply.
 *
 * @param input A file or folder.
 * @param opts Registry options.
 */
export function openRubinSource(input: string, opts: SourceOptions = {}): ObjectSource {
  return rubinSource(input, {
    cutout: alertCutout(opts, input),
    labels: opts.labels ? readRubinLabels(opts.labels) : undefined,
    labelColumn: opts.labelColumn,
    schemas: opts.schema ? loadRubinSchemas(opts.schema) : null,
  });
}
