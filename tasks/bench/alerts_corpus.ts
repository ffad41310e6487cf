/**
 * The real-corpus part of `deno task bench alerts`: reading every file of
 * real ZTF alert corpora (fixtures/ztf/ampel, and ZTF's sample history when
 * `$CONVENTION_SHARED_DATA/real/ztf-sample-history` is present) and the
 * sample packets of fixtures/ztf/alerts, each in a child process so that its
 * peak memory (VmHWM) is its own: files/s (after one uncounted warm-up
 * pass), packets read, files reported, peak RSS. Also `alertSeries` over a
 * folder of gzip-bomb packets (finding 3.4 of issue 14), for its peak memory.
 *
 * Run alone: `deno run -A tasks/bench/alerts_corpus.ts [--seconds S]`.
 *
 * @module
 */
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
import { eachAlertPacket } from "../../lib/survey/ztf_files.ts";
import { type AlertProblem, alertSeries } from "../../lib/survey/ztf_series.ts";
import { makeAlertPacket } from "../../lib/survey/ztf_example.ts";
import { arg, childJson, filesUnder, folderBytes, round, timed } from "./shared.ts";

/** Peak resident memory of this process in MiB (Linux VmHWM), or null elsewhere. */
function peakRssMiB(): number | null {
  try {
    const m = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+) kB/);
    return m ? round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Reads every file of `dir` (all three cut-outs decoded), repeated for `seconds` (`timed`). */
async function readCorpus(dir: string, seconds: number): Promise<Record<string, unknown>> {
  const files = filesUnder(dir);
  let counts = { files: 0, filesFailed: 0, packets: 0, problems: [] as AlertProblem[] };
  const t = await timed(seconds, files.length, async () => {
    counts = { files: 0, filesFailed: 0, packets: 0, problems: [] };
    for await (const _ of eachAlertPacket(files, counts)) { /* decoded, then dropped */ }
  });
  const perFile = counts.files / files.length; // packet files (archives expanded) per file
  return {
    dir,
    files: files.length,
    bytes: folderBytes(dir),
    packetFiles: counts.files,
    packetsRead: counts.packets,
    filesReported: counts.filesFailed,
    passes: t.items / files.length,
    seconds: t.seconds,
    filesPerSec: t.perSec,
    packetFilesPerSec: round(t.perSec * perFile),
    cpuSeconds: t.cpuSeconds,
    filesPerCpuSec: t.perCpuSec,
    packetFilesPerCpuSec: round(t.perCpuSec * perFile),
    peakRssMiB: peakRssMiB(),
  };
}

/** A packet whose three cut-outs are an 8192x8192 float32 gzip bomb (~260 KB stored). */
function bombPacket(candid: number): Uint8Array {
  const keys = { SIMPLE: "T", BITPIX: "-32", NAXIS: "2", NAXIS1: "8192", NAXIS2: "8192" };
  const cards = Object.entries(keys).map(([k, v]) =>
    `${k.padEnd(8)}= ${v.padStart(20)}`.padEnd(80)
  );
  const header = new TextEncoder().encode([...cards, "END"].join("").padEnd(2880));
  // 16 gzip members of 16 MiB of zeros (gunzip reads them as one stream): 256 MiB of pixels.
  const zeros = gzipSync(new Uint8Array(16 << 20));
  const stamp = Buffer.concat([gzipSync(header), ...Array(16).fill(zeros)]);
  return makeAlertPacket({ stampData: stamp, candid, jd: 2459300.5 + candid });
}

/** alertSeries over `n` bomb packets (`distinct` candids, the rest repeats). */
async function bombSeries(n: number, distinct: number): Promise<Record<string, unknown>> {
  const dir = await Deno.makeTempDir();
  try {
    for (let i = 0; i < n; i++) await Deno.writeFile(`${dir}/${i}.avro`, bombPacket(i % distinct));
    const before = peakRssMiB();
    const t0 = performance.now();
    const { report } = await alertSeries(dir);
    return {
      packets: n,
      distinctCandids: distinct,
      storedBytesPerPacket: Deno.statSync(`${dir}/0.avro`).size,
      seconds: round((performance.now() - t0) / 1000, 3),
      packetsUsed: report.packetsUsed,
      duplicates: report.duplicates,
      overLimit: report.problems.filter((p) => /maxCutoutBytes/.test(p.problem)).length,
      peakRssMiBBefore: before,
      peakRssMiB: peakRssMiB(),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs one part in a child process (own peak memory) and returns its JSON. */
async function child(args: string[]): Promise<unknown> {
  const script = new URL(import.meta.url).pathname;
  const r = await childJson(Deno.execPath(), ["run", "-A", script, ...args]);
  return r.code === 0 ? r.json : { failed: args.join(" ") };
}

/** The corpora to read: the samples, Ampel's and ZTF's sample history when present. */
function corpora(): string[] {
  const dirs = ["fixtures/ztf/alerts", "fixtures/ztf/ampel"];
  const shared = Deno.env.get("CONVENTION_SHARED_DATA"); // not in the repository: no licence
  const history = shared && join(shared, "real", "ztf-sample-history");
  try {
    if (history && Deno.statSync(history).isDirectory) dirs.push(history);
  } catch { /* absent: not measured */ }
  return dirs;
}

/** The corpus section of the alerts benchmark (each part in a child process). */
export async function corpusBench(seconds: number): Promise<Record<string, unknown>> {
  const read: unknown[] = [];
  for (const dir of corpora()) {
    read.push(await child(["--read", dir, "--seconds", String(seconds)]));
  }
  return {
    what: "every file read (archives expanded, 3 cut-outs decoded), repeated for --seconds; " +
      "each corpus and the bomb run in a child process: peakRssMiB is its VmHWM; per CPU second " +
      "(user + system of the child) is the steadier rate on a loaded machine",
    read,
    bombSeries16: await child(["--bomb", "16", "1"]),
    bombSeries16Distinct: await child(["--bomb", "16", "16"]),
  };
}

if (import.meta.main) {
  const [what, a, b] = Deno.args, seconds = Number(arg(Deno.args, "--seconds", "2"));
  if (what === "--read") console.log(JSON.stringify(await readCorpus(a!, seconds)));
  else if (what === "--bomb") console.log(JSON.stringify(await bombSeries(Number(a), Number(b))));
  else console.log(JSON.stringify(await corpusBench(seconds), null, 2));
}
