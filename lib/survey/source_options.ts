/**
 * The options of the source openers (lib/survey/open_source.ts), in their own
 * file so that each opener can take them without importing the dispatcher.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** Options every opener may use (each takes what applies to it). */
export interface SourceOptions {
  /** Header keys for the band. */
  bandKeys?: readonly string[];
  /** Header keys for the time. */
  timeKeys?: readonly string[];
  /** Folder: how files are grouped into objects. */
  objectFrom?: "folder" | "key";
  /** Folder: header key naming the object. */
  objectKey?: string;
  /** Folder: labels CSV. */
  labels?: string;
  /** Folder: header key holding the label. */
  labelKey?: string;
  /** Folder: header key holding the confirmed flag. */
  confirmedKey?: string;
  /** Simulated: read at most this many objects. */
  limit?: number;
  /** Simulated: worker threads reading and parsing files (default 0). */
  workers?: number;
  /**
   * Alerts, simulated: which cut-out becomes the frame (default `science`);
   * `host-masked` (simulated only): science stamps with the host replaced by sky noise.
   */
  cutout?: "science" | "difference" | "template" | "host-masked";
  /** Rubin alerts: the alert field holding the label (e.g. `xm.simbad_otype`). */
  labelColumn?: string;
  /** Rubin alerts: writer schema(s) of Confluent-framed messages (`.avsc` file or folder). */
  schema?: string;
}

/**
 * The cut-out of an alert source: `opts.cutout`, refused when it is
 * `host-masked` (that needs each object's deep template, which only the
 * simulator has).
 */
export function alertCutout(
  opts: SourceOptions,
  input: string,
): "science" | "difference" | "template" | undefined {
  if (opts.cutout !== "host-masked") return opts.cutout;
  throw new UsageError(
    `--cutout host-masked exists only for simulated surveys (it needs each object's deep ` +
      `template); for ${input} use science, difference or template.`,
  );
}
