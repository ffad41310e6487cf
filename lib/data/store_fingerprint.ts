/**
 * A store's fingerprint: a short digest of its index (frames file name,
 * creation time, stamp size, pixel type, bands, classes, frame count and
 * every object's id, label and frame count). Each ingest gets a new one, so
 * a run records the fingerprint of the store it was trained on and refuses
 * (eval, predict on that store, --resume) a store that was re-ingested or
 * replaced at the same path since.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { hashSeed } from "../util/rng.ts";
import type { StoreIndex } from "./store_format.ts";

/** The store changed since a run was trained on it. */
export class StoreChangedError extends ConventionError {
  /**
   * Creates the error.
   *
   * @param message What changed, naming the store and the run.
   * @param options `hint` and `cause`.
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "StoreChangedError";
  }
}

/** The fingerprint of a store index: 16 hex digits. */
export function storeFingerprint(index: StoreIndex): string {
  const parts = [
    index.framesFile,
    index.created,
    index.size,
    index.dtype,
    index.bands.join(","),
    index.classes.join(","),
    index.nFrames,
    index.objects.length,
  ].join("|");
  let objects = "";
  for (const o of index.objects) {
    objects += `${o.id}\u0000${o.label ?? ""}\u0000${o.confirmed}\u0000${o.count};`;
  }
  const a = hashSeed(parts + objects, 1).toString(16).padStart(8, "0");
  const b = hashSeed(objects + parts, 2).toString(16).padStart(8, "0");
  return a + b;
}

/**
 * Checks that the store at `path` (its `index`) is the one run `runDir` was
 * trained on (`expected`, from the run's run.json). A run without a recorded
 * fingerprint (older runs) is not checked.
 *
 * @throws {StoreChangedError} When the fingerprints differ.
 */
export function checkStoreFingerprint(
  path: string,
  index: StoreIndex,
  expected: string | undefined,
  runDir: string,
): void {
  if (expected === undefined) return;
  const now = storeFingerprint(index);
  if (now === expected) return;
  throw new StoreChangedError(
    `The store ${path} changed since run ${runDir} was trained on it (fingerprint ${expected}, ` +
      `now ${now}: re-ingested ${index.created}); its test split and normalisation no longer ` +
      "match it.",
    {
      hint: "train a new run on this store, or ingest the old data again into another folder " +
        "for this run",
    },
  );
}

/** Whether folders `a` and `b` are the same (after resolving links; false when one is missing). */
export async function sameFolder(a: string, b: string): Promise<boolean> {
  try {
    return (await Deno.realPath(a)) === (await Deno.realPath(b));
  } catch {
    return false;
  }
}
