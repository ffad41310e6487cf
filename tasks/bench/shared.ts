/**
 * What the benchmarks share: their option reading, the files under a folder,
 * medians, wall and CPU timing, child processes that print JSON, the
 * backend-equivalence rule and the PyTorch timings' format.
 *
 * @module
 */
import { cpuUsage } from "node:process";

/** The value after option `name` in `args`, or `def`. */
export function arg(args: readonly string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

/** Every regular file under `dir`, recursively, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...filesUnder(p));
    else if (e.isFile) out.push(p);
  }
  return out.sort();
}

/** Bytes of every file under `dir`, recursively. */
export function folderBytes(dir: string): number {
  return filesUnder(dir).reduce((n, f) => n + Deno.statSync(f).size, 0);
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("Median of an empty list");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `x` rounded to `digits` decimals. */
export const round = (x: number, digits = 1): number => +x.toFixed(digits);

/** Wall and process CPU (user + system, all threads) seconds since the call. */
export function stopwatch(): { wall(): number; cpu(): number } {
  const t0 = performance.now(), c0 = cpuUsage();
  return {
    wall: () => (performance.now() - t0) / 1000,
    cpu: () => {
      const c = cpuUsage(c0);
      return (c.user + c.system) / 1e6;
    },
  };
}

/**
 * Runs `fn` (which does `unit` items) until `seconds` of wall time have
 * passed, after one uncounted warm-up call. Reports wall and process CPU time:
 * on a shared machine the rate per CPU second is the steadier number.
 */
export async function timed(seconds: number, unit: number, fn: () => unknown) {
  await fn(); // warm-up (schema parsing, JIT), not counted
  let items = 0;
  const sw = stopwatch();
  do {
    await fn();
    items += unit;
  } while (sw.wall() < seconds);
  const dt = sw.wall(), cpu = sw.cpu();
  return {
    items,
    seconds: round(dt, 3),
    perSec: round(items / dt),
    cpuSeconds: round(cpu, 3),
    perCpuSec: round(items / cpu),
  };
}

/** What one timed section measured. */
export type Timing = Awaited<ReturnType<typeof timed>>;

/**
 * The machine a benchmark ran on, for its JSON: Deno, OS, CPUs, the load
 * average now and, when given, the one at the start of the run.
 */
export function machineInfo(loadavgStart?: number[]) {
  const os = `${Deno.build.os} ${Deno.build.arch}`;
  const now = { deno: Deno.version.deno, os, cpus: navigator.hardwareConcurrency };
  return { ...now, ...(loadavgStart ? { loadavgStart } : {}), loadavg: Deno.loadavg() };
}

/**
 * Runs `cmd` with `args` (stderr shown, or kept with `stderr: "piped"`): its exit code, the
 * last line of its stdout parsed as JSON (undefined when that is not JSON), that line and
 * the stderr text.
 */
export async function childJson(
  cmd: string,
  args: string[],
  stderr: "inherit" | "piped" = "inherit",
): Promise<{ code: number; json: unknown; last: string; stderr: string }> {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr }).output();
  const dec = new TextDecoder();
  const last = dec.decode(r.stdout).trim().split("\n").pop() ?? "";
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch { /* not JSON: the caller reports it */ }
  return { code: r.code, json, last, stderr: stderr === "piped" ? dec.decode(r.stderr) : "" };
}

/**
 * The backend-equivalence rule of the project: the largest |candidate -
 * reference| is at most `tol` of the reference's largest magnitude; a
 * reference below 1e-6 everywhere is an exactly-zero gradient (a conv bias
 * before training-mode BatchNorm), where the candidate must stay below 1e-6 too.
 */
export function compareTensors(
  candidate: ArrayLike<number>,
  reference: ArrayLike<number>,
  tol = 1e-4,
) {
  let maxAbsRef = 0, maxAbsCand = 0, maxAbsDiff = 0;
  for (let i = 0; i < reference.length; i++) {
    const c = candidate[i] ?? NaN, r = reference[i]!;
    maxAbsRef = Math.max(maxAbsRef, Math.abs(r));
    maxAbsCand = Math.max(maxAbsCand, Math.abs(c));
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(c - r));
  }
  const exactZero = maxAbsRef < 1e-6;
  const relErr = exactZero ? 0 : maxAbsDiff / maxAbsRef;
  const ok = candidate.length === reference.length &&
    (exactZero ? maxAbsCand <= 1e-6 : relErr <= tol);
  return { maxAbsRef, maxAbsDiff, relErr, exactZero, ok };
}

/** One PyTorch timing, as `tasks/pytorch/torch_bench.py` writes it. */
export interface TorchRun {
  batch: number;
  /** "default": PyTorch defaults (cuDNN may use TF32); "fp32": TF32 off everywhere. */
  precision: string;
  medianMs: number;
  objectsPerS: number;
  stepMs: number[];
  /** Process CPU ms per step (median; on the CPU only). */
  cpuMs?: number;
  error?: string;
}
