/**
 * The wasm backend's heap holds at most 4 GB; TF.js reports an overflow as a
 * bare `RuntimeError: memory access out of bounds` (or an Emscripten abort).
 * This turns it into an error that says which settings hold how many objects
 * and what to change.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";

/** The wasm heap overflowed during training or evaluation. */
export class WasmMemoryError extends ConventionError {
  /**
   * Creates the error.
   *
   * @param message What ran out of memory, with the batch settings.
   * @param options `hint` (what to do) and `cause` (the original error).
   */
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "WasmMemoryError";
  }
}

const PATTERN = /memory access out of bounds|Cannot enlarge memory|Aborted\(OOM\)|out of memory/i;

/**
 * Whether an error is the wasm heap running out (the messages TF.js's wasm
 * backend and Emscripten give).
 *
 * @param e Any thrown value.
 * @returns True for a wasm memory overflow.
 * @example
 * ```ts
 * import { isWasmMemoryFailure } from "./wasm_memory.ts";
 * const e = new WebAssembly.RuntimeError("memory access out of bounds");
 * if (!isWasmMemoryFailure(e) || isWasmMemoryFailure(new Error("x"))) {
 *   throw new Error("example check failed");
 * }
 * ```
 */
export function isWasmMemoryFailure(e: unknown): boolean {
  return (e instanceof WebAssembly.RuntimeError || e instanceof Error) &&
    PATTERN.test((e as Error).message);
}

/**
 * `e` as a {@link WasmMemoryError} when it is a wasm heap overflow, else `e`
 * itself.
 *
 * @param e Any thrown value.
 * @param what What was running ("training the paper preset (batch 128, ...)").
 * @param hint What to change.
 * @returns The error to throw.
 */
export function explainWasmMemory(e: unknown, what: string, hint: string): unknown {
  if (!isWasmMemoryFailure(e) || e instanceof WasmMemoryError) return e;
  return new WasmMemoryError(
    `The wasm heap (4 GB at most) ran out of memory ${what}: ${(e as Error).message}`,
    { hint, cause: e },
  );
}
