/**
 * The real-corpus part of `deno task bench alerts`: reading every file of
 * real ZTF alert corpora (fixtures/ztf/ampel, and ZTF's sample history when
 * `$CONVENTION_SHARED_DATA/real/ztf-sample-history` is present) and the
 * sample packets of fixtures/ztf/alerts, each in a child process so that its
 * peak memory (VmHWM) is its own: files/s, packets read, files reported, peak
 * RSS. Also `alertSeries` over a folder of gzip-bomb packets (finding 3.4 of
 * issue 14), for its peak memory.
 *
 * Run alone: `deno run -A tasks/bench/alerts_corpus.ts [--seconds S]`.
 *
 * @module
 */
import { join } from "node:path";
import { cpuUsage } from "node:process";
import { gzipSync } from "node:zlib";
import { eachAlertPacket } from "../../lib/survey/ztf_files.ts";
import { alertSeries } from "../../lib/survey/ztf_series.ts";
import { makeAlertPacket } from "../../lib/survey/ztf_example.ts";
import type { AlertProblem } from "../../lib/survey/ztf_series.ts";

/** Peak resident memory of this process in MiB (Linux VmHWM), or null elsewhere. */
function peakRssMiB(): number | null {
  try {
    const m = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+) kB/);
    return m ? +(Number(m[1]) / 1024).toFixed(1) : null;
  } catch {
    return null;
  }
}

/** Every regular file under `dir` (recursive, sorted). */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...walk(p));
    else if (e.isFile) out.push(p);
  }
  return out.sort();
}

/** Reads every file of `dir` (all three cut-outs decoded) until `seconds` have passed. */
async function readCorpus(dir: string, seconds: number): Promise<Record<string, unknown>> {
  const files = walk(dir);
  const bytes = files.reduce((n, f) => n + Deno.statSync(f).size, 0);
  let passes = 0, entries = 0, packets = 0, reported = 0;
  const c0 = cpuUsage();
  const t0 = performance.now();
  do {
    const counts = { files: 0, filesFailed: 0, packets: 0, problems: [] as AlertProblem[] };
    for await (const _ of eachAlertPacket(files, counts)) { /* decoded, then dropped */ }
    passes++;
    entries = counts.files;
    packets = counts.packets;
    reported = counts.filesFailed;
  } while ((performance.now() - t0) / 1000 < seconds);
  const dt = (performance.now() - t0) / 1000;
  const c = cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  return {
    dir,
    files: files.length,
    bytes,
    packetFiles: entries,
    packetsRead: packets,
    filesReported: reported,
    passes,
    seconds: +dt.toFixed(3),
    filesPerSec: +(files.length * passes / dt).toFixed(1),
    packetFilesPerSec: +(entries * passes / dt).toFixed(1),
    cpuSeconds: +cpu.toFixed(3),
    filesPerCpuSec: +(files.length * passes / cpu).toFixed(1),
    packetFilesPerCpuSec: +(entries * passes / cpu).toFixed(1),
    peakRssMiB: peakRssMiB(),
  };
}

/** A packet whose three cut-outs are an 8192x8192 float32 gzip bomb (~260 KB stored). */
function bombPacket(candid: number): Uint8Array {
  const cards = [
    "SIMPLE  =                    T",
    "BITPIX  =                  -32",
    "NAXIS   =                    2",
  ];
  cards.push(`NAXIS1  = ${"8192".padStart(20)}`, `NAXIS2  = ${"8192".padStart(20)}`, "END");
  const header = new TextEncoder().encode(cards.map((c) => c.padEnd(80)).join("").padEnd(2880));
  const zeros = gzipSync(new Uint8Array(16 << 20));
  const parts = [gzipSync(header), ...Array(16).fill(zeros)] as Uint8Array[];
  const stamp = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) stamp.set(p, (at += p.length) - p.length);
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
      seconds: +((performance.now() - t0) / 1000).toFixed(3),
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
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) return { failed: args.join(" ") };
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/**
 * The corpora to read: the samples and Ampel's (fixtures), and ZTF's sample history when
 * `CONVENTION_SHARED_DATA` names a folder holding `real/ztf-sample-history` (it is not in the
 * repository: no licence).
 */
function corpora(): string[] {
  const shared = Deno.env.get("CONVENTION_SHARED_DATA");
  const dirs = ["fixtures/ztf/alerts", "fixtures/ztf/ampel"];
  if (!shared) return dirs;
  const history = join(shared, "real", "ztf-sample-history");
  try {
    if (Deno.statSync(history).isDirectory) dirs.push(history);
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
  const a = Deno.args;
  const s = a.indexOf("--seconds");
  const seconds = s >= 0 ? Number(a[s + 1]) : 2;
  if (a[0] === "--read") console.log(JSON.stringify(await readCorpus(a[1]!, seconds)));
  else if (a[0] === "--bomb") {
    console.log(JSON.stringify(await bombSeries(Number(a[1]), Number(a[2]))));
  } else console.log(JSON.stringify(await corpusBench(seconds), null, 2));
}
