/**
 * Repairs of Avro writer schemas that python-avro and fastavro accept but npm
 * `avsc` rejects. Field defaults are only used when a reader's schema adds a
 * field the writer lacks; a reader that decodes with the writer's own schema
 * never uses them, so a default that does not match its type is dropped:
 *
 * - `"default": null` on a non-null type (`"int"`, `["float", "null"]`, ...);
 * - a non-null default on a union whose first branch is `"null"` (`0` on
 *   `["null", "int"]`);
 * - a string default on a number, a number on a string, and so on.
 *
 * @module
 */

const NUMERIC = new Set(["int", "long", "float", "double"]);
const PRIMITIVE = new Set(["null", "boolean", "int", "long", "float", "double", "bytes", "string"]);

/** Whether `value` is a valid default for the (first branch of the) type; unknown types pass. */
export function defaultFits(type: unknown, value: unknown): boolean {
  if (Array.isArray(type)) return type.length === 0 ? false : defaultFits(type[0], value);
  let name = type;
  if (type !== null && typeof type === "object") {
    const t = (type as Record<string, unknown>).type;
    if (typeof t === "string" && PRIMITIVE.has(t)) name = t;
    else if (t === "array") return Array.isArray(value);
    else if (t === "map" || t === "record") {
      return value !== null && typeof value === "object" && !Array.isArray(value);
    } else if (t === "enum" || t === "fixed") return typeof value === "string";
    else return true;
  }
  // A named type (record, enum or fixed defined elsewhere) never takes null.
  if (typeof name !== "string" || !PRIMITIVE.has(name)) return value !== null;
  if (name === "null") return value === null;
  if (name === "boolean") return typeof value === "boolean";
  if (NUMERIC.has(name)) return typeof value === "number";
  return typeof value === "string"; // bytes, string
}

/**
 * Returns a repaired deep copy of a writer schema: every record field whose
 * `default` does not fit its type loses the default. The input is not changed.
 *
 * @param schema The parsed `avro.schema` JSON.
 * @param dropped Receives `record.field` of each default removed.
 * @returns The repaired schema.
 *
 * @example
 * ```ts
 * import { repairSchemaDefaults } from "./avro_schema.ts";
 * const dropped: string[] = [];
 * const fixed = repairSchemaDefaults({
 *   type: "record", name: "c", fields: [
 *     { name: "nid", type: "int", default: null },
 *     { name: "rb", type: ["null", "float"], default: 0 },
 *   ],
 * }, dropped);
 * if (dropped.join() !== "c.nid,c.rb") throw new Error(dropped.join());
 * if ("default" in (fixed as { fields: object[] }).fields[0]!) throw new Error("kept");
 * ```
 */
export function repairSchemaDefaults(schema: unknown, dropped: string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((s) => repairSchemaDefaults(s, dropped));
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = repairSchemaDefaults(v, dropped);
  if (Array.isArray(out.fields)) {
    for (const f of out.fields as Record<string, unknown>[]) {
      if (f && typeof f === "object" && "default" in f && !defaultFits(f.type, f.default)) {
        delete f.default;
        dropped.push(`${out.name ?? "?"}.${f.name ?? "?"}`);
      }
    }
  }
  return out;
}
