/**
 * Minimal assertions for the tests (deno std lives on JSR, unreachable here).
 *
 * @module
 */

/** Error thrown by a failed assertion. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(v: unknown): string {
  try {
    return JSON.stringify(
      v,
      (_k, x) =>
        typeof x === "bigint"
          ? `${x}n`
          : x instanceof Set
          ? { Set: [...x] }
          : x instanceof Map
          ? { Map: [...x] }
          : x,
    );
  } catch {
    return String(v);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
    if (a.constructor !== b.constructor || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    const rest = [...b];
    for (const x of a) {
      const i = rest.findIndex((y) => deepEqual(x, y));
      if (i < 0) return false;
      rest.splice(i, 1);
    }
    return true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a as object), kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) {
      return false;
    }
  }
  return true;
}

/** Asserts deep equality (typed arrays element-wise, NaN equals NaN). */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!deepEqual(actual, expected)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}values differ\n  actual:   ${show(actual)}\n  expected: ${
        show(expected)
      }`,
    );
  }
}

/** Asserts `cond` is truthy. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

/** Asserts `|actual - expected| <= tol` (absolute). */
export function assertAlmostEquals(actual: number, expected: number, tol = 1e-7, msg?: string) {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}${actual} is not within ${tol} of ${expected}`,
    );
  }
}

/** Asserts `s` matches `re`. */
export function assertMatch(s: string, re: RegExp, msg?: string): void {
  if (!re.test(s)) throw new AssertionError(`${msg ? msg + ": " : ""}${show(s)} !~ ${re}`);
}

/** Asserts `fn` throws an instance of `cls` (optionally with a message matching `re`). */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => E,
  re?: RegExp,
): E {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof cls)) throw new AssertionError(`expected ${cls.name}, got ${show(e)}: ${e}`);
    if (re && !re.test(e.message)) throw new AssertionError(`message ${e.message} !~ ${re}`);
    return e;
  }
  throw new AssertionError(`expected ${cls.name} to be thrown`);
}

/** Async version of {@link assertThrows}. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  cls: abstract new (...args: never[]) => E,
  re?: RegExp,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof cls)) throw new AssertionError(`expected ${cls.name}, got ${show(e)}: ${e}`);
    if (re && !re.test(e.message)) throw new AssertionError(`message ${e.message} !~ ${re}`);
    return e;
  }
  throw new AssertionError(`expected ${cls.name} to be rejected`);
}
