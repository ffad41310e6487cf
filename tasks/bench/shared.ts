/**
 * What the benchmarks share: their option reading, the size of a folder on
 * disk, the `--help` text (a benchmark's module documentation), medians and
 * rate timing.
 *
 * @module
 */
import { cpuUsage } from "node:process";

/** The value after option `name` in `args`, or `def`. */
export function arg(args: readonly string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

/** Bytes of every file under `dir`, recursively. */
export async function folderBytes(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) n += await folderBytes(p);
    else if (e.isFile) n += (await Deno.stat(p)).size;
  }
  return n;
}

/**
 * The first JSDoc comment of a module's source, as plain text: what a
 * benchmark prints for `--help` (each documents its options there).
 */
export function moduleDoc(source: string): string {
  const m = /\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!m) return "";
  return m[1]!.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).filter((l) => l !== "@module")
    .join("\n").trim();
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("Median of an empty list");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** What one timed section measured. */
export interface Timing {
  items: number;
  seconds: number;
  perSec: number;
  cpuSeconds: number;
  perCpuSec: number;
}

/**
 * Runs `fn` (which does `unit` items) until `seconds` of wall time have
 * passed, after one uncounted warm-up call. Reports wall and process CPU time
 * (user + system): on a shared machine the rate per CPU second is the steadier number.
 */
export async function timed(
  seconds: number,
  unit: number,
  fn: () => unknown | Promise<unknown>,
): Promise<Timing> {
  await fn(); // warm-up (schema parsing, JIT), not counted
  let items = 0;
  const c0 = cpuUsage();
  const t0 = performance.now();
  let dt = 0;
  do {
    await fn();
    items += unit;
    dt = (performance.now() - t0) / 1000;
  } while (dt < seconds);
  const c = cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  return {
    items,
    seconds: +dt.toFixed(3),
    perSec: +(items / dt).toFixed(1),
    cpuSeconds: +cpu.toFixed(3),
    perCpuSec: +(items / cpu).toFixed(1),
  };
}

/** The machine a benchmark ran on, for its JSON: Deno, OS, CPUs and the load average. */
export function machineInfo(): { deno: string; os: string; cpus: number; loadavg: number[] } {
  return {
    deno: Deno.version.deno,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    cpus: navigator.hardwareConcurrency,
    loadavg: Deno.loadavg(),
  };
}
