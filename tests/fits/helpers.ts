/**
 * Shared helpers of the FITS tests: corpus paths, expected values, fitsverify.
 *
 * @module
 */

/** The shared FITS corpus (relative to the repository root). */
export const CORPUS = "fixtures/fits/corpus";

/** One HDU of expected.json. */
export interface ExpectedHdu {
  index: number;
  class: string;
  EXTNAME: string | null;
  BITPIX: number;
  NAXIS: number[];
  ZNAXIS?: number[];
  ZBITPIX?: number;
  shape_numpy?: number[];
  dtype?: string;
  sum?: number;
  nan_count?: number;
  inf_count?: number;
  min?: number | string;
  max?: number | string;
  first4?: Array<number | string>;
  last?: number | string;
  nrows?: number;
  columns?: string[];
  row0?: unknown[];
}

/** One file of expected.json. */
export interface ExpectedFile {
  bytes: number;
  fitsverify: string;
  hdus: ExpectedHdu[];
  CONTINUE_cards: number;
  HIERARCH_cards: number;
  funpack_reference?: {
    hdu: number;
    dtype: string;
    shape_numpy: number[];
    sum: number;
    nan_count: number;
    first4: Array<number | string>;
  };
}

/** Loads expected.json. */
export function loadExpected(): Record<string, ExpectedFile> {
  return JSON.parse(Deno.readTextFileSync(`${CORPUS}/expected.json`));
}

/**
 * Runs `fitsverify -q` on a file. Call it from a test registered with
 * `toolTest({ tools: ["fitsverify"] })` (tests/util/tools.ts), which skips
 * or fails when fitsverify is missing.
 */
export async function fitsverify(path: string): Promise<{ ok: boolean; text: string }> {
  const out = await new Deno.Command("fitsverify", {
    args: ["-q", path],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: /verification OK/.test(text), text: text.trim() };
}

/** Parses an expected pixel ('nan', 'inf', '-inf' or a number). */
export function expectedPixel(v: number | string): number {
  if (typeof v === "number") return v;
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  return Number(v);
}

/** The typed array class name astropy's dtype corresponds to. */
export function arrayClassFor(dtype: string): string {
  const d = dtype.replace(/^[<>=|]/, "");
  const map: Record<string, string> = {
    uint8: "Uint8Array",
    u1: "Uint8Array",
    int8: "Int8Array",
    i1: "Int8Array",
    int16: "Int16Array",
    i2: "Int16Array",
    uint16: "Uint16Array",
    u2: "Uint16Array",
    int32: "Int32Array",
    i4: "Int32Array",
    uint32: "Uint32Array",
    u4: "Uint32Array",
    int64: "BigInt64Array",
    i8: "BigInt64Array",
    uint64: "BigUint64Array",
    u8: "BigUint64Array",
    float32: "Float32Array",
    f4: "Float32Array",
    float64: "Float64Array",
    f8: "Float64Array",
  };
  return map[d] ?? `unknown dtype ${dtype}`;
}
