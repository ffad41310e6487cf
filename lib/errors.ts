/**
 * Base error of the project: every error raised on bad input or a bad
 * configuration derives from it, names the file or object at fault and says
 * what to do.
 *
 * @module
 */

/**
 * Base class of the project's typed errors.
 *
 * @example Raise an error that says what to do; `instanceof` catches every subclass
 * ```ts
 * import { ConventionError } from "./errors.ts";
 * const err = new ConventionError("Store runs/x/store has no index.json.", {
 *   hint: "Run `convention ingest` again.",
 * });
 * if (!(err instanceof Error && err.name === "ConventionError")) throw new Error("example check failed");
 * if (!(err.hint === "Run `convention ingest` again.")) throw new Error("example check failed");
 * ```
 */
export class ConventionError extends Error {
  /** What the user can do about it, when known. */
  readonly hint?: string;

  /**
   * Creates the error.
   *
   * @param message Sentence-case description naming the input at fault.
   * @param options `hint` (what to do) and `cause`.
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "ConventionError";
    this.hint = options.hint;
  }
}

/**
 * A command-line or configuration value that is not valid (exit code 2).
 *
 * @example
 * ```ts
 * import { ConventionError, UsageError } from "./errors.ts";
 * const err = new UsageError("--epochs must be a positive integer, got -1.");
 * if (!(err instanceof ConventionError && err.name === "UsageError")) throw new Error("example check failed");
 * ```
 */
export class UsageError extends ConventionError {
  /**
   * Creates the error.
   *
   * @param message What was wrong with which option.
   * @param options `hint` (what to do) and `cause`.
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * The input held nothing usable: no file, object or packet was found (exit
 * code 1). The message names the input and what was looked for.
 *
 * @example
 * ```ts
 * import { ConventionError, NothingFoundError } from "./errors.ts";
 * const err = new NothingFoundError("No object was found in data/empty.");
 * if (!(err instanceof ConventionError && err.name === "NothingFoundError")) throw new Error("example check failed");
 * ```
 */
export class NothingFoundError extends ConventionError {
  /**
   * Creates the error.
   *
   * @param message What was looked for where.
   * @param options `hint` (what to do) and `cause`.
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "NothingFoundError";
  }
}
