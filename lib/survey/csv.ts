/**
 * CSV helpers for catalogs and manifests: header names trimmed and lower
 * case, `#` comments and empty lines skipped, required columns checked.
 *
 * @module
 */
import { parse } from "csv-parse/sync";
import { ConventionError } from "../errors.ts";

/** Parses a confirmed flag: 1/0, true/false, yes/no, y/n, t/f (case-insensitive). */
export function parseConfirmed(text: string | undefined): boolean | null {
  const t = (text ?? "").trim().toLowerCase();
  if (["1", "true", "t", "yes", "y"].includes(t)) return true;
  if (["0", "false", "f", "no", "n", ""].includes(t)) return false;
  return null;
}

/** Reads a CSV file with a header row into records; throws {@link ConventionError} on failure. */
export function readCsv(path: string, required: readonly string[]): Record<string, string>[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new ConventionError(`Cannot read ${path}: ${(e as Error).message}`, {
      cause: e,
      hint: "Check the path.",
    });
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      comment: "#",
    }) as Record<string, string>[];
  } catch (e) {
    throw new ConventionError(`${path} is not a valid CSV file: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const header = rows[0] ? Object.keys(rows[0]) : [];
  const missing = required.filter((c) => rows.length > 0 && !header.includes(c));
  if (missing.length > 0) {
    throw new ConventionError(`${path} lacks the column(s) ${missing.join(", ")}.`, {
      hint: `Expected columns: ${required.join(", ")}.`,
    });
  }
  return rows;
}
