/**
 * Non-negative least squares (Lawson & Hanson 1974, "Solving Least Squares
 * Problems", ch. 23), used to fit Sersic profiles with mixtures of Gaussians.
 * The unconstrained sub-problems are solved by Householder QR, which stays
 * accurate on the ill-conditioned designs that log-spaced Gaussians give.
 *
 * @module
 */

/** Least squares min |A x - b| by Householder QR; A is m x n (row-major), m >= n. */
function lstsq(a: Float64Array, m: number, n: number, b: Float64Array): Float64Array {
  const r = Float64Array.from(a);
  const y = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! * r[i * n + k]!;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = r[k * n + k]! > 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k]!;
    v[0] = v[0]! - alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i]! * v[i]!;
    if (vv === 0) continue;
    for (let j = k; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i - k]! * r[i * n + j]!;
      const f = 2 * s / vv;
      for (let i = k; i < m; i++) r[i * n + j] = r[i * n + j]! - f * v[i - k]!;
    }
    let s = 0;
    for (let i = k; i < m; i++) s += v[i - k]! * y[i]!;
    const f = 2 * s / vv;
    for (let i = k; i < m; i++) y[i] = y[i]! - f * v[i - k]!;
  }
  const x = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    let s = y[k]!;
    for (let j = k + 1; j < n; j++) s -= r[k * n + j]! * x[j]!;
    const d = r[k * n + k]!;
    x[k] = d !== 0 ? s / d : 0;
  }
  return x;
}

/**
 * Solves min |A x - b| subject to x >= 0.
 *
 * @param a Design matrix, m rows by n columns, row-major.
 * @param m Number of rows.
 * @param n Number of columns.
 * @param b Target vector of length m.
 * @returns The non-negative solution x (length n).
 */
export function nnls(a: Float64Array, m: number, n: number, b: Float64Array): Float64Array {
  const x = new Float64Array(n);
  const passive = new Array<boolean>(n).fill(false);
  const tol = 1e-12;
  const gradient = (): Float64Array => {
    const res = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = b[i]!;
      for (let j = 0; j < n; j++) s -= a[i * n + j]! * x[j]!;
      res[i] = s;
    }
    const w = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += a[i * n + j]! * res[i]!;
      w[j] = s;
    }
    return w;
  };
  const solvePassive = (): Float64Array => {
    const idx = passive.flatMap((p, j) => p ? [j] : []);
    const sub = new Float64Array(m * idx.length);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < idx.length; k++) sub[i * idx.length + k] = a[i * n + idx[k]!]!;
    }
    const zs = lstsq(sub, m, idx.length, b);
    const z = new Float64Array(n);
    idx.forEach((j, k) => z[j] = zs[k]!);
    return z;
  };
  for (let outer = 0; outer < 3 * n + 10; outer++) {
    const w = gradient();
    let best = -1, bestW = tol;
    for (let j = 0; j < n; j++) {
      if (!passive[j] && w[j]! > bestW) {
        bestW = w[j]!;
        best = j;
      }
    }
    if (best < 0) break;
    passive[best] = true;
    for (let inner = 0; inner < 3 * n + 10; inner++) {
      const z = solvePassive();
      let ok = true;
      for (let j = 0; j < n; j++) if (passive[j] && z[j]! <= 0) ok = false;
      if (ok) {
        x.set(z);
        break;
      }
      let alpha = 1;
      for (let j = 0; j < n; j++) {
        if (passive[j] && z[j]! <= 0) alpha = Math.min(alpha, x[j]! / (x[j]! - z[j]!));
      }
      for (let j = 0; j < n; j++) {
        if (passive[j]) x[j] = x[j]! + alpha * (z[j]! - x[j]!);
        if (passive[j] && x[j]! <= tol) {
          passive[j] = false;
          x[j] = 0;
        }
      }
    }
  }
  return x;
}
