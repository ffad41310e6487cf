/**
 * The exit-code convention of every verb (README "Exit codes"):
 *
 * - 0: the verb did its work. Inputs it could not use (a file, packet, HDU,
 *   frame or object) are skipped, each reported, and counted in the summary.
 * - 1: `--strict` was given and something was skipped; or a runtime failure:
 *   nothing usable was found, an output cannot be written, a store changed.
 * - 2: a usage error: a bad option value, a missing or conflicting argument.
 *
 * @module
 */
import { EXIT_FAILURE } from "./output.ts";

export { NothingFoundError } from "../../errors.ts";

/** The flag every verb that skips inputs accepts. */
export const STRICT_FLAG = "--strict";
/** Its help text. */
export const STRICT_HELP = "exit 1 when any input was skipped (default: exit 0 and count them)";

/** Counts the inputs a verb skipped and turns the count into its exit code. */
export class SkipCounter {
  /** How many were skipped. */
  count = 0;

  /**
   * @param what What is counted, for the summary ("input problems").
   */
  constructor(readonly what: string) {}

  /** Counts one and prints it as a `warning:` line on stderr. */
  warn(message: string): void {
    this.count++;
    console.error(`warning: ${message}`);
  }

  /** Counts `n` reported elsewhere (in a report file or the verb's output). */
  add(n: number): void {
    this.count += n;
  }

  /** "3 input problems (skipped)". */
  summary(): string {
    return `${this.count} ${this.what} (skipped)`;
  }

  /** 0, or 1 with `strict` when anything was skipped. */
  exitCode(strict = false): number {
    return skippedExitCode(this.count, strict);
  }
}

/** The exit code for `skipped` inputs under the convention (1 only with `strict`). */
export function skippedExitCode(skipped: number, strict = false): number {
  return strict && skipped > 0 ? EXIT_FAILURE : 0;
}
