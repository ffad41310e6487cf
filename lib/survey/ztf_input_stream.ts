/**
 * The packet files of one input read as a stream, so that a large `.tar` or
 * `.tar.gz` (a night of ZTF alerts is several GB) is never held in memory:
 * tar members are parsed as the (gunzipped) bytes arrive and yielded one at a
 * time; a member over `maxEntryBytes` is skipped and reported. Zip archives
 * (whose directory is at the end) and plain files are read whole, within
 * `maxArchiveBytes` / `maxEntryBytes`.
 *
 * @module
 */
import { ArchiveError, isTarFile, parseTarHeader, tarLongName } from "./archive_tar.ts";
import { AvroError } from "./ztf_avro.ts";
import { type AlertInput, type ArchiveLimits, expandAlertInput } from "./ztf_inputs.ts";

/** One packet file of an input, or an error for a member or for the whole input. */
export type StreamedInput = AlertInput | { name: string; error: AvroError };

/** Reads exact byte counts from a stream of chunks. */
class ChunkReader {
  #chunks: Uint8Array[] = [];
  #have = 0;
  #done = false;
  /** Bytes consumed so far. */
  offset = 0;
  constructor(readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async #fill(n: number): Promise<void> {
    while (this.#have < n && !this.#done) {
      const { value, done } = await this.reader.read();
      if (done) this.#done = true;
      else if (value.length) {
        this.#chunks.push(value);
        this.#have += value.length;
      }
    }
  }

  /** The next `n` bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Uint8Array> {
    await this.#fill(n);
    const k = Math.min(n, this.#have);
    const out = new Uint8Array(k);
    let at = 0;
    while (at < k) {
      const c = this.#chunks[0]!;
      const take = Math.min(c.length, k - at);
      out.set(c.subarray(0, take), at);
      at += take;
      if (take === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(take);
    }
    this.#have -= k;
    this.offset += k;
    return out;
  }

  /** Skips `n` bytes without keeping them; returns how many were there. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const got = await this.read(Math.min(left, 1 << 20));
      if (got.length === 0) break;
      left -= got.length;
    }
    return n - left;
  }
}

function archiveError(
  name: string,
  message: string,
  kind: "archive" | "too-large" = "archive",
): AvroError {
  return new AvroError(`${name}: ${message}`, {
    kind,
    hint: "check the archive with `tar tzf`; or extract it and give the folder",
  });
}

/** Yields the regular files of a tar stream, one at a time. */
async function* tarMembers(
  name: string,
  r: ChunkReader,
  lim: Required<ArchiveLimits>,
): AsyncGenerator<StreamedInput> {
  let longName: string | null = null;
  let count = 0;
  for (;;) {
    const at = r.offset;
    const block = await r.read(512);
    if (block.length < 512) {
      if (block.length) {
        yield { name, error: archiveError(name, `tar archive ends inside a header at byte ${at}`) };
      }
      return;
    }
    const h = parseTarHeader(block, at);
    if (!h) return;
    const padded = Math.ceil(h.size / 512) * 512;
    const member = `${name}!${longName ?? h.name}`;
    const meta = h.type === "L" || h.type === "x";
    if (!meta) longName = null;
    if (!meta && !isTarFile(h.type)) {
      await r.skip(padded);
      continue;
    }
    if (h.size > (meta ? 1 << 20 : lim.maxEntryBytes)) {
      const skipped = await r.skip(padded);
      yield {
        name: member,
        error: archiveError(
          member,
          `tar member of ${h.size} bytes is over the ${lim.maxEntryBytes}-byte limit`,
          "too-large",
        ),
      };
      if (skipped < padded) return;
      continue;
    }
    const data = await r.read(h.size);
    await r.skip(padded - h.size);
    if (data.length < h.size) {
      yield {
        name: member,
        error: archiveError(member, `tar member is cut short (${data.length} of ${h.size} bytes)`),
      };
      return;
    }
    if (meta) {
      longName = tarLongName(h.type, data) ?? longName;
      continue;
    }
    if (++count > lim.maxEntries) {
      yield { name, error: archiveError(name, `tar archive has over ${lim.maxEntries} files`) };
      return;
    }
    yield { name: member, bytes: data };
  }
}

/**
 * Yields the packet files of one input path: its tar members as they are read
 * (gunzipped on the fly), or the entries {@link expandAlertInput} gives for
 * zip archives, gzipped single files and plain files. Problems come as
 * `{name, error}` items; reading stops at a corrupt point of an archive, after
 * the members before it.
 *
 * @param path The input file.
 * @param limits Archive limits (as {@link expandAlertInput}).
 */
export async function* streamAlertInputs(
  path: string,
  limits: ArchiveLimits = {},
): AsyncGenerator<StreamedInput> {
  const lim: Required<ArchiveLimits> = {
    maxArchiveBytes: limits.maxArchiveBytes ?? 512 * 1024 * 1024,
    maxEntryBytes: limits.maxEntryBytes ?? 64 * 1024 * 1024,
    maxEntries: limits.maxEntries ?? 100_000,
  };
  const file = await Deno.open(path);
  let stream: ReadableStream<Uint8Array> = file.readable;
  try {
    const head = new Uint8Array(512);
    const n = await file.read(head) ?? 0;
    await file.seek(0, Deno.SeekMode.Start);
    const gz = head[0] === 0x1f && head[1] === 0x8b;
    if (gz) {
      const gunzip = new DecompressionStream("gzip") as unknown as TransformStream<
        Uint8Array,
        Uint8Array
      >;
      stream = stream.pipeThrough(gunzip);
    }
    const r = new ChunkReader(stream.getReader());
    const first = gz ? await r.read(512) : head.subarray(0, n);
    const tar = first.length === 512 && parseTarHeaderSafe(first);
    if (tar) {
      // Gunzipped: the 512 bytes already read are replayed, then the rest of the stream.
      yield* tarMembers(path, gz ? new PrefixedReader(first, r) : r, lim);
      return;
    }
    await r.reader.cancel();
    // Not a tar: the whole (small) file, through the in-memory expansion.
    const info = await Deno.stat(path);
    const max = Math.max(lim.maxArchiveBytes, lim.maxEntryBytes);
    if (info.size > max) {
      yield {
        name: path,
        error: archiveError(
          path,
          `file of ${info.size} bytes is over the ${max}-byte limit`,
          "too-large",
        ),
      };
      return;
    }
    for (const e of expandAlertInput(path, await Deno.readFile(path), limits)) yield e;
  } catch (err) {
    if (err instanceof AvroError) yield { name: path, error: err };
    else if (err instanceof ArchiveError || err instanceof TypeError) {
      yield {
        name: path,
        error: archiveError(path, `archive cannot be read: ${(err as Error).message}`),
      };
    } else throw err;
  } finally {
    try {
      file.close();
    } catch { /* already closed by the stream */ }
  }
}

/** Whether 512 bytes are a valid tar header (no throw). */
function parseTarHeaderSafe(b: Uint8Array): boolean {
  try {
    return parseTarHeader(b, 0) !== null;
  } catch {
    return false;
  }
}

/** A {@link ChunkReader} that first returns bytes already read. */
class PrefixedReader extends ChunkReader {
  #prefix: Uint8Array;
  constructor(prefix: Uint8Array, readonly rest: ChunkReader) {
    super(rest.reader);
    this.#prefix = prefix;
  }
  override async read(n: number): Promise<Uint8Array> {
    if (!this.#prefix.length) {
      const out = await this.rest.read(n);
      this.offset += out.length;
      return out;
    }
    const take = this.#prefix.subarray(0, n);
    this.#prefix = this.#prefix.subarray(take.length);
    this.offset += take.length;
    if (take.length === n) return take.slice();
    const more = await this.rest.read(n - take.length);
    this.offset += more.length;
    const out = new Uint8Array(take.length + more.length);
    out.set(take);
    out.set(more, take.length);
    return out;
  }
}
