/**
 * The on-disk form of a simulated object: one multi-extension FITS file
 * (primary HDU without data, then one IMAGE HDU per band-frame), optionally
 * quantised to 16-bit integers and gzipped; and its catalogue row.
 *
 * Quantisation (`quantize: q`): each frame is stored as BITPIX 16 with
 * BSCALE = SKYSIG / q (the frame's empty-pixel noise over q, as fpack's
 * quantisation level q) and BZERO = 0, widened when a bright star would not
 * fit in 16 bits. The rounding adds noise of BSCALE / sqrt(12), i.e. a
 * fraction 1 / (12 q^2) of the variance (0.03 % for q = 16).
 *
 * @module
 */
import { writeFits, type WriteHdu } from "../fits/write.ts";
import type { SimulatedObject } from "./object.ts";
import { TEMPLATE_EPOCHS } from "./difference.ts";
import { EXPOSURE_S, MAGZP, PIXEL_SCALE } from "./sdss.ts";

/** Version of the simulator's models and file layout (in survey.json and every file). */
export const SIMULATOR_VERSION = "2.0";

/** The catalogue columns, in order. */
export const CATALOG_COLUMNS: readonly string[] = [
  "object_id",
  "class",
  "true_class",
  "subtype",
  "confirmed",
  "ra",
  "dec",
  "redshift",
  "host_mag_r",
  "peak_mag_r",
  "n_epochs",
  "n_frames",
  "file",
  "diff_file",
  "template_file",
];

/** How an object is written. */
export interface ObjectFileOptions {
  /** Quantisation level q (BSCALE = SKYSIG / q, BITPIX 16); 0 or undefined = float32. */
  quantize?: number;
  /** Survey seed (written in the primary header). */
  seed: number;
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "";
}

/** Which of an object's files: science stamps, difference stamps or the band templates. */
export type ObjectFileKind = "science" | "difference" | "template";

/**
 * Relative path of a file of object `index` inside the survey folder:
 * `objects/000001.fits`, `objects/000001.diff.fits`, `objects/000001.tmpl.fits`
 * (`.gz` when gzipped).
 */
export function objectFileName(
  index: number,
  gzip: boolean,
  kind: ObjectFileKind = "science",
): string {
  const infix = kind === "difference" ? ".diff" : kind === "template" ? ".tmpl" : "";
  return `objects/${String(index + 1).padStart(6, "0")}${infix}.fits${gzip ? ".gz" : ""}`;
}

function quantised(
  px: Float32Array,
  skySigma: number,
  q: number,
): { data: Float64Array; bscale: number; bzero: number } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < px.length; i++) {
    const v = px[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let bscale = skySigma / q, bzero = 0;
  if (Math.max(Math.abs(lo), Math.abs(hi)) / bscale > 32000) {
    bzero = (lo + hi) / 2;
    bscale = Math.max(bscale, (hi - lo) / 64000);
  }
  const data = new Float64Array(px.length);
  const inv = 1 / bscale;
  for (let i = 0; i < px.length; i++) {
    data[i] = bzero + bscale * Math.round((px[i]! - bzero) * inv);
  }
  return { data, bscale, bzero };
}

function primaryHdu(obj: SimulatedObject, opts: ObjectFileOptions, kind: ObjectFileKind): WriteHdu {
  const p = obj.params;
  const nEpochs = new Set(obj.frames.map((f) => f.epoch)).size;
  const images = kind === "template" ? obj.templates.length : obj.frames.length;
  const diff = kind === "difference" || (kind === "science" && obj.difference);
  return {
    bitpix: 16,
    shape: [],
    header: [
      ["OBJECT", obj.id, "object identifier"],
      // No truth here (issue 17, item 6): class, true class, sub-type, confirmation and
      // redshift are catalogue columns only, never keys a reader of the images can see.
      ["RA", Number(p.ra.toFixed(6)), "[deg] candidate right ascension"],
      ["DEC", Number(p.dec.toFixed(6)), "[deg] candidate declination"],
      ["NEPOCHS", nEpochs, "visits in the series"],
      ["NFRAMES", images, "IMAGE extensions"],
      ["IMAGETYP", kind, "science, difference or template"],
      ["DIFFIM", diff, "template-subtracted stamps"],
      ["TELESCOP", "SDSS 2.5m (simulated)", ""],
      ["SURVEY", "SDSS-II SN Survey Stripe 82 (simulated)", ""],
      ["SIMVERS", SIMULATOR_VERSION, "ConvEntion simulator version"],
      ["SIMSEED", opts.seed, "survey seed"],
    ],
  };
}

function imageHdu(
  header: NonNullable<WriteHdu["header"]>,
  px: Float32Array,
  skySigma: number,
  size: number,
  quantize: number | undefined,
): WriteHdu {
  if (quantize && quantize > 0) {
    const qd = quantised(px, skySigma, quantize);
    header.push(["QLEVEL", quantize, "quantised: BSCALE = SKYSIG / QLEVEL"]);
    // Masked (NaN) pixels are stored as BLANK (the quantiser keeps |values| <= 32000).
    const masked = px.some((v) => v !== v);
    return {
      bitpix: 16,
      shape: [size, size],
      data: qd.data,
      bscale: qd.bscale,
      bzero: qd.bzero,
      ...(masked ? { blank: -32768 } : {}),
      header,
    };
  }
  return { bitpix: -32, shape: [size, size], data: px, header };
}

/**
 * The HDUs of one of an object's FITS files: the science stamps (default),
 * the difference stamps (one per frame, same keys, `DIFFIM` = T, `SKYSIG`
 * including the template's noise) or the deep templates (one per band,
 * `EXTNAME` = `T` + band).
 *
 * @param obj The simulated object.
 * @param opts Quantisation and seed.
 * @param kind Which file.
 */
export function objectHdus(
  obj: SimulatedObject,
  opts: ObjectFileOptions,
  kind: ObjectFileKind = "science",
): WriteHdu[] {
  const hdus: WriteHdu[] = [primaryHdu(obj, opts, kind)];
  if (kind === "template") {
    for (const t of obj.templates) {
      const header: NonNullable<WriteHdu["header"]> = [
        ["EXTNAME", `T${t.band}`],
        ["OBJECT", obj.id],
        ["FILTER", t.band],
        ["SEEING", Number(t.seeing.toFixed(3)), "[arcsec] PSF FWHM"],
        ["MAGZP", MAGZP],
        ["SKYSIG", Number(t.skySigma.toPrecision(6)), "[nanomaggy] empty-pixel noise"],
        ["NCOMBINE", TEMPLATE_EPOCHS, "epochs stacked"],
        ["BUNIT", "nanomaggy"],
        ["PIXSCALE", PIXEL_SCALE],
      ];
      hdus.push(imageHdu(header, t.pixels, t.skySigma, obj.size, opts.quantize));
    }
    return hdus;
  }
  const diff = kind === "difference";
  for (const f of obj.frames) {
    const px = diff ? f.difference! : f.pixels;
    const sig = diff ? f.differenceSigma! : f.skySigma;
    // Few comments: header formatting is a large share of the writing time (docs/simulator.md
    // describes every key).
    const header: NonNullable<WriteHdu["header"]> = [
      ["EXTNAME", `${f.band}${f.epoch}`],
      ["OBJECT", obj.id],
      ["FILTER", f.band],
      ["MJD-OBS", Number(f.mjd.toFixed(6)), "[d] start of this band's exposure"],
      ["EXPTIME", EXPOSURE_S],
      ["SEEING", Number(f.seeing.toFixed(3)), "[arcsec] PSF FWHM"],
      ["MAGZP", MAGZP, "m = 22.5 - 2.5 log10(flux in nanomaggies)"],
      ["SKYSIG", Number(sig.toPrecision(6)), "[nanomaggy] empty-pixel noise"],
      ["SKYMAG", Number(f.skyMag.toFixed(3))],
      ["GAIN", Number(f.gain.toPrecision(6)), "[e-/nanomaggy] effective gain"],
      ["BUNIT", "nanomaggy"],
      ["PIXSCALE", PIXEL_SCALE],
      ["DIFFIM", diff || obj.difference],
      ["VISIT", f.epoch],
    ];
    hdus.push(imageHdu(header, px, sig, obj.size, opts.quantize));
  }
  return hdus;
}

/** Gzip with the web-standard CompressionStream (deterministic: no time stamp in the header). */
export async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The bytes of one of an object's files (FITS, gzipped when asked). */
export async function objectFileBytes(
  obj: SimulatedObject,
  opts: ObjectFileOptions & { gzip: boolean },
  kind: ObjectFileKind = "science",
): Promise<Uint8Array> {
  const fits = writeFits(objectHdus(obj, opts, kind));
  return opts.gzip ? await gzipBytes(fits) : fits;
}

/**
 * The catalogue row of an object (values in {@link CATALOG_COLUMNS} order);
 * `diffFile` and `templateFile` are empty when no difference images exist.
 */
export function catalogRow(
  obj: SimulatedObject,
  file: string,
  diffFile = "",
  templateFile = "",
): string[] {
  const p = obj.params;
  return [
    obj.id,
    obj.label,
    obj.trueClass,
    obj.subtype,
    obj.confirmed ? "1" : "0",
    fmt(p.ra, 6),
    fmt(p.dec, 6),
    p.z !== null ? fmt(p.z, 5) : "",
    fmt(p.hostMagR, 3),
    fmt(p.peakMagR, 3),
    String(new Set(obj.frames.map((f) => f.epoch)).size),
    String(obj.frames.length),
    file,
    diffFile,
    templateFile,
  ];
}
