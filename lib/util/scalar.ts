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
 * strings, flow lists and maps (`[g, r]`, `{dropout: 0.3}`, nested); anything
 * else is the string itself (trimmed).
 *
 * @example
 * ```ts
 * import { parseScalar } from "./scalar.ts";
 * if (parseScalar("abc") !== "abc" || parseScalar('"abc"') !== "abc") throw new Error("strings");
 * if (parseScalar("1e-3") !== 0.001 || parseScalar("true") !== true) throw new Error("scalars");
 * if (JSON.stringify(parseScalar("[g, r, 2]")) !== '["g","r",2]') throw new Error("list");
 * if (JSON.stringify(parseScalar("{a: [1], b: 'x, y'}")) !== '{"a":[1],"b":"x, y"}') throw new Error("map");
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
  if (t.startsWith('"')) {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  }
  if (t.startsWith("[") && t.endsWith("]")) {
    const items = splitFlow(t.slice(1, -1));
    return items === null ? t : items.map(parseScalar);
  }
  if (t.startsWith("{") && t.endsWith("}")) {
    const entries = splitFlow(t.slice(1, -1));
    const out: Record<string, unknown> = {};
    for (const e of entries ?? []) {
      const colon = flowColon(e);
      if (colon < 0) return t;
      const key = parseScalar(e.slice(0, colon));
      out[String(key)] = parseScalar(e.slice(colon + 1));
    }
    return entries === null ? t : out;
  }
  return t;
}

/** Splits flow-collection content at top-level commas; null when brackets or quotes do not match. */
function splitFlow(inner: string): string[] | null {
  const out: string[] = [];
  let depth = 0, quote = "", from = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") {
      if (--depth < 0) return null;
    } else if (c === "," && depth === 0) {
      out.push(inner.slice(from, i));
      from = i + 1;
    }
  }
  if (depth !== 0 || quote) return null;
  const last = inner.slice(from);
  if (last.trim() !== "" || out.length > 0) out.push(last);
  return out.map((x) => x.trim()).filter((x, i, a) => x !== "" || i < a.length - 1);
}

/** Index of the `:` separating a flow-map key from its value (outside quotes), or -1. */
function flowColon(entry: string): number {
  let quote = "";
  for (let i = 0; i < entry.length; i++) {
    const c = entry[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ":" && (i + 1 === entry.length || entry[i + 1] === " ")) return i;
  }
  return -1;
}
