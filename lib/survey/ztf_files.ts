/**
 * Expands the paths given for alert packets: files are kept as given,
 * directories become their `*.avro` files (sorted, not recursive).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { type AlertPacket, type ReadAlertOptions, readAlertPackets } from "./ztf_packet.ts";

/** One packet, file or cut-out that was skipped, and why. */
export interface AlertProblem {
  /** Packet file. */
  file: string;
  /** Record index in the file; null when the whole file failed. */
  index: number | null;
  /** Object id of the packet, when it was read. */
  id: string | null;
  /** Avro field of the cut-out at fault (e.g. `cutoutScience`), or null. */
  cutout: string | null;
  /** What was found (e.g. `JPEG image (FF D8 FF), 1,396 bytes`). */
  problem: string;
}

/**
 * Lists the alert packet files named by `paths`.
 *
 * @param paths Files and/or directories.
 * @returns Files in the order given; each directory's `*.avro` files sorted by name.
 * @throws {ConventionError} when a path does not exist.
 *
 * @example
 * ```ts
 * import { listAlertFiles } from "./ztf_files.ts";
 * const files = await listAlertFiles(["../shared/data/ztf-alerts"]);
 * console.log(files.length); // 10
 * ```
 */
export async function listAlertFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(p);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new ConventionError(`alert path ${p} does not exist`, {
          hint: "give .avro packet files or folders that hold them",
        });
      }
      throw err;
    }
    if (!info.isDirectory) {
      out.push(p);
      continue;
    }
    const names: string[] = [];
    for await (const e of Deno.readDir(p)) {
      if ((e.isFile || e.isSymlink) && e.name.toLowerCase().endsWith(".avro")) names.push(e.name);
    }
    names.sort();
    const base = p.endsWith("/") ? p : `${p}/`;
    for (const n of names) out.push(base + n);
  }
  return out;
}

/** What reading alert files counts (part of the series and light-curve reports). */
export interface AlertFileCounts {
  /** Files read or tried. */
  files: number;
  /** Files that could not be read at all (reported in `problems`). */
  filesFailed: number;
  /** Packets read. */
  packets: number;
  /** One entry per failed file (and whatever the caller adds). */
  problems: AlertProblem[];
}

/**
 * Reads the packets of every file in order; a file that cannot be read or
 * decoded is counted in `filesFailed`, reported in `problems` and skipped.
 *
 * @param files Packet files ({@link listAlertFiles}).
 * @param counts Counts updated in place.
 * @param options Which cut-outs to decode.
 * @param onFile Called after each file (progress).
 * @returns The packets, in file order.
 */
export async function readAlertFiles(
  files: readonly string[],
  counts: AlertFileCounts,
  options: ReadAlertOptions,
  onFile?: () => void,
): Promise<AlertPacket[]> {
  const packets: AlertPacket[] = [];
  for (const file of files) {
    counts.files++;
    try {
      const got = readAlertPackets(await Deno.readFile(file), file, options);
      counts.packets += got.length;
      packets.push(...got);
    } catch (err) {
      counts.filesFailed++;
      counts.problems.push({
        file,
        index: null,
        id: null,
        cutout: null,
        problem: (err as Error).message,
      });
    }
    onFile?.();
  }
  return packets;
}
