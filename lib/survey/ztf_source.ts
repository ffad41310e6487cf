/**
 * ZTF alert packets as an ingest {@link ObjectSource}: one object per
 * objectId, frames from one cut-out per packet, built exactly as
 * {@link groupAlertSeries} builds them (edge stamps padded and masked, NaN ->
 * 0, duplicates and non-FITS cut-outs skipped), with every skipped packet,
 * file or object reported as a {@link Problem}.
 *
 * Memory stays bounded on large folders: a first pass reads only the packet
 * headers (no cut-out decoding) to group packets by object; each object's
 * cut-outs are decoded when the object is yielded.
 *
 * @module
 */
import type { ObjectSource, Problem, ProblemKind, SourceItem } from "./source.ts";
import type { SourceOptions } from "./source_options.ts";
import { parseConfirmed, readCsv } from "./csv.ts";
import { listAlertFiles } from "./ztf_files.ts";
import { type AlertPacket, readAlertPackets } from "./ztf_packet.ts";
import { type AlertProblem, type AlertSeriesOptions, groupAlertSeries } from "./ztf_series.ts";

/** Options of {@link alertSource}. */
export interface AlertSourceOptions extends AlertSeriesOptions {
  /** Labels by object id (e.g. from a cross-match); objects not in it get label null. */
  labels?: ReadonlyMap<string, { label: string | null; confirmed: boolean }>;
}

/** Where one packet lives. */
interface PacketRef {
  file: string;
  index: number;
}

function kindOf(p: AlertProblem): ProblemKind {
  if (p.problem.startsWith("duplicate frame")) return "duplicate-frame";
  if (p.problem.startsWith("unknown filter id")) return "unknown-band";
  if (p.problem.startsWith("packet has no")) return "missing-hdu";
  return "unreadable-file";
}

function describe(p: AlertProblem): string {
  const at = `${p.file}${p.index !== null ? `[${p.index}]` : ""}${p.cutout ? ` ${p.cutout}` : ""}`;
  return p.cutout && !p.problem.startsWith("packet has no")
    ? `${at} is not a FITS image: ${p.problem}`
    : `${at}: ${p.problem}`;
}

/**
 * Makes an ingest source over alert packet files or folders.
 *
 * @param paths A file or folder, or a list of them (folders expand to `*.avro`).
 * @param options Cut-out (`science` default), stamp size (63), labels.
 * @returns A source yielding one item per object (objects whose packets all
 *   failed come with `series: null` and a `no-frames` problem) and one item per
 *   unreadable file (id `file:<path>`).
 *
 * @example
 * ```ts
 * import { alertSource } from "./ztf_source.ts";
 * const src = alertSource("../shared/data/ztf-alerts", { cutout: "difference" });
 * for await (const item of src.items()) {
 *   console.log(item.id, item.series?.frames.length ?? 0, item.problems.length);
 * }
 * ```
 */
export function alertSource(
  paths: string | readonly string[],
  options: AlertSourceOptions = {},
): ObjectSource {
  const list = typeof paths === "string" ? [paths] : [...paths];
  const cutout = options.cutout ?? "science";
  const size = options.size ?? 63;
  let groups: Map<string, PacketRef[]> | null = null;
  const unreadable: { file: string; error: string }[] = [];
  const scan = async (): Promise<Map<string, PacketRef[]>> => {
    if (groups) return groups;
    const g = new Map<string, PacketRef[]>();
    for (const file of await listAlertFiles(list)) {
      try {
        const packets = readAlertPackets(await Deno.readFile(file), file, { cutouts: [] });
        for (const p of packets) {
          let refs = g.get(p.id);
          if (!refs) g.set(p.id, refs = []);
          refs.push({ file, index: p.index });
        }
      } catch (err) {
        unreadable.push({ file, error: (err as Error).message });
      }
    }
    groups = g;
    return g;
  };
  return {
    description: `ztf-alerts:${list.join(",")}`,
    /** Known once `items()` has scanned the packets (objects + unreadable files). */
    get count(): number | undefined {
      return groups ? groups.size + unreadable.length : undefined;
    },
    async *items(): AsyncGenerator<SourceItem> {
      const g = await scan();
      for (const u of unreadable) {
        const id = `file:${u.file}`;
        yield {
          id,
          series: null,
          problems: [{
            object: id,
            kind: "unreadable-file",
            skipped: "object",
            message: `${u.file} cannot be read: ${u.error}`,
            file: u.file,
          }],
          framesIn: 1,
        };
      }
      for (const [id, refs] of g) {
        const packets: AlertPacket[] = [];
        const problems: Problem[] = [];
        const byFile = new Map<string, number[]>();
        for (const r of refs) {
          const ix = byFile.get(r.file);
          if (ix) ix.push(r.index);
          else byFile.set(r.file, [r.index]);
        }
        for (const [file, indexes] of byFile) {
          try {
            const all = readAlertPackets(await Deno.readFile(file), file, { cutouts: [cutout] });
            for (const i of indexes) if (all[i]) packets.push(all[i]!);
          } catch (err) {
            // The file read in the first pass but not now (changed or removed meanwhile).
            problems.push({
              object: id,
              kind: "unreadable-file",
              skipped: "frame",
              message: `${file} cannot be read: ${(err as Error).message}`,
              file,
            });
          }
        }
        const { series, report } = groupAlertSeries(packets, { cutout, size });
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
        if (s) {
          const l = options.labels?.get(id);
          if (l) {
            s.label = l.label;
            s.confirmed = l.confirmed;
          }
        } else {
          problems.push({
            object: id,
            kind: "no-frames",
            skipped: "object",
            message: `Object "${id}": none of its ${refs.length} packets has a usable ${cutout} ` +
              `cut-out`,
          });
        }
        yield { id, series: s, problems, framesIn: refs.length };
      }
    },
  };
}

/**
 * Reads a labels CSV (`object_id,label[,confirmed]`) into the map
 * {@link AlertSourceOptions.labels} takes.
 *
 * @param path CSV path.
 * @throws {ConventionError} when the file cannot be read or lacks a column.
 */
export function readAlertLabels(
  path: string,
): Map<string, { label: string | null; confirmed: boolean }> {
  const labels = new Map<string, { label: string | null; confirmed: boolean }>();
  for (const r of readCsv(path, ["object_id", "label"])) {
    labels.set(r["object_id"]!.trim(), {
      label: r["label"]?.trim() || null,
      confirmed: parseConfirmed(r["confirmed"]) ?? false,
    });
  }
  return labels;
}

/**
 * The `alerts` opener of the source registry (a built-in kind of
 * `openSource`): a file or folder of packets, science cut-outs (or
 * `opts.cutout`) at 63x63,
 * labels from `opts.labels` (a CSV `object_id,label[,confirmed]`) when given.
 *
 * @param input A packet file or a folder of them.
 * @param opts Registry options; `cutout` and `labels` apply.
 */
export function openAlertSource(input: string, opts: SourceOptions = {}): ObjectSource {
  return alertSource(input, {
    cutout: opts.cutout,
    labels: opts.labels ? readAlertLabels(opts.labels) : undefined,
  });
}
