/**
 * The one parser of command-line option values for every verb: integers,
 * numbers, choices, comma lists and `from=to` pairs. Each throws a
 * {@link UsageError} naming the option and what it expected (one `error:`
 * line and exit code 2 at the top of the CLI), and none needs environment
 * access (no YAML, no locale).
 *
 * Use the `integer(...)`/`number(...)`/`choice(...)` factories as commander
 * argument parsers (`.option("--seed <n>", "…", integer("seed"))`), or the
 * `parse*` functions on a string option.
 *
 * @module
 */
import { UsageError } from "../../errors.ts";

/** Bounds of a numeric option (inclusive). */
export interface Bounds {
  /** Smallest accepted value. */
  min?: number;
  /** Largest accepted value. */
  max?: number;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function describeBounds(b: Bounds): string {
  if (b.min !== undefined && b.max !== undefined) return ` from ${b.min} to ${b.max}`;
  if (b.min !== undefined) return b.min === 0 ? " >= 0" : ` >= ${b.min}`;
  if (b.max !== undefined) return ` <= ${b.max}`;
  return "";
}

function checkBounds(option: string, text: string, n: number, b: Bounds, what: string): number {
  if ((b.min !== undefined && n < b.min) || (b.max !== undefined && n > b.max)) {
    throw new UsageError(`--${option} ${text}: expected ${what}${describeBounds(b)}.`);
  }
  return n;
}

/** Parses `text` as a whole number within `bounds` (decimal digits only: no 1.5, 1e3, 0x10). */
export function parseInteger(option: string, text: string, bounds: Bounds = {}): number {
  const t = text.trim();
  const n = Number(t);
  if (!INTEGER.test(t) || !Number.isSafeInteger(n)) {
    throw new UsageError(
      `--${option} ${JSON.stringify(text)} is not an integer${describeBounds(bounds)}.`,
    );
  }
  return checkBounds(option, text, n, bounds, "an integer");
}

/** Parses `text` as a finite decimal number within `bounds` (1, 0.5, 3e-4; not abc, Infinity). */
export function parseNumber(option: string, text: string, bounds: Bounds = {}): number {
  const t = text.trim();
  const n = Number(t);
  if (!DECIMAL.test(t) || !Number.isFinite(n)) {
    throw new UsageError(
      `--${option} ${JSON.stringify(text)} is not a number${describeBounds(bounds)}.`,
    );
  }
  return checkBounds(option, text, n, bounds, "a number");
}

/** Checks that `text` is one of `choices`. */
export function parseChoice<T extends string>(
  option: string,
  text: string,
  choices: readonly T[],
): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  const list = choices.length > 1
    ? `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`
    : choices.join("");
  throw new UsageError(`--${option} ${text} is not ${list}.`);
}

/** Splits a comma-separated list, trimming entries and dropping empty ones. */
export function parseList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Parses `a=b,c=d` into `{ a: "b", c: "d" }`. */
export function parsePairs(option: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of parseList(text)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${option} entry "${part}" is not of the form from=to.`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** A commander argument parser for an integer option. */
export function integer(option: string, bounds: Bounds = {}): (text: string) => number {
  return (text) => parseInteger(option, text, bounds);
}

/** A commander argument parser for a number option. */
export function number(option: string, bounds: Bounds = {}): (text: string) => number {
  return (text) => parseNumber(option, text, bounds);
}

/** A commander argument parser for a choice option. */
export function choice<T extends string>(
  option: string,
  choices: readonly T[],
): (text: string) => T {
  return (text) => parseChoice(option, text, choices);
}

/** The compute backends a verb may select. */
export const BACKENDS = ["auto", "webgpu", "wasm", "cpu"] as const;
/** A compute backend name. */
export type BackendName = (typeof BACKENDS)[number];

/** The cut-outs that can become frames (`host-masked`: simulated surveys only). */
export const CUTOUTS = ["science", "difference", "template", "host-masked"] as const;
/** The stamps a simulated survey can give the image models (`data.stamps`). */
export const STAMPS = ["science", "difference", "host-masked"] as const;
/** A ZTF cut-out name. */
export type CutoutChoice = (typeof CUTOUTS)[number];
