/**
 * Command-line options of the bundled GPU check (`check.js`), parsed by a
 * small pure function so that a test can cover them.
 *
 * @module
 */

/** What the bundled script does. */
export type CheckCommand = "run" | "probe" | "summary";

/** Options of the GPU check. */
export interface CheckOptions {
  /** `run`: the whole check; `probe`: adapter only; `summary`: print a summary of the JSON. */
  command: CheckCommand;
  /** `gpu`: a real NVIDIA adapter is required; `rehearse`: the software adapter is accepted. */
  mode: "gpu" | "rehearse";
  /** `full`: paper preset and real sizes; `tiny`: the tiny preset and toy sizes. */
  sizes: "full" | "tiny";
  /** Folder the JSON results are written to. */
  out: string;
  /** Wall-clock budget of the whole check, seconds. */
  budgetS: number;
  /** PyTorch results written by `torch_bench.py` (read for the ratio), if any. */
  torchJson: string | null;
  /** Batches for the speed step. */
  batches: number[];
  /** Batch whose convolution shapes the tile grid is tried on. */
  tuneBatch: number;
}

/** Defaults that depend on the mode and sizes. */
export function defaultsFor(sizes: "full" | "tiny"): Pick<
  CheckOptions,
  "batches" | "tuneBatch"
> {
  return sizes === "full"
    ? { batches: [32, 128], tuneBatch: 32 }
    : { batches: [2, 4], tuneBatch: 2 };
}

function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    throw new RangeError(`${name} must be a positive integer, got '${v}'`);
  }
  return n;
}

/**
 * Parses the check's arguments.
 *
 * @param args `[command] [--out DIR] [--mode gpu|rehearse] [--sizes full|tiny]
 *   [--budget-s N] [--torch-json PATH] [--batches 32,128] [--tune-batch N]`
 * @param env Environment lookup (for `$OUT`).
 */
export function parseCheckArgs(
  args: readonly string[],
  env: (name: string) => string | undefined = () => undefined,
): CheckOptions {
  let command: CheckCommand = "run";
  let mode: "gpu" | "rehearse" = "gpu";
  let sizes: "full" | "tiny" | null = null;
  let out = env("OUT") ?? ".gpu/out";
  let budgetS = 300;
  let torchJson: string | null = null;
  let batches: number[] | null = null;
  let tuneBatch: number | null = null;
  const rest = [...args];
  if (rest[0] !== undefined && !rest[0].startsWith("--")) {
    const c = rest.shift()!;
    if (c !== "run" && c !== "probe" && c !== "summary") {
      throw new RangeError(`Unknown command '${c}': use run, probe or summary`);
    }
    command = c;
  }
  while (rest.length > 0) {
    const flag = rest.shift()!;
    const value = rest.shift();
    if (value === undefined) throw new RangeError(`Option ${flag} needs a value`);
    switch (flag) {
      case "--out":
        out = value;
        break;
      case "--mode":
        if (value !== "gpu" && value !== "rehearse") {
          throw new RangeError(`--mode must be gpu or rehearse, got '${value}'`);
        }
        mode = value;
        break;
      case "--sizes":
        if (value !== "full" && value !== "tiny") {
          throw new RangeError(`--sizes must be full or tiny, got '${value}'`);
        }
        sizes = value;
        break;
      case "--budget-s":
        budgetS = positiveInt(flag, value);
        break;
      case "--torch-json":
        torchJson = value;
        break;
      case "--batches":
        batches = value.split(",").map((b) => positiveInt(flag, b));
        break;
      case "--tune-batch":
        tuneBatch = positiveInt(flag, value);
        break;
      default:
        throw new RangeError(`Unknown option ${flag}`);
    }
  }
  const s = sizes ?? (mode === "gpu" ? "full" : "tiny");
  const d = defaultsFor(s);
  return {
    command,
    mode,
    sizes: s,
    out,
    budgetS,
    torchJson,
    batches: batches ?? d.batches,
    tuneBatch: tuneBatch ?? d.tuneBatch,
  };
}
