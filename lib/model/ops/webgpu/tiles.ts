/**
 * Tile settings of the WebGPU convolution kernels: the workgroup tile
 * (`tm` rows x `tn` columns of the implicit GEMM), its depth `tk`, the
 * outputs per thread (`rm` x `rn`), and for the kernel gradient the split-K
 * chunk (products one workgroup sums before the second reduction pass).
 *
 * A small table per shape family gives the default; a tuned setting (from
 * the GPU check's grid) can replace it per shape key with {@link setTiles}.
 *
 * @module
 */

/** One tile setting. */
export interface Tiles {
  /** Rows of C per workgroup. */
  tm: number;
  /** Columns of C per workgroup. */
  tn: number;
  /** Depth of the shared-memory tile (products per barrier). */
  tk: number;
  /** Rows per thread. */
  rm: number;
  /** Columns per thread. */
  rn: number;
  /** Split-K chunk (kernel gradient only): products per workgroup, a multiple of tk. */
  chunk?: number;
}

/** The three convolution kernels. */
export type ConvKernel = "forward" | "input" | "filter";

/** The implicit GEMM a kernel computes: C[rows, cols] = sum over depth. */
export interface GemmShape {
  /** Rows of C. */
  rows: number;
  /** Columns of C. */
  cols: number;
  /** Reduction length. */
  depth: number;
}

/** Error for a tile setting that breaks a kernel's constraints. */
export class TileError extends Error {
  /** @param message What is wrong and what to do. */
  constructor(message: string) {
    super(message);
    this.name = "TileError";
  }
}

/** Largest loop the software adapter runs in full is 65,535 iterations; stay far below. */
export const MAX_SHADER_LOOP = 4096;

/** Threads of a workgroup for `t`. */
export function threads(t: Tiles): number {
  return (t.tm / t.rm) * (t.tn / t.rn);
}

/**
 * Checks a setting: divisibility of the tile by the per-thread block, loads
 * that divide evenly among the threads, at most 256 threads, shared memory
 * within 16 KiB (the WebGPU minimum), a chunk that is a multiple of tk.
 *
 * @throws TileError naming the broken rule.
 */
export function validateTiles(t: Tiles): void {
  const why = (m: string) => {
    throw new TileError(`tiles ${JSON.stringify(t)}: ${m}; pick another setting`);
  };
  if (t.tm % t.rm || t.tn % t.rn) why("tm must be a multiple of rm and tn of rn");
  const n = threads(t);
  if (n > 256 || n < 1) why(`${n} threads per workgroup (1..256 allowed)`);
  if ((t.tm * t.tk) % n || (t.tn * t.tk) % n) why("tile loads do not divide among the threads");
  if ((t.tm + t.tn) * t.tk * 4 > 16384) why("shared memory above 16 KiB");
  if (t.chunk !== undefined && (t.chunk % t.tk || t.chunk / t.tk > MAX_SHADER_LOOP)) {
    why(`chunk must be a multiple of tk with at most ${MAX_SHADER_LOOP} tile steps`);
  }
}

/** Key of a convolution shape for the tuned table: kernel + GEMM shape. */
export function shapeKey(kernel: ConvKernel, s: GemmShape): string {
  return `${kernel}:${s.rows}x${s.cols}x${s.depth}`;
}

const tuned = new Map<string, Tiles>();

/**
 * Replaces the default tiles of one shape (from a tuning run).
 *
 * @param key {@link shapeKey} of the shape.
 * @param t The setting (validated).
 */
export function setTiles(key: string, t: Tiles): void {
  validateTiles(t);
  tuned.set(key, t);
}

/** Forgets every tuned setting. */
export function clearTiles(): void {
  tuned.clear();
}

/** Split-K chunk for a reduction of `depth`: about 64 splits, 256..8192 products each. */
export function defaultChunk(depth: number, tk: number): number {
  const c = Math.min(8192, Math.max(256, Math.ceil(depth / 64)));
  return Math.ceil(c / tk) * tk;
}

/**
 * The kind of adapter: `software` (a fallback adapter such as llvmpipe, whose
 * compiler unrolls the per-thread loops: 16 x 16 x 16 register tiles took
 * 5-25 s to compile there, 16 x 16 x 8 with 2 x 2 per thread about 1.7 s) or
 * `gpu`.
 */
export type DeviceFamily = "software" | "gpu";

/**
 * Tiles for a shape: the tuned setting if any, else the default of the device
 * family and shape family (on a GPU: narrow outputs of at most 16 channels get
 * 16-wide tiles; the kernel gradient, whose rows are taps x channels, gets
 * square 32 tiles; on a software adapter small tiles that compile fast).
 */
export function tilesFor(kernel: ConvKernel, s: GemmShape, family: DeviceFamily = "gpu"): Tiles {
  const t = tuned.get(shapeKey(kernel, s));
  if (t) return t;
  if (family === "software") {
    const small: Tiles = { tm: 16, tn: 16, tk: 8, rm: 2, rn: 2 };
    return kernel === "filter" ? { ...small, chunk: defaultChunk(s.depth, 8) } : small;
  }
  if (kernel === "filter") {
    return { tm: 32, tn: 32, tk: 16, rm: 4, rn: 2, chunk: defaultChunk(s.depth, 16) };
  }
  if (s.cols <= 16) return { tm: 64, tn: 16, tk: 16, rm: 4, rn: 2 };
  return { tm: 64, tn: 32, tk: 16, rm: 4, rn: 4 };
}

/** The tile grid the GPU check tries per shape (each valid for {@link validateTiles}). */
export function tileGrid(kernel: ConvKernel, s: GemmShape): Tiles[] {
  const out: Tiles[] = [];
  const shapes = [[16, 16, 8], [32, 32, 16], [64, 16, 16], [64, 32, 16], [64, 64, 16], [
    128,
    32,
    16,
  ]];
  for (const [tm, tn, tk] of shapes as [number, number, number][]) {
    for (const [rm, rn] of [[2, 2], [4, 2], [4, 4], [8, 4]] as const) {
      const t: Tiles = { tm, tn, tk, rm, rn };
      if (kernel === "filter") t.chunk = defaultChunk(s.depth, tk);
      try {
        validateTiles(t);
        out.push(t);
      } catch {
        // not a valid combination
      }
    }
  }
  return out;
}
