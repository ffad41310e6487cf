/**
 * Writes a packed store (see `store_format.ts`) frame by frame with bounded
 * memory: pixels stream into a temporary frames file, per-frame metadata
 * (a few bytes per frame) stays in memory until {@link StoreWriter.finish},
 * which renames everything into place, the index last.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import {
  INDEX_NAME,
  STAMP_POLICY,
  STORE_FORMAT,
  STORE_VERSION,
  type StoreDtype,
  type StoreIndex,
  storeLayout,
  type StoreObjectEntry,
} from "./store_format.ts";

/** One frame ready for the store. */
export interface StoreFrame {
  /** `[size, size]` pixels, NaN = invalid. */
  pixels: Float32Array;
  /** Band id 1..B. */
  band: number;
  /** MJD. */
  mjd: number;
  /** Brightness score. */
  score: number;
  /** Number of invalid pixels. */
  invalid: number;
}

/** Options of {@link StoreWriter.create}. */
export interface StoreWriterOptions {
  /** Stamp side in pixels. */
  size: number;
  /** Pixel type (default float32). */
  dtype?: StoreDtype;
  /** Band names in id order. */
  bands: readonly string[];
  /** Class names in class-index order. */
  classes: readonly string[];
  /** Source description for the index. */
  source: string;
}

class Growable<T extends Float64Array | Float32Array | Uint32Array | Uint8Array> {
  arr: T;
  n = 0;
  constructor(private make: (n: number) => T) {
    this.arr = make(1024);
  }
  push(v: number): void {
    if (this.n === this.arr.length) {
      const next = this.make(this.arr.length * 2);
      next.set(this.arr);
      this.arr = next;
    }
    this.arr[this.n++] = v;
  }
  view(): T {
    return this.arr.subarray(0, this.n) as T;
  }
}

const FLUSH_BYTES = 4 << 20;

/** Writes a store; call {@link StoreWriter.finish} or {@link StoreWriter.abort}. */
export class StoreWriter {
  readonly dir: string;
  readonly size: number;
  readonly dtype: StoreDtype;
  #opts: StoreWriterOptions;
  #file: Deno.FsFile;
  #tmpFrames: string;
  #framesName: string;
  #buf: Uint8Array;
  #bufLen = 0;
  #written = 0;
  #mjd = new Growable((n) => new Float64Array(n));
  #score = new Growable((n) => new Float32Array(n));
  #invalid = new Growable((n) => new Uint32Array(n));
  #band = new Growable((n) => new Uint8Array(n));
  #objects: StoreObjectEntry[] = [];
  #ids = new Set<string>();
  #closed = false;

  private constructor(dir: string, opts: StoreWriterOptions, file: Deno.FsFile, tag: string) {
    this.dir = dir;
    this.size = opts.size;
    this.dtype = opts.dtype ?? "float32";
    this.#opts = opts;
    this.#file = file;
    this.#framesName = `frames-${tag}.bin`;
    this.#tmpFrames = `${dir}/${this.#framesName}.tmp`;
    this.#buf = new Uint8Array(FLUSH_BYTES + opts.size * opts.size * 4);
  }

  /** Creates the store folder (if needed) and a temporary frames file in it. */
  static async create(dir: string, opts: StoreWriterOptions): Promise<StoreWriter> {
    if (!Number.isInteger(opts.size) || opts.size < 1 || opts.size > 4096) {
      throw new ConventionError(`Store stamp size ${opts.size} is not an integer in 1..4096.`);
    }
    await Deno.mkdir(dir, { recursive: true });
    const tag = `${Date.now().toString(36)}${crypto.randomUUID().slice(0, 8)}`;
    const file = await Deno.open(`${dir}/frames-${tag}.bin.tmp`, {
      write: true,
      create: true,
      truncate: true,
    });
    return new StoreWriter(dir, opts, file, tag);
  }

  /** Number of frames written so far. */
  get nFrames(): number {
    return this.#mjd.n;
  }

  /** Number of objects written so far. */
  get nObjects(): number {
    return this.#objects.length;
  }

  async #flush(): Promise<void> {
    let off = 0;
    while (off < this.#bufLen) {
      off += await this.#file.write(this.#buf.subarray(off, this.#bufLen));
    }
    this.#written += this.#bufLen;
    this.#bufLen = 0;
  }

  /**
   * Appends one object (its frames already fitted, time-ordered and
   * validated). Throws on a repeated id.
   */
  async addObject(
    entry: Omit<StoreObjectEntry, "first" | "count">,
    frames: readonly StoreFrame[],
  ): Promise<void> {
    if (this.#closed) throw new ConventionError("The store writer is already closed.");
    if (this.#ids.has(entry.id)) {
      throw new ConventionError(`Object "${entry.id}" was already written to the store.`);
    }
    this.#ids.add(entry.id);
    const first = this.#mjd.n;
    const px = this.size * this.size;
    for (const f of frames) {
      if (f.pixels.length !== px) {
        throw new ConventionError(
          `Object "${entry.id}": a frame has ${f.pixels.length} pixels, the store expects ${px}.`,
        );
      }
      const bytes = this.dtype === "float16" ? 2 * px : 4 * px;
      if (this.#bufLen + bytes > this.#buf.length) await this.#flush();
      const dst = this.#buf.subarray(this.#bufLen, this.#bufLen + bytes);
      if (this.dtype === "float16") {
        new Float16Array(dst.buffer, dst.byteOffset, px).set(f.pixels);
      } else {
        new Float32Array(dst.buffer, dst.byteOffset, px).set(f.pixels);
      }
      this.#bufLen += bytes;
      if (this.#bufLen >= FLUSH_BYTES) await this.#flush();
      this.#mjd.push(f.mjd);
      this.#score.push(f.score);
      this.#invalid.push(f.invalid);
      this.#band.push(f.band);
    }
    const o: StoreObjectEntry = {
      id: entry.id,
      label: entry.label,
      confirmed: entry.confirmed,
      first,
      count: frames.length,
    };
    if (entry.trueLabel !== undefined) o.trueLabel = entry.trueLabel;
    if (entry.meta !== undefined && Object.keys(entry.meta).length > 0) o.meta = entry.meta;
    this.#objects.push(o);
  }

  async #writeAt(offset: number, data: Uint8Array): Promise<void> {
    // Sections are written in order right after the pixels: pad with zeros up to `offset`.
    if (offset > this.#written + this.#bufLen) {
      const pad = offset - this.#written - this.#bufLen;
      if (this.#bufLen + pad > this.#buf.length) await this.#flush();
      this.#buf.fill(0, this.#bufLen, this.#bufLen + pad);
      this.#bufLen += pad;
    }
    await this.#flush();
    let off = 0;
    while (off < data.length) off += await this.#file.write(data.subarray(off));
    this.#written += data.length;
  }

  /**
   * Writes the metadata sections and the index, then renames them into place
   * (frames file first, index last). Returns the index.
   */
  async finish(extra: { created?: string } = {}): Promise<StoreIndex> {
    if (this.#closed) throw new ConventionError("The store writer is already closed.");
    const n = this.#mjd.n;
    const layout = storeLayout(n, this.size, this.dtype);
    const u8 = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    await this.#writeAt(layout.mjd, u8(this.#mjd.view()));
    await this.#writeAt(layout.score, u8(this.#score.view()));
    await this.#writeAt(layout.invalid, u8(this.#invalid.view()));
    await this.#writeAt(layout.band, u8(this.#band.view()));
    await this.#flush();
    await this.#file.sync().catch(() => {});
    this.#file.close();
    this.#closed = true;
    if (this.#written !== layout.bytes) {
      throw new ConventionError(
        `Internal error: store frames file has ${this.#written} bytes, expected ${layout.bytes}.`,
      );
    }
    const index: StoreIndex = {
      format: STORE_FORMAT,
      version: STORE_VERSION,
      complete: true,
      created: extra.created ?? new Date().toISOString(),
      framesFile: this.#framesName,
      dtype: this.dtype,
      size: this.size,
      bands: [...this.#opts.bands],
      classes: [...this.#opts.classes],
      nFrames: n,
      layout,
      stampPolicy: STAMP_POLICY,
      source: this.#opts.source,
      objects: this.#objects,
    };
    const indexPath = `${this.dir}/${INDEX_NAME}`;
    const tmpIndex = `${indexPath}.${this.#framesName}.tmp`;
    await Deno.writeTextFile(tmpIndex, JSON.stringify(index));
    // An old index would pair with the wrong frames file if we crashed now: remove it first.
    await Deno.remove(indexPath).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    await Deno.rename(this.#tmpFrames, `${this.dir}/${this.#framesName}`);
    await Deno.rename(tmpIndex, indexPath);
    // Old frames files of earlier ingests into this folder are now unreferenced.
    for await (const e of Deno.readDir(this.dir)) {
      if (
        e.isFile && e.name !== this.#framesName && /^frames-[0-9a-z-]+\.bin$/.test(e.name)
      ) {
        await Deno.remove(`${this.dir}/${e.name}`).catch(() => {});
      }
    }
    return index;
  }

  /** Closes and removes the temporary files (after an error). */
  async abort(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#file.close();
      } catch { /* already closed */ }
    }
    await Deno.remove(this.#tmpFrames).catch(() => {});
  }
}
