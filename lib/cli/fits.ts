/**
 * `convention fits`: inspect and verify FITS files.
 *
 * - `fits info FILE... [--json]`: per file its HDUs (index, kind, BITPIX,
 *   shape in NAXIS order, key header values) and for images the finite-pixel
 *   sum, min, max, mean and NaN count; tile-compressed images are reported
 *   as the image they hold.
 * - `fits verify FILE... [--json]`: structural checks like fitsverify; per
 *   file OK or the list of problems; exit code 1 when any file has errors.
 *
 * Bad or missing files are reported and the others still processed.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { guarded } from "./util/action.ts";
import { NothingFoundError, skippedExitCode, STRICT_FLAG, STRICT_HELP } from "./util/exit.ts";
import { printJson } from "./util/output.ts";
import { readFitsFile } from "../fits/read.ts";
import { pixelStats } from "../fits/stats.ts";
import type { Hdu, HeaderValue } from "../fits/types.ts";
import { verifyFits, type VerifyProblem, type VerifyReport } from "../fits/verify.ts";

/** Header keys shown by `fits info`. */
const INFO_KEYS = [
  "EXTNAME",
  "OBJECT",
  "FILTER",
  "MJD-OBS",
  "DATE-OBS",
  "EXPTIME",
  "BUNIT",
  "BZERO",
  "BSCALE",
  "BLANK",
  "ZCMPTYPE",
];

/** What `fits info --json` prints per HDU. */
interface HduInfo {
  index: number;
  kind: Hdu["kind"];
  bitpix: number | null;
  shape: number[];
  keys: Record<string, HeaderValue>;
  stats?: {
    sum: number;
    min: number | null;
    max: number | null;
    mean: number | null;
    nanCount: number;
    infCount: number;
  };
  table?: { rows: number; columns: string[] };
}

/** What `fits info --json` prints per file. */
type FileInfo =
  | { file: string; hdus: HduInfo[]; warnings: string[] }
  | { file: string; error: string };

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function hduInfo(hdu: Hdu): HduInfo {
  const h = hdu.header;
  const keys: Record<string, HeaderValue> = {};
  for (const k of INFO_KEYS) {
    const v = h.get(k);
    if (v !== undefined) keys[k] = v;
  }
  const info: HduInfo = {
    index: hdu.index,
    kind: hdu.kind,
    bitpix: hdu.image?.bitpix ?? h.getNumber("BITPIX") ?? null,
    shape: hdu.image?.shape ??
      Array.from(
        { length: h.getNumber("NAXIS") ?? 0 },
        (_, i) => h.getNumber(`NAXIS${i + 1}`) ?? 0,
      ),
    keys,
  };
  if (hdu.image && hdu.image.data.length > 0) {
    const s = pixelStats(hdu.image.data);
    info.stats = {
      sum: s.sum,
      min: finiteOrNull(s.min),
      max: finiteOrNull(s.max),
      mean: finiteOrNull(s.mean),
      nanCount: s.nan,
      infCount: s.inf,
    };
  }
  if (hdu.table) {
    info.table = {
      rows: hdu.table.rows,
      columns: hdu.table.columns.map((c) => `${c.name}:${c.format}`),
    };
  }
  return info;
}

function fmtNum(v: number | null | undefined): string {
  if (v === null || v === undefined) return "-";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return Number(v.toPrecision(7)).toString();
}

function fmtValue(v: HeaderValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null) return `(${v.re}, ${v.im})`;
  return String(v);
}

function printInfoTable(files: FileInfo[]): void {
  for (const f of files) {
    if ("error" in f) {
      console.log(`${f.file}: not read: ${f.error}`);
      continue;
    }
    console.log(`${f.file}: ${f.hdus.length} HDU${f.hdus.length === 1 ? "" : "s"}`);
    const rows = [["HDU", "kind", "BITPIX", "shape", "sum", "min", "max", "mean", "NaN", "keys"]];
    for (const h of f.hdus) {
      const keys = Object.entries(h.keys).map(([k, v]) => `${k}=${fmtValue(v)}`).join(" ");
      rows.push([
        String(h.index),
        h.kind,
        String(h.bitpix ?? "-"),
        h.shape.length ? h.shape.join("x") : "-",
        h.stats ? fmtNum(h.stats.sum) : h.table ? `${h.table.rows} rows` : "-",
        h.stats ? fmtNum(h.stats.min) : h.table ? `${h.table.columns.length} cols` : "-",
        h.stats ? fmtNum(h.stats.max) : "-",
        h.stats ? fmtNum(h.stats.mean) : "-",
        h.stats ? String(h.stats.nanCount) : "-",
        keys,
      ]);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) {
      console.log(
        "  " +
          r.map((cell, c) => c === r.length - 1 ? cell : cell.padEnd(widths[c]!)).join("  ")
            .trimEnd(),
      );
    }
    for (const w of f.warnings) console.log(`  warning: ${w}`);
  }
}

async function infoAction(
  paths: string[],
  opts: { json?: boolean; strict?: boolean },
): Promise<number> {
  const files: FileInfo[] = [];
  for (const path of paths) {
    try {
      const f = await readFitsFile(path);
      files.push({ file: path, hdus: f.hdus.map(hduInfo), warnings: f.warnings });
    } catch (e) {
      files.push({ file: path, error: (e as Error)?.message ?? String(e) });
    }
  }
  if (opts.json) printJson({ files });
  else printInfoTable(files);
  const failed = files.filter((f) => "error" in f).length;
  if (failed === files.length) {
    throw new NothingFoundError(`None of the ${failed} files could be read as FITS (see above).`);
  }
  if (failed > 0) console.error(`${failed} of ${files.length} files not read (skipped)`);
  return skippedExitCode(failed, opts.strict);
}

function where(p: VerifyProblem): string {
  const parts: string[] = [];
  if (p.hdu !== undefined) parts.push(`HDU ${p.hdu}`);
  if (p.card !== undefined) parts.push(`card ${p.card}`);
  return parts.length ? `${parts.join(" ")}: ` : "";
}

function verifyAction(paths: string[], opts: { json?: boolean; strict?: boolean }): number {
  const reports: VerifyReport[] = [];
  for (const path of paths) {
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(path);
    } catch (e) {
      const message = e instanceof Deno.errors.NotFound ? "file not found" : (e as Error).message;
      reports.push({ file: path, hdus: 0, errors: [{ message }], warnings: [], ok: false });
      continue;
    }
    const r = verifyFits(bytes, path);
    reports.push(r);
  }
  if (opts.json) {
    printJson({ files: reports });
  } else {
    for (const r of reports) {
      if (r.ok && r.warnings.length === 0) {
        console.log(`OK      ${r.file} (${r.hdus} HDU${r.hdus === 1 ? "" : "s"})`);
        continue;
      }
      console.log(
        `${r.ok ? "OK" : "FAILED"}${r.ok ? "      " : "  "}${r.file}: ${r.errors.length} error${
          r.errors.length === 1 ? "" : "s"
        }, ${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"}`,
      );
      for (const p of r.errors) console.log(`  error: ${where(p)}${p.message}`);
      for (const p of r.warnings) console.log(`  warning: ${where(p)}${p.message}`);
    }
    const bad = reports.filter((r) => !r.ok).length;
    if (reports.length > 1) console.log(`${reports.length - bad} of ${reports.length} files OK`);
  }
  // The verdict is the answer: 1 when a file has errors (with --strict, or warnings).
  return reports.some((r) => !r.ok || (opts.strict && r.warnings.length > 0)) ? 1 : 0;
}

/** Registers the `fits` verb on `program`. */
export function registerFits(program: Command): void {
  const fits = program
    .command("fits")
    .description("inspect and verify FITS files");
  fits
    .command("info")
    .description(
      "per file its HDUs: index, kind, BITPIX, shape (NAXIS1 first), key header values, pixel statistics",
    )
    .argument("<files...>", "FITS files (.fits, .fits.gz, .fz)")
    .option("--json", "print JSON on stdout")
    .option(STRICT_FLAG, STRICT_HELP)
    .action(guarded(infoAction));
  fits
    .command("verify")
    .description("check FITS structure like fitsverify; exit code 1 when a file has errors")
    .argument("<files...>", "FITS files (.fits, .fits.gz, .fz)")
    .option("--json", "print JSON on stdout")
    .option("--strict", "exit 1 on warnings too")
    .action(guarded(verifyAction));
}
