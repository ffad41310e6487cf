/**
 * Parses a one-line option value (`--set key=VALUE`) the way YAML reads a
 * scalar (numbers, booleans, null, quoted strings, JSON lists and maps),
 * without the YAML library: that library reads environment variables
 * (LOG_TOKENS) while parsing, which fails without `--allow-env`.
 *
 * @module
 */

const INT = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const SPECIAL = /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;

/**
 * Parses `raw` as a YAML 1.2 core-schema scalar: `10` and `1e-3` are
 * numbers, `true`/`false` booleans, `null`/`~`/empty null, `"a"` and `'a'`
 * strings, `[1, 2]`/`{"a": 1}` JSON values; anything else is the string
 * itself (trimmed).
 *
 * @example
 * ```ts
 * import { parseScalar } from "./scalar.ts";
 * if (parseScalar("abc") !== "abc" || parseScalar('"abc"') !== "abc") throw new Error("strings");
 * if (parseScalar("1e-3") !== 0.001 || parseScalar("true") !== true) throw new Error("scalars");
 * ```
 */
export function parseScalar(raw: string): unknown {
  const t = raw.trim();
  if (t === "" || t === "~" || /^(null|Null|NULL)$/.test(t)) return null;
  if (/^(true|True|TRUE)$/.test(t)) return true;
  if (/^(false|False|FALSE)$/.test(t)) return false;
  if (INT.test(t) || FLOAT.test(t)) return Number(t);
  if (SPECIAL.test(t)) {
    return t.includes("nan") || t.includes("NaN") || t.includes("NAN")
      ? NaN
      : t.startsWith("-")
      ? -Infinity
      : Infinity;
  }
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) {
    return t.slice(1, -1).replaceAll("''", "'");
  }
  if (t.startsWith('"') || t.startsWith("[") || t.startsWith("{")) {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  }
  return t;
}
