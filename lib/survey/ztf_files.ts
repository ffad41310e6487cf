/**
 * Expands the paths given for alert packets: files are kept as given,
 * directories become their packet files and archives (`*.avro`, `*.avro.gz`,
 * `*.zip`, `*.tar`, `*.tar.gz`, `*.tgz`; sorted, not recursive). Reading goes
 * file by file and packet by packet ({@link eachAlertPacket}), so memory does
 * not grow with the number of files.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { type AlertPacket, type ReadAlertOptions, readAlertPackets } from "./ztf_packet.ts";
import type { ArchiveLimits } from "./ztf_inputs.ts";
import { streamAlertInputs } from "./ztf_input_stream.ts";

/** File names a folder contributes. */
const PACKET_NAME = /\.(avro|avro\.gz|zip|tar|tar\.gz|tgz)$/i;

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
 * Lists the alert packet files (and archives) named by `paths`.
 *
 * @param paths Files and/or directories.
 * @returns Files in the order given; each directory's packet files and archives sorted by name.
 * @throws {ConventionError} when a path does not exist.
 *
 * @example
 * ```ts
 * import { listAlertFiles } from "./ztf_files.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/b.avro`, new Uint8Array());
 * await Deno.writeFile(`${dir}/a.tgz`, new Uint8Array());
 * await Deno.writeFile(`${dir}/notes.txt`, new Uint8Array());
 * const files = await listAlertFiles([dir]);
 * if (files.map((f) => f.slice(dir.length + 1)).join() !== "a.tgz,b.avro") throw new Error("list");
 * await Deno.remove(dir, { recursive: true });
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
          hint: "give .avro packet files, archives of them, or folders that hold them",
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
      if ((e.isFile || e.isSymlink) && PACKET_NAME.test(e.name)) names.push(e.name);
    }
    names.sort();
    const base = p.endsWith("/") ? p : `${p}/`;
    for (const n of names) out.push(base + n);
  }
  return out;
}

/** What reading alert files counts (part of the series and light-curve reports). */
export interface AlertFileCounts {
  /** Packet files read or tried (an archive counts its entries). */
  files: number;
  /** Files (or archive entries, or whole archives) that could not be read (in `problems`). */
  filesFailed: number;
  /** Packets read. */
  packets: number;
  /** One entry per failed file (and whatever the caller adds). */
  problems: AlertProblem[];
}

/** Options of {@link eachAlertPacket}: packet options plus archive limits. */
export type AlertReadOptions = ReadAlertOptions & ArchiveLimits;

/**
 * Reads the packets of every file (and archive entry) in order, one file at a
 * time, tar archives as a stream ({@link streamAlertInputs}); a file that cannot be read or decoded is counted in `filesFailed`,
 * reported in `problems` and skipped.
 *
 * @param files Packet files and archives ({@link listAlertFiles}).
 * @param counts Counts updated in place.
 * @param options Which cut-outs to decode, limits.
 * @param onFile Called after each given file (progress).
 * @returns The packets, in file order, as they are read.
 */
export async function* eachAlertPacket(
  files: readonly string[],
  counts: AlertFileCounts,
  options: AlertReadOptions = {},
  onFile?: () => void,
): AsyncGenerator<AlertPacket> {
  const fail = (file: string, err: unknown): void => {
    counts.filesFailed++;
    counts.problems.push({
      file,
      index: null,
      id: null,
      cutout: null,
      problem: (err as Error).message,
    });
  };
  for (const file of files) {
    try {
      for await (const input of streamAlertInputs(file, options)) {
        counts.files++;
        if ("error" in input) {
          fail(input.name, input.error);
          continue;
        }
        let got: AlertPacket[];
        try {
          got = readAlertPackets(input.bytes, input.name, options);
        } catch (err) {
          fail(input.name, err);
          continue;
        }
        counts.packets += got.length;
        yield* got;
      }
    } catch (err) {
      // The file could not be opened or read at all.
      counts.files++;
      fail(file, err);
    }
    onFile?.();
  }
}

/**
 * Reads the packets of every file in order into one array; see
 * {@link eachAlertPacket} (which does not hold them all).
 *
 * @param files Packet files and archives ({@link listAlertFiles}).
 * @param counts Counts updated in place.
 * @param options Which cut-outs to decode, limits.
 * @param onFile Called after each file (progress).
 * @returns The packets, in file order.
 */
export async function readAlertFiles(
  files: readonly string[],
  counts: AlertFileCounts,
  options: AlertReadOptions,
  onFile?: () => void,
): Promise<AlertPacket[]> {
  const packets: AlertPacket[] = [];
  for await (const p of eachAlertPacket(files, counts, options, onFile)) packets.push(p);
  return packets;
}
