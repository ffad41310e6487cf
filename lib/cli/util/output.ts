/**
 * Output helpers shared by the CLI verbs: one `error()` that prints
 * `error: ...` on stderr, JSON on stdout for programs.
 *
 * @module
 */
import { ConventionError, UsageError } from "../../errors.ts";
import { isWasmMemoryFailure } from "../../train/wasm_memory.ts";
import { isFsRefusal } from "../../util/writable.ts";

/** Exit code for usage errors (bad option or argument). */
export const EXIT_USAGE = 2;
/** Exit code for failures on valid usage (bad input data, I/O). */
export const EXIT_FAILURE = 1;

/** Prints `error: message` (and a hint line when given) on stderr. */
export function printError(message: string, hint?: string): void {
  console.error(`error: ${message}`);
  if (hint) console.error(`hint: ${hint}`);
}

/**
 * Reports an error caught at the top of a verb and returns the exit code:
 * project errors print their message and hint, as does a wasm heap overflow
 * (with what to change); anything else is a bug and prints its stack.
 */
export function reportError(err: unknown): number {
  if (err instanceof UsageError) {
    printError(err.message, err.hint);
    return EXIT_USAGE;
  }
  if (err instanceof ConventionError) {
    printError(err.message, err.hint);
    return EXIT_FAILURE;
  }
  if (isWasmMemoryFailure(err)) {
    printError(
      `the wasm heap (4 GB at most) ran out of memory: ${(err as Error).message}`,
      "use smaller batches (--batch-size, --set evalBatchSize=8; for training --micro-batch 2), " +
        "a smaller preset, or --backend webgpu on a GPU",
    );
    return EXIT_FAILURE;
  }
  if (err instanceof Deno.errors.NotFound || isFsRefusal(err)) {
    // Deno's message names the call and the path ("Permission denied (os error 13): mkdir 'x'").
    printError((err as Error).message, "check the path and that it can be read or written");
    return EXIT_FAILURE;
  }
  console.error(`error: internal error (please report): ${(err as Error)?.stack ?? String(err)}`);
  return EXIT_FAILURE;
}

/** Writes one value as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, (_k, v) => typeof v === "bigint" ? v.toString() : v, 2));
}
