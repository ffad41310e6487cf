/**
 * Messages between the loader (`loader.ts`) and its workers
 * (`loader_worker.ts`).
 *
 * @module
 */
import type { BuildOptions, Visit } from "./batch_builder.ts";

/** The start message. */
export interface WorkerStart {
  /** Store folder. */
  storePath: string;
  /** Pixel cache budget. */
  cacheBytes: number;
  /** Batches to build, in order; each is a list of rows. */
  jobs: Visit[][];
  /** Sequence numbers of the jobs (for the consumer's ordering). */
  seqs: number[];
  /** Build options. */
  build: BuildOptions;
  /** Most batches built ahead of the consumer. */
  depth: number;
}
