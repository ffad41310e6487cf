/**
 * The options of the source openers (lib/survey/open_source.ts), in their own
 * file so that each opener can take them without importing the dispatcher.
 *
 * @module
 */

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
  /** Alerts: which cut-out becomes the frame (default `science`). */
  cutout?: "science" | "difference" | "template";
}
