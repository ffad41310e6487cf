/**
 * Reading a packed store: the index and per-frame tables in memory (about 17
 * bytes per frame), pixels read from the frames file by offset on demand,
 * through an LRU cache bounded in bytes. Memory therefore stays bounded
 * whatever the size of the dataset.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import {
  INDEX_NAME,
  STORE_FORMAT,
  STORE_VERSION,
  type StoreDtype,
  type StoreIndex,
  storeLayout,
  type StoreObjectEntry,
} from "./store_format.ts";

/**
 * Raised when a store folder is missing, incomplete or corrupt.
 *
 * @example
 * ```ts
 * import { openStore, StoreError } from "./store.ts";
 * const dir = await Deno.makeTempDir(); // empty: no index.json
 * try {
 *   await openStore(dir);
 * } catch (e) {
 *   if (!(e instanceof StoreError)) throw e;
 *   console.log(e.message, e.hint);
 * }
 * await Deno.remove(dir);
 * ```
 */
export class StoreError extends ConventionError {
  /**
   * Creates the error.
   *
   * @param message What is wrong with which store.
   * @param options `hint` and `cause`.
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "StoreError";
  }
}

/** An object of the store with its class index resolved. */
export interface StoreObject extends StoreObjectEntry {
  /** Position in {@link Store.objects}. */
  index: number;
  /** Class index in {@link Store.classes}, or -1 when unlabelled. */
  labelIndex: number;
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Byte budget of the pixel cache (default 64 MiB; 0 disables it). */
  cacheBytes?: number;
}

const DEFAULT_CACHE = 64 << 20;

/**
 * An open packed store. Call {@link Store.close} when done.
 *
 * @example Per-object metadata and the pixels of one object
 * ```ts
 * import { ingest } from "./ingest.ts";
 * import { openStore } from "./store.ts";
 * import { simulateSurvey } from "../simulate/survey.ts";
 * import { simulatedSource } from "../survey/simulated.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 8, size: 16, progress: false });
 * await ingest(simulatedSource(`${dir}/s82`), { out: `${dir}/store`, size: 16, progress: false });
 * const store = await openStore(`${dir}/store`);
 * const o = store.get("S82-000001");
 * const pixels = store.readObject(o.index); // [o.count, 16, 16], NaN = invalid pixel
 * if (!(pixels.length === o.count * store.size * store.size)) throw new Error("example check failed");
 * const firstBand = store.bands[store.band[o.first]! - 1]; // band ids are 1-based
 * console.log(o.label, o.confirmed, o.count, firstBand, store.mjd[o.first]);
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class Store {
  /** Store folder. */
  readonly path: string;
  /** The parsed index. */
  readonly index: StoreIndex;
  /** Objects in store order. */
  readonly objects: readonly StoreObject[];
  /** Stamp side in pixels. */
  readonly size: number;
  /** Band names in id order (band id 1 = `bands[0]`). */
  readonly bands: readonly string[];
  /** Class names in class-index order. */
  readonly classes: readonly string[];
  /** MJD of every frame (store frame order). */
  readonly mjd: Float64Array;
  /** Brightness score of every frame. */
  readonly score: Float32Array;
  /** Invalid-pixel count of every frame. */
  readonly invalid: Uint32Array;
  /** Band id of every frame. */
  readonly band: Uint8Array;
  #file: Deno.FsFile | null;
  #byId = new Map<string, number>();
  #cache = new Map<number, Float32Array>();
  #cacheBytes = 0;
  #cacheLimit: number;
  #raw: Uint8Array = new Uint8Array(0);

  /**
   * Use {@link openStore} or {@link openStoreSync}.
   *
   * @param path Store folder.
   * @param index Parsed index.
   * @param file Open frames file.
   * @param tables Per-frame tables read from the frames file.
   * @param opts Cache options.
   */
  constructor(
    path: string,
    index: StoreIndex,
    file: Deno.FsFile,
    tables: { mjd: Float64Array; score: Float32Array; invalid: Uint32Array; band: Uint8Array },
    opts: OpenStoreOptions = {},
  ) {
    this.path = path;
    this.index = index;
    this.size = index.size;
    this.bands = index.bands;
    this.classes = index.classes;
    this.#file = file;
    this.mjd = tables.mjd;
    this.score = tables.score;
    this.invalid = tables.invalid;
    this.band = tables.band;
    this.#cacheLimit = opts.cacheBytes ?? DEFAULT_CACHE;
    const classIndex = new Map(index.classes.map((c, i) => [c, i]));
    this.objects = index.objects.map((o, i) => {
      this.#byId.set(o.id, i);
      return { ...o, index: i, labelIndex: o.label === null ? -1 : classIndex.get(o.label) ?? -1 };
    });
  }

  /** Pixel type on disk. */
  get dtype(): StoreDtype {
    return this.index.dtype;
  }

  /** Number of frames in the store. */
  get nFrames(): number {
    return this.index.nFrames;
  }

  /** Position of an object id in {@link Store.objects}, or -1. */
  indexOf(id: string): number {
    return this.#byId.get(id) ?? -1;
  }

  /** The object with this id; throws {@link StoreError} when absent. */
  get(id: string): StoreObject {
    const i = this.#byId.get(id);
    if (i === undefined) {
      throw new StoreError(`Object "${id}" is not in the store ${this.path}.`, {
        hint: "Was the split made for another store? Make it again for this one.",
      });
    }
    return this.objects[i]!;
  }

  /**
   * All frames of object `i` as float32 `[count, size, size]` (NaN = invalid
   * pixel), read with one positioned read and cached. The returned array is
   * shared with the cache: do not modify it.
   */
  readObject(i: number): Float32Array {
    const hit = this.#cache.get(i);
    if (hit) {
      this.#cache.delete(i);
      this.#cache.set(i, hit);
      return hit;
    }
    const o = this.objects[i];
    if (!o) throw new StoreError(`Object index ${i} is out of range in store ${this.path}.`);
    const file = this.#file;
    if (!file) throw new StoreError(`Store ${this.path} is closed.`);
    const px = this.size * this.size;
    const bpp = this.dtype === "float16" ? 2 : 4;
    const nBytes = o.count * px * bpp;
    if (this.#raw.length < nBytes) this.#raw = new Uint8Array(Math.max(nBytes, 1 << 20));
    const raw = this.#raw.subarray(0, nBytes);
    file.seekSync(this.index.layout.pixels + o.first * px * bpp, Deno.SeekMode.Start);
    let off = 0;
    while (off < nBytes) {
      const n = file.readSync(raw.subarray(off));
      if (n === null || n === 0) {
        throw new StoreError(`Store ${this.path}: frames file ended early (object "${o.id}").`);
      }
      off += n;
    }
    const out = new Float32Array(o.count * px);
    if (bpp === 2) out.set(new Float16Array(raw.buffer, raw.byteOffset, o.count * px));
    else out.set(new Float32Array(raw.buffer, raw.byteOffset, o.count * px));
    if (this.#cacheLimit > 0 && out.byteLength <= this.#cacheLimit) {
      this.#cache.set(i, out);
      this.#cacheBytes += out.byteLength;
      while (this.#cacheBytes > this.#cacheLimit) {
        const oldest = this.#cache.keys().next().value as number;
        this.#cacheBytes -= this.#cache.get(oldest)!.byteLength;
        this.#cache.delete(oldest);
      }
    }
    return out;
  }

  /** Bytes currently held by the pixel cache. */
  get cachedBytes(): number {
    return this.#cacheBytes;
  }

  /** Closes the frames file. */
  close(): void {
    this.#file?.close();
    this.#file = null;
    this.#cache.clear();
    this.#cacheBytes = 0;
  }

  /** Closes the store (for `using store = openStoreSync(...)`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

function parseIndex(path: string, text: string | null): StoreIndex {
  if (text === null) {
    throw new StoreError(`${path} is not a complete store: ${INDEX_NAME} is missing.`, {
      hint: "An ingest into this folder did not finish; run `convention ingest` again.",
    });
  }
  let index: StoreIndex;
  try {
    index = JSON.parse(text) as StoreIndex;
  } catch (e) {
    throw new StoreError(`${path}/${INDEX_NAME} is not valid JSON.`, {
      cause: e,
      hint: "Run `convention ingest` again.",
    });
  }
  if (index.format !== STORE_FORMAT || index.complete !== true) {
    throw new StoreError(`${path}/${INDEX_NAME} is not a complete ${STORE_FORMAT} index.`, {
      hint: "Run `convention ingest` again.",
    });
  }
  if (index.version > STORE_VERSION) {
    throw new StoreError(
      `Store ${path} has format version ${index.version}; this program reads up to ${STORE_VERSION}.`,
      { hint: "Upgrade convention or ingest again." },
    );
  }
  const expect = storeLayout(index.nFrames, index.size, index.dtype);
  if (JSON.stringify(expect) !== JSON.stringify(index.layout)) {
    throw new StoreError(`Store ${path}: the index layout does not match its frame count.`);
  }
  if (typeof index.framesFile !== "string" || index.framesFile.includes("/")) {
    throw new StoreError(`Store ${path}: the index names no valid frames file.`);
  }
  return index;
}

function readTables(
  path: string,
  index: StoreIndex,
  file: Deno.FsFile,
): { mjd: Float64Array; score: Float32Array; invalid: Uint32Array; band: Uint8Array } {
  const size = file.statSync().size;
  if (size !== index.layout.bytes) {
    throw new StoreError(
      `Store ${path}: ${index.framesFile} has ${size} bytes, the index expects ${index.layout.bytes}.`,
      { hint: "The store is damaged; run `convention ingest` again." },
    );
  }
  const n = index.nFrames;
  const start = index.layout.mjd;
  const buf = new Uint8Array(index.layout.bytes - start);
  file.seekSync(start, Deno.SeekMode.Start);
  let off = 0;
  while (off < buf.length) {
    const r = file.readSync(buf.subarray(off));
    if (r === null || r === 0) throw new StoreError(`Store ${path}: frames file ended early.`);
    off += r;
  }
  const at = (o: number) => o - start;
  const mjd = new Float64Array(buf.buffer, at(index.layout.mjd), n);
  const score = new Float32Array(buf.buffer, at(index.layout.score), n);
  const invalid = new Uint32Array(buf.buffer, at(index.layout.invalid), n);
  const band = new Uint8Array(buf.buffer, at(index.layout.band), n);
  let total = 0;
  for (const o of index.objects) {
    if (o.first !== total) throw new StoreError(`Store ${path}: object "${o.id}" is misplaced.`);
    total += o.count;
  }
  if (total !== n) throw new StoreError(`Store ${path}: objects hold ${total} frames, not ${n}.`);
  return { mjd, score, invalid, band };
}

function readTextOrNull(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * Opens a store synchronously (for workers); see {@link openStore}.
 */
export function openStoreSync(path: string, opts: OpenStoreOptions = {}): Store {
  const index = parseIndex(path, readTextOrNull(`${path}/${INDEX_NAME}`));
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(`${path}/${index.framesFile}`, { read: true });
  } catch (e) {
    throw new StoreError(`Store ${path}: frames file ${index.framesFile} cannot be opened.`, {
      cause: e,
      hint: "The store is damaged; run `convention ingest` again.",
    });
  }
  try {
    return new Store(path, index, file, readTables(path, index, file), opts);
  } catch (e) {
    file.close();
    throw e;
  }
}

/**
 * Opens a packed store folder. Refuses a folder without a complete index,
 * or whose frames file is missing or has the wrong length.
 *
 * @example
 * ```ts
 * import { ingest } from "./ingest.ts";
 * import { openStore } from "./store.ts";
 * import { simulateSurvey } from "../simulate/survey.ts";
 * import { simulatedSource } from "../survey/simulated.ts";
 * const dir = await Deno.makeTempDir();
 * await simulateSurvey({ out: `${dir}/s82`, objects: 8, size: 16, progress: false });
 * await ingest(simulatedSource(`${dir}/s82`), { out: `${dir}/store`, size: 16, progress: false });
 * const store = await openStore(`${dir}/store`);
 * console.log(store.objects.length, store.nFrames, store.bands, store.classes);
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function openStore(path: string, opts: OpenStoreOptions = {}): Promise<Store> {
  return Promise.resolve().then(() => openStoreSync(path, opts));
}
