/**
 * `deno task bench simulate [--objects 8249] [--workers 2] [--no-full] [--no-default]`:
 * simulator throughput, printed as one JSON object on stdout.
 *
 * - full: the paper-size survey (8,249 objects, float32 FITS, not
 *   compressed) written to a temporary folder: objects/s, MB/s, wall and
 *   process CPU seconds (all threads), then the folder is deleted;
 * - default: the creation of the default data set used by `deno task train`
 *   (2,000 objects, 16-bit quantised and gzipped) in a temporary cache
 *   folder: time and size on disk, then deleted.
 *
 * On a shared machine the CPU seconds are the steadier number; the wall
 * time is what a user waits.
 *
 * @module
 */
import { DEFAULT_SURVEY, ensureDefaultSurvey } from "../../lib/simulate/default_survey.ts";
import { simulateSurvey, type SurveySummary } from "../../lib/simulate/survey.ts";
import { arg, folderBytes, machineInfo, round, stopwatch } from "./shared.ts";

function rates(s: SurveySummary, cpu: number) {
  return {
    objects: s.objects,
    frames: s.frames,
    bytes: s.bytes,
    seconds: round(s.seconds, 2),
    cpu_seconds: round(cpu, 2),
    objects_per_s: round(s.objects / s.seconds, 2),
    frames_per_s: round(s.frames / s.seconds, 0),
    MB_per_s: round(s.bytes / 1e6 / s.seconds, 2),
    objects_per_cpu_s: round(s.objects / cpu, 2),
  };
}

/** Runs the benchmark and prints one JSON object. */
export async function main(args: string[]): Promise<void> {
  const objects = Number(arg(args, "--objects", "8249"));
  const workersArg = arg(args, "--workers", "");
  const workers = workersArg === "" ? undefined : Number(workersArg);
  const root = await Deno.makeTempDir({ prefix: "convention-bench-sim-" });
  const result: Record<string, unknown> = { bench: "simulate", machine: machineInfo() };
  try {
    if (!args.includes("--no-full")) {
      const sw = stopwatch();
      const s = await simulateSurvey({ out: `${root}/full`, objects, seed: 1, workers });
      result.full = {
        what: `${objects} objects, 32x32 ugriz, float32 FITS, not compressed`,
        ...rates(s, sw.cpu()),
      };
      await Deno.remove(`${root}/full`, { recursive: true });
    }
    if (!args.includes("--no-default")) {
      const sw = stopwatch();
      const dir = await ensureDefaultSurvey(`${root}/cache`, { workers });
      const seconds = sw.wall(), cpu = sw.cpu();
      const bytes = folderBytes(dir);
      result.default = {
        what:
          `${DEFAULT_SURVEY.objects} objects, 16-bit quantised (q = ${DEFAULT_SURVEY.quantize}), gzipped`,
        objects: DEFAULT_SURVEY.objects,
        bytes,
        MB: round(bytes / 1e6),
        seconds: round(seconds, 2),
        cpu_seconds: round(cpu, 2),
      };
    }
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
  console.log(JSON.stringify(result, null, 2));
}
