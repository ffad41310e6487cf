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
import { alertCutout, type SourceOptions } from "./source_options.ts";
import { parseConfirmed, readCsv } from "./csv.ts";
import { listAlertFiles } from "./ztf_files.ts";
import { type AlertPacket, readAlertPackets } from "./ztf_packet.ts";
import { type AlertInput, readAlertInputFile } from "./ztf_inputs.ts";
import { type AlertProblem, type AlertSeriesOptions, groupAlertSeries } from "./ztf_series.ts";
import type { CutoutLimits } from "./ztf_cutout.ts";

/** Options of {@link alertSource}. */
export interface AlertSourceOptions extends AlertSeriesOptions {
  /** Labels by object id (e.g. from a cross-match); objects not in it get label null. */
  labels?: ReadonlyMap<string, { label: string | null; confirmed: boolean }>;
}

/** Where one packet lives: a file, the packet file in it (itself or an archive entry), a record. */
interface PacketRef {
  path: string;
  entry: string;
  index: number;
}

/** The packet files of one path, the last one expanded kept (objects' packets are often together). */
class InputCache {
  #path: string | null = null;
  #inputs: AlertInput[] = [];
  async get(path: string): Promise<AlertInput[]> {
    if (this.#path !== path) {
      this.#path = null;
      this.#inputs = await readAlertInputFile(path);
      this.#path = path;
    }
    return this.#inputs;
  }
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

function limitsOf(o: AlertSourceOptions): CutoutLimits & { maxBlockBytes?: number } {
  return {
    maxCutoutBytes: o.maxCutoutBytes,
    maxCutoutPixels: o.maxCutoutPixels,
    maxBlockBytes: o.maxBlockBytes,
  };
}

/**
 * Makes an ingest source over alert packet files, archives or folders. Cut-outs
 * over the size limits ({@link AlertSourceOptions}) are reported per packet.
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
 * import { makeAlertPacket } from "./ztf_example.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/a.avro`, makeAlertPacket({ objectId: "ZTF21a" }));
 * const src = alertSource(dir, { cutout: "difference" });
 * for await (const item of src.items()) {
 *   if (item.id !== "ZTF21a" || item.series?.frames.length !== 1) throw new Error(item.id);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function alertSource(
  paths: string | readonly string[],
  options: AlertSourceOptions = {},
): ObjectSource {
  const list = typeof paths === "string" ? [paths] : [...paths];
  let scanned: Scan | null = null;
  const cache = new InputCache();
  return {
    description: `ztf-alerts:${list.join(",")}`,
    /** Known once `items()` has scanned the packets (objects + unreadable files). */
    get count(): number | undefined {
      return scanned ? scanned.groups.size + scanned.unreadable.length : undefined;
    },
    async *items(): AsyncGenerator<SourceItem> {
      scanned ??= await scanAlertFiles(list);
      for (const u of scanned.unreadable) {
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
      for (const [id, refs] of scanned.groups) {
        const { packets, problems } = await readObjectPackets(id, refs, cache, options);
        yield objectItem(id, refs.length, packets, problems, options);
      }
    },
  };
}

/** What the first pass finds: packets by object id, and the files that do not read. */
interface Scan {
  groups: Map<string, PacketRef[]>;
  unreadable: { file: string; error: string }[];
}

/** First pass: reads every packet's header fields (no cut-out) to group packets by object. */
async function scanAlertFiles(list: readonly string[]): Promise<Scan> {
  const groups = new Map<string, PacketRef[]>();
  const unreadable: Scan["unreadable"] = [];
  for (const path of await listAlertFiles(list)) {
    let inputs: AlertInput[];
    try {
      inputs = await readAlertInputFile(path);
    } catch (err) {
      unreadable.push({ file: path, error: (err as Error).message });
      continue;
    }
    for (const input of inputs) {
      try {
        for (const p of readAlertPackets(input.bytes, input.name, { cutouts: [] })) {
          let refs = groups.get(p.id);
          if (!refs) groups.set(p.id, refs = []);
          refs.push({ path, entry: input.name, index: p.index });
        }
      } catch (err) {
        unreadable.push({ file: input.name, error: (err as Error).message });
      }
    }
  }
  return { groups, unreadable };
}

/** Second pass for one object: its packets, cut-outs still compressed. */
async function readObjectPackets(
  id: string,
  refs: readonly PacketRef[],
  cache: InputCache,
  options: AlertSourceOptions,
): Promise<{ packets: AlertPacket[]; problems: Problem[] }> {
  const packets: AlertPacket[] = [];
  const problems: Problem[] = [];
  const byFile = new Map<string, PacketRef[]>();
  for (const r of refs) {
    const ix = byFile.get(r.entry);
    if (ix) ix.push(r);
    else byFile.set(r.entry, [r]);
  }
  const read = { cutouts: [], keepStamps: true, ...limitsOf(options) };
  for (const [file, entryRefs] of byFile) {
    try {
      const input = (await cache.get(entryRefs[0]!.path)).find((i) => i.name === file);
      if (!input) throw new Error(`${file} is no longer there`);
      // Cut-outs are decoded by the grouping, after duplicates are dropped.
      const all = readAlertPackets(input.bytes, file, read);
      for (const r of entryRefs) if (all[r.index]) packets.push(all[r.index]!);
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
  return { packets, problems };
}

/** Groups one object's packets into its series and the item's problems. */
function objectItem(
  id: string,
  framesIn: number,
  packets: AlertPacket[],
  problems: Problem[],
  options: AlertSourceOptions,
): SourceItem {
  const cutout = options.cutout ?? "science";
  const size = options.size ?? 63;
  const { series, report } = groupAlertSeries(packets, { cutout, size, ...limitsOf(options) });
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
      message: `Object "${id}": none of its ${framesIn} packets has a usable ${cutout} cut-out`,
    });
  }
  return { id, series: s, problems, framesIn };
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
    cutout: alertCutout(opts, input),
    labels: opts.labels ? readAlertLabels(opts.labels) : undefined,
  });
}
