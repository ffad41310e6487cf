/**
 * Labels of Rubin alerts: from a CSV (`object_id,label[,confirmed]`, object
 * ids as {@link RubinAlert.id} gives them), or from a field of the alerts
 * (e.g. Fink's `xm.simbad_otype`: QSO, Sy1, EB*, RR* ...), then renamed into
 * the classes by a user's table ({@link readLabelMapFile}).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { parseConfirmed, readCsv } from "./csv.ts";
import type { RubinAlert } from "./rubin_alert.ts";

/** A label and whether it is confirmed. */
export interface RubinLabel {
  /** The label; null when unknown. */
  label: string | null;
  /** Whether it is confirmed (spectroscopically). */
  confirmed: boolean;
}

/**
 * Reads a labels CSV `object_id,label[,confirmed]`.
 *
 * @param path CSV path.
 * @throws {ConventionError} when the file cannot be read or lacks a column.
 */
export function readRubinLabels(path: string): Map<string, RubinLabel> {
  const out = new Map<string, RubinLabel>();
  for (const r of readCsv(path, ["object_id", "label"])) {
    out.set(r["object_id"]!.trim(), {
      label: r["label"]?.trim() || null,
      confirmed: parseConfirmed(r["confirmed"]) ?? false,
    });
  }
  return out;
}

/**
 * Reads a label map table: a CSV with columns `value,label` (e.g. `QSO,AGN`,
 * `Sy1,AGN`, `EB*,Variable`, `RR*,Variable`) or a JSON object
 * (`{"QSO": "AGN"}`). Used by `--label-map FILE` to rename labels (from a CSV
 * or a `--label-column`) into the classes.
 *
 * @param path The table.
 * @throws {ConventionError} when the file does not read or has no `value` / `label` column.
 */
export function readLabelMapFile(path: string): Record<string, string> {
  if (/\.json$/i.test(path)) {
    let v: unknown;
    try {
      v = JSON.parse(Deno.readTextFileSync(path));
    } catch (err) {
      throw new ConventionError(`Label map ${path} does not read: ${(err as Error).message}`, {
        hint: 'give a JSON object {"QSO": "AGN", ...} or a CSV value,label',
      });
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      throw new ConventionError(`Label map ${path} is not a JSON object of value -> label.`);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.trim(), String(x).trim()]));
  }
  const out: Record<string, string> = {};
  for (const r of readCsv(path, ["value", "label"])) out[r["value"]!.trim()] = r["label"]!.trim();
  return out;
}

/**
 * The label of an object from a field of its alerts: the value of the latest
 * alert (by MJD) where the field is set; null when none has it.
 *
 * @param alerts The object's alerts (decoded with `columns: [column]`).
 * @param column The dotted path, e.g. `xm.simbad_otype`.
 */
export function labelFromColumn(alerts: readonly RubinAlert[], column: string): string | null {
  let best: { t: number; v: string } | null = null;
  for (const a of alerts) {
    const v = a.columns[column];
    if (v === null || v === undefined || String(v).trim() === "") continue;
    if (!best || a.source.mjd >= best.t) best = { t: a.source.mjd, v: String(v).trim() };
  }
  return best?.v ?? null;
}
