/**
 * Wraps a verb's action so that errors print one `error:` line and set the
 * process exit code instead of escaping as stack traces.
 *
 * @module
 */
import { reportError } from "./output.ts";

/**
 * Returns an action handler that runs `fn` and turns a thrown error into an
 * `error:` line on stderr and `Deno.exitCode` (2 for usage errors, 1 else).
 * A number returned by `fn` becomes the exit code.
 */
export function guarded<A extends unknown[]>(
  fn: (...args: A) => Promise<number | void> | number | void,
): (...args: A) => Promise<void> {
  return async (...args: A): Promise<void> => {
    try {
      const code = await fn(...args);
      if (typeof code === "number") Deno.exitCode = code;
    } catch (err) {
      Deno.exitCode = reportError(err);
    }
  };
}
