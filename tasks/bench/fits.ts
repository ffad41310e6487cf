/**
 * `deno task bench fits [--stamps N] [--passes P] [--corpus-passes C] [--corpus DIR]
 * [--no-python]`: FITS read throughput, printed as one JSON object on stdout.
 *
 * - corpus: every file of `--corpus` (default fixtures/fits/corpus: plain, .gz, .fz,
 *   tables), all HDUs decoded; MB/s counts bytes on disk;
 * - stamps: N (default 10,000) 32x32 float32 stamps, one file each (8,640
 *   bytes), written to a temporary folder with `writeFits` first (the write
 *   rate is reported too, and `writeFits` alone in memory for 1- and 40-stamp
 *   files), then read back one file at a time;
 * - the same, in the same run, for astropy and fitsio (cfitsio) through
 *   /usr/bin/python3 tasks/bench/fits_bench.py, when importable.
 *
 * Every reader gets a warm-up pass over 1,000 stamps, then P (default 3)
 * timed passes over the stamps and C (default 10) over the corpus; the best
 * pass is reported, with wall and process CPU time (on a shared machine the
 * rate per CPU second is the steadier number).
 *
 * @module
 */
import { readFitsFile, readFitsFileSync } from "../../lib/fits/read.ts";
import { writeFits, type WriteHdu } from "../../lib/fits/write.ts";
import { printJson } from "../../lib/cli/util/output.ts";
import { arg, childJson, machineInfo, round, stopwatch } from "./shared.ts";

/** The best (shortest) of `n` passes of `fn` over `paths`. */
async function passes(paths: string[], n: number, fn: (p: string) => unknown) {
  let best: [number, number] | undefined;
  for (let k = 0; k < n; k++) {
    const sw = stopwatch();
    for (const p of paths) await fn(p);
    const w = sw.wall(), cpu = sw.cpu();
    if (!best || w < best[0]) best = [w, cpu];
  }
  const [w, cpu] = best!;
  const bytes = paths.reduce((a, p) => a + Deno.statSync(p).size, 0);
  return {
    files: paths.length,
    bytes,
    seconds: round(w, 4),
    cpu_seconds: round(cpu, 4),
    files_per_s: round(paths.length / w),
    MB_per_s: round(bytes / w / 1e6, 2),
    files_per_cpu_s: round(paths.length / cpu),
  };
}
type Rate = Awaited<ReturnType<typeof passes>>;

/** The corpus files (FITS, gzipped or tile-compressed) of `dir`, sorted. */
function listCorpus(dir: string): string[] {
  return [...Deno.readDirSync(dir)]
    .map((e) => e.name)
    .filter((n) => /\.(fits|fit|fz|gz)$/.test(n))
    .sort()
    .map((n) => `${dir}/${n}`);
}

/** Stamp `k`: a 32x32 float32 image, its time, band and one more header card. */
const stampHdu = (data: Float32Array, k: number, card: [string, string]): WriteHdu => ({
  bitpix: -32,
  shape: [32, 32],
  data,
  header: [["MJD-OBS", 59000 + k * 0.5], ["FILTER", "ugriz"[k % 5]!], card],
});

/** The `n` stamp files (one 32x32 float32 image, three header cards each), timed. */
function writeStamps(dir: string, n: number, data: Float32Array) {
  const stamps: string[] = [];
  const sw = stopwatch();
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < data.length; k++) data[k] = ((i * 7919 + k * 104729) % 10007) * 0.01;
    const path = `${dir}/s${String(i).padStart(5, "0")}.fits`;
    Deno.writeFileSync(path, writeFits([stampHdu(data, i, ["OBJECT", `obj${i}`])]));
    stamps.push(path);
  }
  const wsec = sw.wall();
  const write = {
    files: n,
    seconds: round(wsec, 3),
    files_per_s: round(n / wsec),
    files_per_cpu_s: round(n / sw.cpu()),
  };
  return { stamps, write };
}

/** `writeFits` alone (no file system): `stamps` stamps in files of `perFile` HDUs. */
function encodeRate(data: Float32Array, stamps: number, perFile: number) {
  const hdus: WriteHdu[] = [{ bitpix: 8, shape: [] }];
  for (let k = 0; k < perFile; k++) hdus.push(stampHdu(data, k, ["EXTNAME", `E${k}`]));
  const files = Math.ceil(stamps / perFile);
  let bytes = 0;
  const sw = stopwatch();
  for (let i = 0; i < files; i++) bytes += writeFits(perFile === 1 ? hdus.slice(1) : hdus).length;
  const w = sw.wall();
  return {
    stamps: files * perFile,
    files,
    seconds: round(w, 4),
    stamps_per_s: round(files * perFile / w),
    stamps_per_cpu_s: round(files * perFile / sw.cpu()),
    MB_per_s: round(bytes / w / 1e6, 2),
  };
}

/** astropy and fitsio on the same files (tasks/bench/fits_bench.py), or why not. */
async function pythonReference(args: string[]): Promise<Record<string, unknown>> {
  try {
    const r = await childJson("/usr/bin/python3", ["tasks/bench/fits_bench.py", ...args], "piped");
    return r.code === 0 && r.json
      ? r.json as Record<string, unknown>
      : { skipped: `python failed: ${r.stderr.slice(-300)}` };
  } catch (e) {
    return { skipped: `cannot run /usr/bin/python3: ${(e as Error).message}` };
  }
}

/** Our rates over the references' (null where a reference is missing). */
function ratios(ours: { stamps_sync: Rate; corpus_sync: Rate }, ref: Record<string, unknown>) {
  const fitsio = ref.fitsio as { stamps?: Rate; corpus?: Rate } | undefined;
  const astropy = ref.astropy as { stamps?: Rate; corpus?: Rate } | undefined;
  const ratio = (a: number, b: number | undefined) => a && b ? round(a / b, 2) : null;
  const { stamps_sync: s, corpus_sync: c } = ours;
  return {
    stamps_sync_vs_fitsio_wall: ratio(s.files_per_s, fitsio?.stamps?.files_per_s),
    stamps_sync_vs_fitsio_cpu: ratio(s.files_per_cpu_s, fitsio?.stamps?.files_per_cpu_s),
    stamps_sync_vs_astropy_wall: ratio(s.files_per_s, astropy?.stamps?.files_per_s),
    corpus_sync_vs_fitsio_wall: ratio(c.MB_per_s, fitsio?.corpus?.MB_per_s),
    corpus_sync_vs_astropy_wall: ratio(c.MB_per_s, astropy?.corpus?.MB_per_s),
  };
}

/** Entry point: prints one JSON object. */
export async function main(args: string[]): Promise<void> {
  const nStamps = Number(arg(args, "--stamps", "10000"));
  const nPasses = Number(arg(args, "--passes", "3"));
  const corpusPasses = Number(arg(args, "--corpus-passes", "10"));
  const corpusDir = arg(args, "--corpus", "fixtures/fits/corpus");
  const python = !args.includes("--no-python");
  const loadBefore = Deno.loadavg();
  const corpus = listCorpus(corpusDir);
  const dir = await Deno.makeTempDir({ prefix: "bench_fits_" });
  try {
    const data = new Float32Array(32 * 32);
    const { stamps, write } = writeStamps(dir, nStamps, data);
    const stampBytes = stamps[0] && Deno.statSync(stamps[0]).size;
    encodeRate(data, nStamps, 1); // warm-up
    const encodeOne = encodeRate(data, nStamps, 1);
    const encodeForty = encodeRate(data, nStamps, 40);
    let check = 0;
    const readSync = (p: string) => {
      check += readFitsFileSync(p).hdus.length;
    };
    const readAsync = async (p: string) => {
      check += (await readFitsFile(p)).hdus.length;
    };
    for (const p of stamps.slice(0, 1000)) readSync(p);
    const convention = {
      stamps_sync: await passes(stamps, nPasses, readSync),
      stamps_async: await passes(stamps, nPasses, readAsync),
      corpus_sync: await passes(corpus, corpusPasses, readSync),
      corpus_async: await passes(corpus, corpusPasses, readAsync),
      write_stamps: write,
      encode_single_stamp_files: encodeOne,
      encode_40_stamp_files: encodeForty,
    };
    const reference = python
      ? await pythonReference([dir, nStamps, corpusDir, nPasses, corpusPasses].map(String))
      : { skipped: "--no-python" };
    printJson({
      bench: "fits",
      machine: machineInfo(loadBefore),
      stamps: { count: nStamps, shape: [32, 32], bitpix: -32, bytes_each: stampBytes },
      passes: { stamps: nPasses, corpus: corpusPasses },
      convention,
      ...reference,
      ratios: ratios(convention, reference),
      checksum: check,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
