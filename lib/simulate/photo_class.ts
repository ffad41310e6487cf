/**
 * Photometric labels as a survey gets them (issue 17, item 5): unconfirmed
 * objects get the class of a template chi-square classifier (in the spirit
 * of PSNID, Sako et al. 2011, ApJ 738, 162) run on their own difference-image
 * light curves, so its confusions are real ones.
 *
 * - Light curve: per frame, PSF-weighted forced photometry at the stamp
 *   centre of the difference stamp (round double-Gaussian PSF of the frame's
 *   seeing; masked pixels skipped), error from the difference stamp's SKYSIG.
 * - SN templates: the simulator's own models at typical parameters (SN Ia
 *   x1 = 0, c = 0; II-P, Ib/c and IIn at the centres of their ranges, no host
 *   dust) on a redshift grid 0.05-0.45 (step 0.05), Galactic E(B-V) 0.05;
 *   explosion times on a 2-day grid from 120 days before the first point;
 *   one free amplitude (weighted least squares, positive).
 * - The stochastic model (AGN and variable stars): difference fluxes that
 *   scatter around zero.
 * - Decision: a SN when the best SN template removes at least
 *   {@link TRANSIENT_FRACTION} of the chi-square of the zero-flux model (a
 *   transient's rise and fall), SN Ia if the SN Ia template fits best, else
 *   SN other; otherwise AGN when the variability is bluer than red (rms of g
 *   fluxes over rms of r fluxes above 1, AGN being bluer when brighter),
 *   else Variable. A light curve with no significant signal (chi-square of
 *   the zero-flux model within 3 sigma of its degrees of freedom) is a
 *   Variable.
 *
 * @module
 */
import { distanceModulus } from "./cosmology.ts";
import type { ObjectParams, SimClass } from "./object_types.ts";
import { doubleGaussianPsf } from "./psf.ts";
import { addPointSource } from "./render.ts";
import { drawCcParams } from "./sn_cc.ts";
import { snFlux } from "./sn_params.ts";
import { SDSS_BANDS } from "./sdss.ts";
import { Rng } from "../util/rng.ts";

/** Fraction of the zero-model chi-square a SN template must remove to call a transient. */
export const TRANSIENT_FRACTION = 0.6;

/** One light-curve point measured on a difference stamp. */
export interface DiffPoint {
  /** MJD. */
  mjd: number;
  /** Band. */
  band: string;
  /** Flux, nanomaggies. */
  flux: number;
  /** One-sigma error. */
  err: number;
}

/** What the photometry needs of a frame (a `SimFrame` of lib/simulate/object.ts). */
export interface DiffFrame {
  /** MJD. */
  mjd: number;
  /** Band. */
  band: string;
  /** Seeing FWHM, arcsec. */
  seeing: number;
  /** Stamp side, pixels. */
  width: number;
  /** Difference stamp. */
  difference?: Float32Array;
  /** Its empty-pixel noise. */
  differenceSigma?: number;
}

/** PSF-weighted flux at the stamp centre of a frame's difference stamp. */
export function differencePhotometry(f: DiffFrame): DiffPoint | null {
  const d = f.difference;
  if (!d || !f.differenceSigma) return null;
  const n = f.width;
  const psf = new Float64Array(n * n);
  addPointSource(psf, n, n / 2, n / 2, 1, doubleGaussianPsf(f.seeing));
  let sw = 0, sww = 0;
  for (let i = 0; i < psf.length; i++) {
    const v = d[i]!;
    if (v !== v) continue;
    sw += psf[i]! * v;
    sww += psf[i]! * psf[i]!;
  }
  if (!(sww > 0)) return null;
  return { mjd: f.mjd, band: f.band, flux: sw / sww, err: f.differenceSigma / Math.sqrt(sww) };
}

const Z_GRID = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45];
const DAYS = 300;

interface Template {
  cls: "SNIa" | "SNOther";
  /** flux[band][day] for explosion at day 0 (observer frame). */
  flux: Record<string, Float64Array>;
}

let templates: Template[] | null = null;

function buildTemplates(): Template[] {
  const out: Template[] = [];
  const rng = new Rng(12345);
  for (const z of Z_GRID) {
    const kinds: { cls: "SNIa" | "SNOther"; p: Partial<ObjectParams> }[] = [
      { cls: "SNIa", p: { ia: { x1: 0, c: 0, mB: -19.3 } } },
      ...(["II-P", "Ibc", "IIn"] as const).map((s) => {
        const cc = drawCcParams(rng, s);
        return { cls: "SNOther" as const, p: { cc: { ...cc, av: 0, mB: cc.mB } } };
      }),
    ];
    for (const k of kinds) {
      const p = { ...k.p, z, mu: distanceModulus(z), ebv: 0.05, tExplosion: 0 } as ObjectParams;
      const flux: Record<string, Float64Array> = {};
      for (const b of SDSS_BANDS) {
        const a = new Float64Array(DAYS);
        for (let t = 1; t < DAYS; t++) a[t] = snFlux(p, b, t);
        flux[b] = a;
      }
      out.push({ cls: k.cls, flux });
    }
  }
  return out;
}

function templateAt(t: Template, b: string, dt: number): number {
  if (dt <= 0 || dt >= DAYS - 1) return 0;
  const k = Math.floor(dt), f = dt - k;
  const a = t.flux[b]!;
  return a[k]! * (1 - f) + a[k + 1]! * f;
}

/** Best chi-square of a template over explosion times (one positive amplitude). */
function fitTemplate(t: Template, pts: readonly DiffPoint[]): number {
  const first = pts[0]!.mjd, last = pts[pts.length - 1]!.mjd;
  let best = Infinity;
  for (let t0 = first - 120; t0 <= last - 2; t0 += 2) {
    let sfm = 0, smm = 0, sff = 0;
    for (const p of pts) {
      const m = templateAt(t, p.band, p.mjd - t0), w = 1 / (p.err * p.err);
      sfm += w * p.flux * m;
      smm += w * m * m;
      sff += w * p.flux * p.flux;
    }
    const a = smm > 0 ? Math.max(0, sfm / smm) : 0;
    const chi2 = sff - 2 * a * sfm + a * a * smm;
    if (chi2 < best) best = chi2;
  }
  return best;
}

/** The classifier's verdict and its chi-squares. */
export interface PhotoClassResult {
  /** Assigned class. */
  label: SimClass;
  /** Chi-square of the zero-flux model. */
  chi2Null: number;
  /** Best SN Ia and SN other chi-squares. */
  chi2Ia: number;
  chi2Other: number;
}

function rms(pts: readonly DiffPoint[], b: string): number {
  const v = pts.filter((p) => p.band === b).map((p) => p.flux);
  return v.length ? Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length) : 0;
}

/** Classifies a difference light curve (see the module comment). */
export function classifyLightCurve(points: readonly DiffPoint[]): PhotoClassResult {
  const pts = [...points].filter((p) => Number.isFinite(p.flux) && p.err > 0)
    .sort((a, b) => a.mjd - b.mjd);
  const res: PhotoClassResult = { label: "Variable", chi2Null: 0, chi2Ia: 0, chi2Other: 0 };
  if (pts.length < 3) return res;
  templates ??= buildTemplates();
  for (const p of pts) res.chi2Null += (p.flux / p.err) ** 2;
  res.chi2Ia = res.chi2Other = res.chi2Null;
  for (const t of templates) {
    const c = fitTemplate(t, pts);
    if (t.cls === "SNIa") res.chi2Ia = Math.min(res.chi2Ia, c);
    else res.chi2Other = Math.min(res.chi2Other, c);
  }
  const n = pts.length;
  if (res.chi2Null < n + 3 * Math.sqrt(2 * n)) return res;
  const bestSn = Math.min(res.chi2Ia, res.chi2Other);
  if (res.chi2Null - bestSn >= TRANSIENT_FRACTION * res.chi2Null) {
    res.label = res.chi2Ia <= res.chi2Other ? "SNIa" : "SNOther";
  } else res.label = rms(pts, "g") > rms(pts, "r") ? "AGN" : "Variable";
  return res;
}

/** The photometric class of a rendered object (its difference stamps). */
export function photometricClass(frames: readonly DiffFrame[]): PhotoClassResult {
  const pts: DiffPoint[] = [];
  for (const f of frames) {
    const p = differencePhotometry(f);
    if (p) pts.push(p);
  }
  return classifyLightCurve(pts);
}
