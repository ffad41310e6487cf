/**
 * Float64 reference implementations for the model tests (plain loops, no TF.js).
 *
 * @module
 */

/** A float64 tensor: data in row-major order and its shape. */
export interface F64 {
  data: Float64Array;
  shape: number[];
}

/** Deterministic pseudo-random float64 tensor in [-1, 1). */
export function randomF64(shape: number[], seed: number): F64 {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s + Math.imul(s ^ (s >>> 7), 0x297a2d39);
    data[i] = (((s ^ (s >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return { data, shape };
}

/**
 * NHWC conv2d in float64: x [N,H,W,Ci], w [kh,kw,Ci,Co], stride, pad [[t,b],[l,r]].
 */
export function conv2dRef(
  x: F64,
  w: F64,
  stride: [number, number],
  pad: [[number, number], [number, number]],
): F64 {
  const [n, h, wd, ci] = x.shape as [number, number, number, number];
  const [kh, kw, , co] = w.shape as [number, number, number, number];
  const ho = Math.floor((h + pad[0][0] + pad[0][1] - kh) / stride[0]) + 1;
  const wo = Math.floor((wd + pad[1][0] + pad[1][1] - kw) / stride[1]) + 1;
  const out = new Float64Array(n * ho * wo * co);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        for (let a = 0; a < kh; a++) {
          const iy = oy * stride[0] - pad[0][0] + a;
          if (iy < 0 || iy >= h) continue;
          for (let c = 0; c < kw; c++) {
            const ix = ox * stride[1] - pad[1][0] + c;
            if (ix < 0 || ix >= wd) continue;
            for (let i = 0; i < ci; i++) {
              const xv = x.data[((b * h + iy) * wd + ix) * ci + i]!;
              const wb = ((a * kw + c) * ci + i) * co;
              const ob = ((b * ho + oy) * wo + ox) * co;
              for (let o = 0; o < co; o++) out[ob + o] = out[ob + o]! + xv * w.data[wb + o]!;
            }
          }
        }
      }
    }
  }
  return { data: out, shape: [n, ho, wo, co] };
}

/** Gradients of sum(conv2dRef(x, w) * g) with respect to x and w, in float64. */
export function conv2dRefGrads(
  x: F64,
  w: F64,
  g: F64,
  stride: [number, number],
  pad: [[number, number], [number, number]],
): { dx: F64; dw: F64 } {
  const [n, h, wd, ci] = x.shape as [number, number, number, number];
  const [kh, kw, , co] = w.shape as [number, number, number, number];
  const [, ho, wo] = g.shape as [number, number, number, number];
  const dx = new Float64Array(x.data.length), dw = new Float64Array(w.data.length);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const ob = ((b * ho + oy) * wo + ox) * co;
        for (let a = 0; a < kh; a++) {
          const iy = oy * stride[0] - pad[0][0] + a;
          if (iy < 0 || iy >= h) continue;
          for (let c = 0; c < kw; c++) {
            const ix = ox * stride[1] - pad[1][0] + c;
            if (ix < 0 || ix >= wd) continue;
            for (let i = 0; i < ci; i++) {
              const xi = ((b * h + iy) * wd + ix) * ci + i;
              const wb = ((a * kw + c) * ci + i) * co;
              let s = 0;
              for (let o = 0; o < co; o++) {
                s += w.data[wb + o]! * g.data[ob + o]!;
                dw[wb + o] = dw[wb + o]! + x.data[xi]! * g.data[ob + o]!;
              }
              dx[xi] = dx[xi]! + s;
            }
          }
        }
      }
    }
  }
  return { dx: { data: dx, shape: x.shape }, dw: { data: dw, shape: w.shape } };
}

/** max |a - b| / max |b| (relative to the reference's largest magnitude). */
export function relMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return m === 0 ? d : d / m;
}

/** max |a - b|. */
export function absMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/**
 * PyTorch-layout conv3d in float64: x [G, C, H, W, T], w [O, C, kh, kw, kt],
 * stride/pad [h, w, t].
 */
export function conv3dRef(
  x: F64,
  w: F64,
  stride: [number, number, number],
  pad: [number, number, number],
): F64 {
  const [g, c, h, wd, t] = x.shape as [number, number, number, number, number];
  const [o, , kh, kw, kt] = w.shape as [number, number, number, number, number];
  const out = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;
  const [ho, wo, to] = [
    out(h, kh, stride[0], pad[0]),
    out(wd, kw, stride[1], pad[1]),
    out(t, kt, stride[2], pad[2]),
  ];
  const y = new Float64Array(g * o * ho * wo * to);
  const xi = (a: number, b: number, cc: number, d: number, e: number) =>
    (((a * c + b) * h + cc) * wd + d) * t + e;
  const wi = (a: number, b: number, cc: number, d: number, e: number) =>
    (((a * c + b) * kh + cc) * kw + d) * kt + e;
  for (let n = 0; n < g; n++) {
    for (let oc = 0; oc < o; oc++) {
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++) {
          for (let ot = 0; ot < to; ot++) {
            let s = 0;
            for (let ic = 0; ic < c; ic++) {
              for (let a = 0; a < kh; a++) {
                const iy = oy * stride[0] - pad[0] + a;
                if (iy < 0 || iy >= h) continue;
                for (let b = 0; b < kw; b++) {
                  const ix = ox * stride[1] - pad[1] + b;
                  if (ix < 0 || ix >= wd) continue;
                  for (let k = 0; k < kt; k++) {
                    const it = ot * stride[2] - pad[2] + k;
                    if (it < 0 || it >= t) continue;
                    s += x.data[xi(n, ic, iy, ix, it)]! * w.data[wi(oc, ic, a, b, k)]!;
                  }
                }
              }
            }
            y[(((n * o + oc) * ho + oy) * wo + ox) * to + ot] = s;
          }
        }
      }
    }
  }
  return { data: y, shape: [g, o, ho, wo, to] };
}

/** Permutes a float64 tensor's axes (like numpy.transpose). */
export function permute(a: F64, perm: number[]): F64 {
  const shape = perm.map((p) => a.shape[p]!);
  const strides = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const out = new Float64Array(a.data.length);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let j = 0; j < shape.length; j++) src += idx[j] * strides[perm[j]!]!;
    out[i] = a.data[src]!;
    for (let j = shape.length - 1; j >= 0; j--) {
      if (++idx[j] < shape[j]!) break;
      idx[j] = 0;
    }
  }
  return { data: out, shape };
}

/** Gradients of sum(conv3dRef(x, w) * g) with respect to x and w, in float64. */
export function conv3dRefGrads(
  x: F64,
  w: F64,
  gy: F64,
  stride: [number, number, number],
  pad: [number, number, number],
): { dx: F64; dw: F64 } {
  const [g, c, h, wd, t] = x.shape as [number, number, number, number, number];
  const [o, , kh, kw, kt] = w.shape as [number, number, number, number, number];
  const [, , ho, wo, to] = gy.shape as [number, number, number, number, number];
  const dx = new Float64Array(x.data.length), dw = new Float64Array(w.data.length);
  const xi = (a: number, b: number, cc: number, d: number, e: number) =>
    (((a * c + b) * h + cc) * wd + d) * t + e;
  const wi = (a: number, b: number, cc: number, d: number, e: number) =>
    (((a * c + b) * kh + cc) * kw + d) * kt + e;
  for (let n = 0; n < g; n++) {
    for (let oc = 0; oc < o; oc++) {
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++) {
          for (let ot = 0; ot < to; ot++) {
            const gv = gy.data[(((n * o + oc) * ho + oy) * wo + ox) * to + ot]!;
            for (let ic = 0; ic < c; ic++) {
              for (let a = 0; a < kh; a++) {
                const iy = oy * stride[0] - pad[0] + a;
                if (iy < 0 || iy >= h) continue;
                for (let b = 0; b < kw; b++) {
                  const ix = ox * stride[1] - pad[1] + b;
                  if (ix < 0 || ix >= wd) continue;
                  for (let k = 0; k < kt; k++) {
                    const it = ot * stride[2] - pad[2] + k;
                    if (it < 0 || it >= t) continue;
                    const xa = xi(n, ic, iy, ix, it), wa = wi(oc, ic, a, b, k);
                    dx[xa] = dx[xa]! + w.data[wa]! * gv;
                    dw[wa] = dw[wa]! + x.data[xa]! * gv;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return { dx: { data: dx, shape: x.shape }, dw: { data: dw, shape: w.shape } };
}
