/**
 * SCONE-like input (Qu et al. 2021): a two-dimensional Gaussian process fitted to each light
 * curve in time x wavelength (each band at its effective wavelength), whose predictive mean and
 * standard deviation on a grid (32 wavelength x 180 day bins by default) form a two-channel
 * "heatmap" image for a small CNN.
 *
 * The fit is real: the kernel's amplitude and its time and wavelength length scales are
 * optimised per object by maximising the exact log marginal likelihood (Cholesky, analytic
 * gradients, BFGS in log-parameters with bounds). Measurement errors enter the diagonal.
 * Everything runs in float64 in plain TypeScript (no TF.js), deterministic.
 *
 * @module
 */
import type { LightCurvePoint } from "./photometry.ts";

/**
 * Effective wavelengths in angstrom: SDSS ugriz (Fukugita et al. 1996, Doi et al. 2010) and
 * the ZTF/LSST-like `y`.
 */
export const BAND_WAVELENGTHS: Readonly<Record<string, number>> = {
  u: 3551,
  g: 4686,
  r: 6166,
  i: 7480,
  z: 8932,
  y: 10070,
};

/** Kernel of the GP: Matern-3/2 (SCONE, avocado) or squared exponential, on scaled distance. */
export type GpKernel = "matern32" | "sqexp";

/** Options of {@link fitGp2d}. */
export interface GpFitOptions {
  /** Kernel (default `matern32`). */
  kernel?: GpKernel;
  /**
   * Fit the wavelength length scale too (default false: fixed at `wavelengthScale`, as avocado
   * and SCONE do; sparse band coverage constrains it poorly).
   */
  fitWavelengthScale?: boolean;
  /** Initial or fixed wavelength length scale in angstrom (default 6000, as SCONE). */
  wavelengthScale?: number;
  /** Initial time length scale in days (default 20). */
  timeScale?: number;
  /** Bounds of the time length scale in days (default [1, 1000]). */
  timeScaleBounds?: readonly [number, number];
  /** Bounds of the wavelength length scale in angstrom (default [300, 30000]). */
  wavelengthScaleBounds?: readonly [number, number];
  /** Maximum optimiser iterations per start (default 60). */
  maxIterations?: number;
  /**
   * Initial time length scales of a multi-start optimisation, the best optimum kept (default
   * [`timeScale`]: one start; on 60 objects of the default survey, starts at 20, 5 and 100 days
   * improved the log likelihood by more than 0.5 over the single start at 20 days for 2 objects,
   * by at most 1.1).
   */
  starts?: readonly number[];
  /** Band name -> effective wavelength (default {@link BAND_WAVELENGTHS}). */
  wavelengths?: Readonly<Record<string, number>>;
}

/** A fitted two-dimensional GP. */
export interface GpFit {
  /** Kernel used. */
  kernel: GpKernel;
  /** Kernel amplitude (standard deviation, flux units). */
  amplitude: number;
  /** Time length scale in days. */
  timeScale: number;
  /** Wavelength length scale in angstrom. */
  wavelengthScale: number;
  /** Log marginal likelihood at the optimum. */
  logLikelihood: number;
  /** Optimiser iterations used. */
  iterations: number;
  /** Number of points fitted. */
  n: number;
  /**
   * Predictive mean and standard deviation (of the latent function, without measurement noise)
   * at the given times (MJD) and wavelengths (angstrom).
   */
  predict(mjd: ArrayLike<number>, wavelength: ArrayLike<number>): {
    mean: Float64Array;
    std: Float64Array;
  };
}

const SQRT3 = Math.sqrt(3);

/** Kernel value at squared scaled distance `r2`. */
function kernelValue(kind: GpKernel, a2: number, r2: number): number {
  if (kind === "sqexp") return a2 * Math.exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  return a2 * (1 + SQRT3 * r) * Math.exp(-SQRT3 * r);
}

/** The factor dk with d k / d log(scale) = dk * (delta / scale)^2. */
function kernelScaleFactor(kind: GpKernel, a2: number, r2: number, k: number): number {
  return kind === "sqexp" ? k : 3 * a2 * Math.exp(-SQRT3 * Math.sqrt(r2));
}

/** In-place Cholesky of an n x n symmetric positive definite matrix (lower). False if not PD. */
function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! ** 2;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      const ri = i * n, rj = j * n;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** K^-1 (full, symmetric) from K's lower Cholesky factor L (row-major). */
function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  // mt = (L^-1)^T, row i of mt = column i of L^-1 (contiguous for the product below).
  const mt = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    mt[rj + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      const ri = i * n;
      for (let k = j; k < i; k++) s += l[ri + k]! * mt[rj + k]!;
      mt[rj + i] = -s / l[ri + i]!;
    }
  }
  // K^-1 = L^-T L^-1: (i, j) = sum_{k >= max(i, j)} mt[i, k] mt[j, k].
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += mt[ri + k]! * mt[rj + k]!;
      out[ri + j] = s;
      out[rj + i] = s;
    }
  }
  return out;
}

/** Solves L x = b in place (L lower, row-major). */
function solveLower(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * b[k]!;
    b[i] = s / l[ri + i]!;
  }
}

/** Solves L^T x = b in place. */
function solveUpper(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

interface Problem {
  n: number;
  t: Float64Array;
  lam: Float64Array;
  y: Float64Array;
  noise: Float64Array; // measurement variance + jitter
  kernel: GpKernel;
}

interface Evaluation {
  value: number; // log marginal likelihood
  grad: number[]; // d/d [log A, log lt, log ll]
  chol: Float64Array;
  alpha: Float64Array;
}

/** Log marginal likelihood and its gradient in (log A, log l_t, log l_lambda). */
function evaluate(p: Problem, theta: readonly number[], wantGrad: boolean): Evaluation | null {
  const { n, t, lam, y, noise, kernel } = p;
  const a2 = Math.exp(2 * theta[0]!), lt = Math.exp(theta[1]!), ll = Math.exp(theta[2]!);
  const k = new Float64Array(n * n);
  const dt2 = wantGrad ? new Float64Array(n * n) : null;
  const dl2 = wantGrad ? new Float64Array(n * n) : null;
  const dk = wantGrad ? new Float64Array(n * n) : null;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const u = (t[i]! - t[j]!) / lt, v = (lam[i]! - lam[j]!) / ll;
      const r2 = u * u + v * v;
      const kv = kernelValue(kernel, a2, r2);
      k[i * n + j] = kv;
      k[j * n + i] = kv;
      if (dt2 && dl2 && dk) {
        dt2[i * n + j] = dt2[j * n + i] = u * u;
        dl2[i * n + j] = dl2[j * n + i] = v * v;
        dk[i * n + j] = dk[j * n + i] = kernelScaleFactor(kernel, a2, r2, kv);
      }
    }
    k[i * n + i]! += noise[i]!;
  }
  const kk = wantGrad ? Float64Array.from(k) : null;
  if (!cholesky(k, n)) return null;
  const alpha = Float64Array.from(y);
  solveLower(k, n, alpha);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += alpha[i]! * alpha[i]!;
  solveUpper(k, n, alpha);
  let logdet = 0;
  for (let i = 0; i < n; i++) logdet += Math.log(k[i * n + i]!);
  const value = -0.5 * quad - logdet - 0.5 * n * Math.log(2 * Math.PI);
  const grad = [0, 0, 0];
  if (wantGrad && kk && dt2 && dl2 && dk) {
    // K^-1 = L^-T L^-1 from the triangular inverse of the Cholesky factor (n^3/3 flops).
    const kinv = inverseFromCholesky(k, n);
    // dL/dtheta = 0.5 tr((alpha alpha^T - K^-1) dK/dtheta).
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const m = alpha[i]! * alpha[j]! - kinv[i * n + j]!;
        const idx = i * n + j;
        const kSignal = kk[idx]! - (i === j ? noise[i]! : 0);
        grad[0]! += m * 2 * kSignal;
        grad[1]! += m * dk[idx]! * dt2[idx]!;
        grad[2]! += m * dk[idx]! * dl2[idx]!;
      }
    }
    for (let g = 0; g < 3; g++) grad[g]! *= 0.5;
  }
  return { value, grad, chol: k, alpha };
}

/** Scaled data of a fit: fluxes divided by their largest absolute value. */
function prepare(points: readonly LightCurvePoint[], options: GpFitOptions): {
  n: number;
  t: Float64Array;
  lam: Float64Array;
  scale: number;
  problem: Problem;
} {
  const waves = options.wavelengths ?? BAND_WAVELENGTHS;
  const kept = points.filter((p) =>
    waves[p.band] !== undefined && Number.isFinite(p.flux) && Number.isFinite(p.fluxErr)
  );
  const n = kept.length;
  const t = Float64Array.from(kept, (p) => p.mjd);
  const lam = Float64Array.from(kept, (p) => waves[p.band]!);
  let ymax = 0;
  for (const p of kept) ymax = Math.max(ymax, Math.abs(p.flux));
  const scale = ymax > 0 ? ymax : 1;
  const y = Float64Array.from(kept, (p) => p.flux / scale);
  // A jitter of 1e-6 of the (unit) signal variance keeps noiseless data well conditioned.
  const noise = Float64Array.from(kept, (p) => (p.fluxErr / scale) ** 2 + JITTER);
  return {
    n,
    t,
    lam,
    scale,
    problem: { n, t, lam, y, noise, kernel: options.kernel ?? "matern32" },
  };
}

/** Diagonal jitter added to every (unit-scaled) measurement variance. */
const JITTER = 1e-6;

/**
 * The log marginal likelihood of the scaled data (fluxes divided by their largest absolute
 * value) and its gradient with respect to (log amplitude, log time scale, log wavelength
 * scale); for tests and diagnostics.
 *
 * @param points Light-curve points.
 * @param params Amplitude (scaled units), time scale (days), wavelength scale (angstrom).
 * @param options Kernel and band wavelengths.
 */
export function gpLogMarginalLikelihood(
  points: readonly LightCurvePoint[],
  params: { amplitude: number; timeScale: number; wavelengthScale: number },
  options: GpFitOptions = {},
): { value: number; gradient: number[] } {
  const { problem } = prepare(points, options);
  const e = evaluate(problem, [
    Math.log(params.amplitude),
    Math.log(params.timeScale),
    Math.log(params.wavelengthScale),
  ], true);
  return e ? { value: e.value, gradient: e.grad } : { value: NaN, gradient: [NaN, NaN, NaN] };
}

/**
 * Fits a 2D GP (time x wavelength) to a light curve by maximising the marginal likelihood over
 * the kernel amplitude and length scales.
 *
 * @param points Light-curve points (bands without a known wavelength are ignored).
 * @param options Kernel, initial values, bounds.
 * @returns The fit, with a `predict` function.
 * @example
 * ```ts
 * import { fitGp2d } from "./gp_heatmap.ts";
 * const points = [0, 5, 10, 15, 20].flatMap((t) =>
 *   ["g", "r"].map((band) => ({ mjd: t, band, flux: Math.sin(t / 8), fluxErr: 0.01 }))
 * );
 * const fit = fitGp2d(points);
 * console.log(fit.predict([10], [4686]).mean[0]); // about sin(10/8) = 0.95
 * ```
 */
export function fitGp2d(points: readonly LightCurvePoint[], options: GpFitOptions = {}): GpFit {
  const prep = prepare(points, options);
  const { n, t, lam, scale, problem } = prep;
  const ys = problem.y;
  const fitLambda = options.fitWavelengthScale ?? false;
  const [tLo, tHi] = options.timeScaleBounds ?? [1, 1000];
  const [lLo, lHi] = options.wavelengthScaleBounds ?? [300, 30000];
  const lo = [Math.log(1e-3), Math.log(tLo), Math.log(lLo)];
  const hi = [Math.log(1e3), Math.log(tHi), Math.log(lHi)];
  let std0 = 0;
  for (const v of ys) std0 += v * v;
  std0 = Math.sqrt(std0 / Math.max(1, n)) || 1;
  // Bounded log-parameters theta = lo + (hi - lo) * sigmoid(phi); BFGS on phi, unbounded.
  const nFree = fitLambda ? 3 : 2;
  const toTheta = (phi: readonly number[]): number[] =>
    [0, 1, 2].map((i) =>
      i < nFree ? lo[i]! + (hi[i]! - lo[i]!) / (1 + Math.exp(-phi[i]!)) : lambdaFixed
    );
  const toPhi = (theta: readonly number[]): number[] =>
    theta.slice(0, nFree).map((v, i) => {
      const u = Math.min(1 - 1e-9, Math.max(1e-9, (v - lo[i]!) / (hi[i]! - lo[i]!)));
      return Math.log(u / (1 - u));
    });
  const lambdaFixed = Math.min(hi[2]!, Math.max(lo[2]!, Math.log(options.wavelengthScale ?? 6000)));
  const objective = (phi: readonly number[]): { value: number; grad: number[] } | null => {
    const theta = toTheta(phi);
    const e = evaluate(problem, theta, true);
    if (!e) return null;
    const grad = phi.map((f, i) => {
      const sg = 1 / (1 + Math.exp(-f));
      return e.grad[i]! * (hi[i]! - lo[i]!) * sg * (1 - sg);
    });
    return { value: e.value, grad };
  };
  let theta = [Math.log(std0), Math.log(options.timeScale ?? 20), lambdaFixed];
  let iterations = 0;
  let bestValue = -Infinity;
  if (n > 0) {
    // Optionally several starts over the time scale (the likelihood can have local optima).
    const starts = options.starts ?? [options.timeScale ?? 20];
    const maxIter = options.maxIterations ?? 60;
    for (const ts of starts) {
      const phi0 = toPhi([Math.log(std0), Math.log(ts), lambdaFixed]);
      const r = bfgsMaximize(objective, phi0, maxIter);
      iterations += r.iterations;
      if (r.value > bestValue) {
        bestValue = r.value;
        theta = toTheta(r.x);
      }
    }
  }
  const best = n > 0 ? evaluate(problem, theta, false) : null;
  const amplitudeUnit = Math.exp(theta[0]!);
  const lt = Math.exp(theta[1]!), ll = Math.exp(theta[2]!);
  const a2 = amplitudeUnit * amplitudeUnit;
  const fitted = best;
  const kernel = problem.kernel;
  return {
    kernel,
    amplitude: amplitudeUnit * scale,
    timeScale: lt,
    wavelengthScale: ll,
    logLikelihood: fitted ? fitted.value - n * Math.log(scale) : NaN,
    iterations,
    n,
    predict(mjd, wavelength) {
      const q = mjd.length;
      const mean = new Float64Array(q);
      const std = new Float64Array(q);
      if (!fitted) {
        std.fill(amplitudeUnit * scale);
        return { mean, std };
      }
      const ks = new Float64Array(n);
      for (let c = 0; c < q; c++) {
        let mu = 0;
        for (let i = 0; i < n; i++) {
          const u = (mjd[c]! - t[i]!) / lt, v = (wavelength[c]! - lam[i]!) / ll;
          const kv = kernelValue(kernel, a2, u * u + v * v);
          ks[i] = kv;
          mu += kv * fitted.alpha[i]!;
        }
        solveLower(fitted.chol, n, ks);
        let s2 = 0;
        for (let i = 0; i < n; i++) s2 += ks[i]! * ks[i]!;
        mean[c] = mu * scale;
        std[c] = Math.sqrt(Math.max(0, a2 - s2)) * scale;
      }
      return { mean, std };
    },
  };
}

/** Options of {@link gpHeatmap}. */
export interface HeatmapOptions extends GpFitOptions {
  /** Number of wavelength bins (default 32). */
  wavelengthBins?: number;
  /** Number of one-day time bins (default 180). */
  dayBins?: number;
  /** Wavelength range in angstrom, bin centres spread over it (default [3000, 10100], SCONE). */
  wavelengthRange?: readonly [number, number];
  /** Days before the brightest point where the window starts (default 50). */
  daysBeforePeak?: number;
  /** Only points within this many days outside the window are fitted (default 30). */
  fitMargin?: number;
}

/** A GP heatmap: two channels over wavelength x time. */
export interface Heatmap {
  /** Predictive mean, `[wavelengthBins, dayBins]` row-major, divided by `norm`. */
  mean: Float32Array;
  /** Predictive standard deviation, same layout, divided by `norm`. */
  std: Float32Array;
  /** Wavelength bins. */
  wavelengthBins: number;
  /** Day bins. */
  dayBins: number;
  /** MJD of the first day bin's centre. */
  t0: number;
  /** Flux the maps were divided by (the largest |mean|, as SCONE). */
  norm: number;
  /** The GP fit. */
  fit: Omit<GpFit, "predict">;
}

/**
 * Fits the GP to a light curve and evaluates it on a wavelength x day grid (SCONE heatmap).
 * The window starts `daysBeforePeak` days before the brightest point (largest flux over error
 * among positive points) and spans `dayBins` days.
 *
 * @param points The light curve.
 * @param options Grid and fit options.
 * @example
 * ```ts
 * import { gpHeatmap } from "./gp_heatmap.ts";
 * const points = [0, 4, 8, 12].flatMap((t) =>
 *   ["g", "r", "i"].map((band) => ({ mjd: 53600 + t, band, flux: 10 + t, fluxErr: 1 }))
 * );
 * const map = gpHeatmap(points, { wavelengthBins: 8, dayBins: 20 });
 * console.log(map.mean.length); // 160
 * ```
 */
export function gpHeatmap(
  points: readonly LightCurvePoint[],
  options: HeatmapOptions = {},
): Heatmap {
  const nw = options.wavelengthBins ?? 32;
  const nd = options.dayBins ?? 180;
  const [w0, w1] = options.wavelengthRange ?? [3000, 10100];
  let peak = points[0]?.mjd ?? 0, bestSnr = -Infinity;
  for (const p of points) {
    const snr = p.fluxErr > 0 ? p.flux / p.fluxErr : p.flux;
    if (snr > bestSnr) {
      bestSnr = snr;
      peak = p.mjd;
    }
  }
  const t0 = Math.round(peak) - (options.daysBeforePeak ?? 50);
  const margin = options.fitMargin ?? 30;
  const used = points.filter((p) => p.mjd >= t0 - margin && p.mjd <= t0 + nd + margin);
  const fit = fitGp2d(used, options);
  const qt = new Float64Array(nw * nd), ql = new Float64Array(nw * nd);
  for (let a = 0; a < nw; a++) {
    const wl = nw > 1 ? w0 + (w1 - w0) * a / (nw - 1) : (w0 + w1) / 2;
    for (let d = 0; d < nd; d++) {
      qt[a * nd + d] = t0 + d;
      ql[a * nd + d] = wl;
    }
  }
  const { mean, std } = fit.predict(qt, ql);
  let norm = 0;
  for (const v of mean) norm = Math.max(norm, Math.abs(v));
  // Not below the light curve's median error: a difference light curve without a transient has
  // a mean near 0, and dividing by it would blow the std channel up (NaN gradients in SCONE).
  const errs = used.map((p) => p.fluxErr).filter((e) => e > 0).sort((a, b) => a - b);
  if (errs.length) norm = Math.max(norm, errs[errs.length >> 1]!);
  if (!(norm > 0)) norm = 1;
  const { predict: _p, ...summary } = fit;
  return {
    mean: Float32Array.from(mean, (v) => v / norm),
    std: Float32Array.from(std, (v) => v / norm),
    wavelengthBins: nw,
    dayBins: nd,
    t0,
    norm,
    fit: summary,
  };
}

/**
 * Maximises a smooth function with BFGS and a backtracking (Armijo) line search.
 *
 * @param f Value and gradient at x (null where undefined, e.g. not positive definite).
 * @param x0 Start.
 * @param maxIter Iteration limit.
 */
function bfgsMaximize(
  f: (x: readonly number[]) => { value: number; grad: number[] } | null,
  x0: readonly number[],
  maxIter: number,
): { x: number[]; value: number; iterations: number } {
  const m = x0.length;
  let x = x0.slice();
  let cur = f(x);
  if (!cur) return { x, value: -Infinity, iterations: 0 };
  const identity = (): number[] =>
    Array.from({ length: m * m }, (_, k) => (k % (m + 1) === 0 ? 1 : 0));
  let hInv = identity();
  let it = 0;
  for (; it < maxIter; it++) {
    const g = cur.grad.map((v) => -v); // gradient of the negative objective
    if (Math.hypot(...g) < 1e-6) break;
    let dir = Array.from({ length: m }, (_, i) => {
      let d = 0;
      for (let j = 0; j < m; j++) d -= hInv[i * m + j]! * g[j]!;
      return d;
    });
    let slope = dir.reduce((a, d, i) => a + d * g[i]!, 0);
    if (!(slope < 0)) {
      hInv = identity();
      dir = g.map((v) => -v);
      slope = dir.reduce((a, d, i) => a + d * g[i]!, 0);
    }
    const dmax = Math.max(...dir.map(Math.abs));
    if (dmax > 3) {
      dir = dir.map((d) => d * 3 / dmax);
      slope *= 3 / dmax;
    }
    let step = 1;
    let next: { value: number; grad: number[] } | null = null;
    let xn = x;
    for (let ls = 0; ls < 40; ls++) {
      xn = x.map((v, i) => v + step * dir[i]!);
      next = f(xn);
      if (next && next.value >= cur.value - 1e-4 * step * slope) break;
      next = null;
      step *= 0.5;
    }
    if (!next) break;
    const sv = xn.map((v, i) => v - x[i]!);
    const yv = next.grad.map((v, i) => -v - g[i]!);
    const sy = sv.reduce((a, v, i) => a + v * yv[i]!, 0);
    const improvement = next.value - cur.value;
    x = xn;
    cur = next;
    if (sy > 1e-12) {
      const hy = Array.from({ length: m }, (_, i) => {
        let d = 0;
        for (let j = 0; j < m; j++) d += hInv[i * m + j]! * yv[j]!;
        return d;
      });
      const yhy = yv.reduce((a, v, i) => a + v * hy[i]!, 0);
      hInv = hInv.map((h, k) => {
        const i = Math.floor(k / m), j = k % m;
        return h + ((sy + yhy) * sv[i]! * sv[j]!) / (sy * sy) -
          (hy[i]! * sv[j]! + sv[i]! * hy[j]!) / sy;
      });
    }
    if (improvement < 1e-8 * Math.max(1, Math.abs(cur.value))) break;
  }
  return { x, value: cur.value, iterations: it };
}
