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

/** Key of the problem of a malformed row in {@link readCsv}'s `mark` mode. */
export const ROW_PROBLEM = "__row_problem__";

/** What {@link readCsv} does with a row whose field count differs from the header's. */
export interface ReadCsvOptions {
  /**
   * `throw` (default): a {@link ConventionError} naming the line; `mark`: the
   * row is returned with only `ROW_PROBLEM` set (what is wrong, with its
   * line), for the caller to report and skip.
   */
  badRows?: "throw" | "mark";
}

/** Reads a CSV file with a header row into records; throws {@link ConventionError} on failure. */
export function readCsv(
  path: string,
  required: readonly string[],
  opts: ReadCsvOptions = {},
): Record<string, string>[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new ConventionError(`Cannot read ${path}: ${(e as Error).message}`, {
      cause: e,
      hint: "Check the path.",
    });
  }
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      skip_empty_lines: true,
      trim: true,
      comment: "#",
      relax_column_count: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw new ConventionError(`${path} is not a valid CSV file: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const header = (parsed[0]?.record ?? []).map((c) => c.trim().toLowerCase());
  const rows: Record<string, string>[] = [];
  for (const { record, info } of parsed.slice(1)) {
    if (record.length !== header.length) {
      const problem = `line ${info.lines} has ${record.length} fields, the header has ` +
        `${header.length}`;
      if (opts.badRows !== "mark") {
        throw new ConventionError(`${path} is not a valid CSV file: ${problem}.`, {
          hint: "fix or remove that row",
        });
      }
      rows.push({ [ROW_PROBLEM]: `${path} ${problem}` });
      continue;
    }
    const row: Record<string, string> = {};
    header.forEach((h, i) => row[h] = record[i]!);
    rows.push(row);
  }
  const missing = required.filter((c) => rows.length > 0 && !header.includes(c));
  if (missing.length > 0) {
    throw new ConventionError(`${path} lacks the column(s) ${missing.join(", ")}.`, {
      hint: `Expected columns: ${required.join(", ")}.`,
    });
  }
  return rows;
}
