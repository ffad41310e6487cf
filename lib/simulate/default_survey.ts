/**
 * The embedded default data set: a smaller simulated survey created on first
 * use in a cache folder, used by `deno task train` when no data is given.
 *
 * It keeps the paper's class mix and labelling on 2,000 objects, with 32 x 32
 * stamps in ugriz. To stay small it is stored compactly: pixels quantised to
 * 16-bit integers at a quarter of each frame's sky noise (fpack's default
 * quantisation level q = 4: the rounding adds 0.5 % to the noise variance)
 * and every object file gzipped. docs/benchmark_details.md#simulate gives its
 * measured size and creation time.
 *
 * @module
 */
import { simulateSurvey, type SurveyManifest } from "./survey.ts";
import { SIMULATOR_VERSION } from "./write.ts";

/**
 * Options of the default survey.
 *
 * @example
 * ```ts
 * import { DEFAULT_SURVEY } from "./default_survey.ts";
 * if (!(DEFAULT_SURVEY.objects === 2000 && DEFAULT_SURVEY.bands === "ugriz")) throw new Error("example check failed");
 * console.log(DEFAULT_SURVEY); // seed, 32 x 32 stamps, gzip, 16-bit quantisation (q = 4)
 * ```
 */
export const DEFAULT_SURVEY: {
  readonly objects: number;
  readonly seed: number;
  readonly size: number;
  readonly bands: string;
  readonly difference: boolean;
  readonly gzip: boolean;
  readonly quantize: number;
  readonly photometricErrorRate: number;
} = {
  objects: 2000,
  seed: 1,
  size: 32,
  bands: "ugriz",
  difference: false,
  gzip: true,
  quantize: 4,
  photometricErrorRate: 0.08,
};

/** Folder name of the default survey inside the cache folder. */
export function defaultSurveyName(): string {
  return `s82-default-v${SIMULATOR_VERSION}`;
}

async function readManifest(dir: string): Promise<SurveyManifest | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${dir}/survey.json`)) as SurveyManifest;
  } catch {
    return null;
  }
}

async function isComplete(dir: string, want: typeof DEFAULT_SURVEY): Promise<boolean> {
  const m = await readManifest(dir);
  if (!m || m.format !== "convention-simulated-survey" || m.version !== SIMULATOR_VERSION) {
    return false;
  }
  const o = m.options;
  if (
    m.seed !== want.seed || o.objects !== want.objects || o.size !== want.size ||
    o.bands !== want.bands || o.difference !== want.difference || o.gzip !== want.gzip ||
    o.quantize !== want.quantize || o.photometricErrorRate !== want.photometricErrorRate
  ) return false;
  try {
    return (await Deno.stat(`${dir}/catalog.csv`)).isFile;
  } catch {
    return false;
  }
}

/** Removes `NAME.partial-*` folders left by interrupted creations more than an hour ago. */
async function removeStalePartials(cacheDir: string, name: string): Promise<void> {
  try {
    for await (const e of Deno.readDir(cacheDir)) {
      if (!e.isDirectory || !e.name.startsWith(`${name}.partial-`)) continue;
      const st = await Deno.stat(`${cacheDir}/${e.name}`);
      if (st.mtime && Date.now() - st.mtime.getTime() > 3600e3) {
        await Deno.remove(`${cacheDir}/${e.name}`, { recursive: true }).catch(() => {});
      }
    }
  } catch {
    // No cache folder yet.
  }
}

/**
 * Returns the folder of the default simulated survey, creating it on first
 * use (with a progress bar on stderr). An existing folder is reused when its
 * survey.json matches the simulator version and the default options; the
 * survey is written into a temporary folder and renamed at the end, so an
 * interrupted creation is never mistaken for a complete one.
 *
 * @param cacheDir Cache folder (default `.cache/convention`).
 * @param overrides Other options (tests use a smaller survey).
 * @returns The survey folder (holding catalog.csv, survey.json, objects/).
 *
 * @example
 * ```ts
 * import { ensureDefaultSurvey } from "./default_survey.ts";
 * // `await ensureDefaultSurvey()` gives the full default survey in .cache/convention;
 * // here a small one (8 objects instead of 2,000) in a temporary cache folder.
 * const cache = await Deno.makeTempDir();
 * const dir = await ensureDefaultSurvey(cache, { objects: 8, progress: false });
 * console.log(dir); // <cache>/s82-default-v<version>-custom-8-1, holding catalog.csv
 * const again = await ensureDefaultSurvey(cache, { objects: 8, progress: false });
 * if (!(again === dir)) throw new Error("example check failed"); // complete: reused, not simulated again
 * await Deno.remove(cache, { recursive: true });
 * ```
 */
export async function ensureDefaultSurvey(
  cacheDir = ".cache/convention",
  overrides: Partial<typeof DEFAULT_SURVEY> & { progress?: boolean; workers?: number } = {},
): Promise<string> {
  const { progress, workers, ...rest } = overrides;
  const want = { ...DEFAULT_SURVEY, ...rest };
  const isDefault = Object.keys(rest).length === 0;
  const name = isDefault
    ? defaultSurveyName()
    : `${defaultSurveyName()}-custom-${want.objects}-${want.seed}`;
  const dir = `${cacheDir}/${name}`;
  if (await isComplete(dir, want)) return dir;
  await Deno.mkdir(cacheDir, { recursive: true });
  await removeStalePartials(cacheDir, name);
  if (progress ?? true) {
    console.error(
      `Creating the default simulated survey (${want.objects} objects, ${want.size}x${want.size} ` +
        `stamps in ${want.bands}, seed ${want.seed}) in ${dir}; this happens once.`,
    );
  }
  await simulateSurvey({
    out: dir,
    objects: want.objects,
    seed: want.seed,
    size: want.size,
    bands: want.bands,
    difference: want.difference,
    gzip: want.gzip,
    quantize: want.quantize,
    photometricErrorRate: want.photometricErrorRate,
    progress: progress ?? true,
    workers,
    overwrite: true,
  });
  return dir;
}
