/**
 * The WGSL body shared by the convolution kernels: a tiled implicit GEMM
 * C[rows, cols] = sum_k A[row, k] B[k, col] where A and B are never built in
 * memory (each kernel supplies `loadA` / `loadB`, which read the input
 * tensors with the convolution's index arithmetic and return 0 outside), and
 * an epilogue `store(row, col, value)`.
 *
 * Each workgroup computes a `tm x tn` tile of C; each of its threads an
 * `rm x rn` block of it (rows `ty + i * tm/rm`, columns `tx + j * tn/rn`, so
 * neighbouring threads touch neighbouring memory). The depth is walked in
 * steps of `tk`: the threads load the A and B tiles into workgroup memory,
 * synchronise, and accumulate `tk` rank-1 updates in registers. The number
 * of depth steps is the uniform `steps` (a constant bound made the software
 * adapter's compiler unroll the main loop: 18 s per shader); it and every
 * other loop stay far below the 65,535 iterations the software adapter runs.
 *
 * @module
 */
import { threads, type Tiles } from "./tiles.ts";

/** What a kernel supplies to {@link gemmShader}. */
export interface GemmParts {
  /** WGSL constants and helper functions, including `loadA`, `loadB`, `store`. */
  helpers: string;
  /** WGSL statements that define `row0 : i32` and `kBegin : i32`. */
  origin: string;
}

/**
 * WGSL of the tiled GEMM (the part after TF.js's generated preamble, which
 * declares the buffers, `localId`, `workgroupId` and `numWorkgroups`).
 *
 * @param t Tile setting (validated by the caller).
 * @param p The kernel's loads, origin and store.
 */
export function gemmShader(t: Tiles, p: GemmParts): string {
  const tx = t.tn / t.rn, ty = t.tm / t.rm, n = threads(t);
  const aLoads = (t.tm * t.tk) / n, bLoads = (t.tn * t.tk) / n;
  return `
const TM = ${t.tm};
const TN = ${t.tn};
const TK = ${t.tk};
const RM = ${t.rm};
const RN = ${t.rn};
const TX = ${tx};
const TY = ${ty};
const NT = ${n};
var<workgroup> As : array<f32, ${t.tk * t.tm}>;
var<workgroup> Bs : array<f32, ${t.tk * t.tn}>;
${p.helpers}
${"fn main()"} {
  _ = uniforms.NAN; // TF.js binds its uniforms: keep them in the layout
  let tx = i32(localId.x);
  let ty = i32(localId.y);
  let tid = ty * TX + tx;
  let col0 = i32(workgroupId.x) * TN;
  ${p.origin}
  var acc : array<f32, ${t.rm * t.rn}>;
  for (var s = 0; s < uniforms.steps; s = s + 1) {
    let k0 = kBegin + s * TK;
    for (var i = 0; i < ${aLoads}; i = i + 1) {
      let e = tid + i * NT;
      let kk = e % TK;
      let mm = e / TK;
      As[kk * TM + mm] = loadA(row0 + mm, k0 + kk);
    }
    for (var i = 0; i < ${bLoads}; i = i + 1) {
      let e = tid + i * NT;
      let nn = e % TN;
      let kk = e / TN;
      Bs[kk * TN + nn] = loadB(k0 + kk, col0 + nn);
    }
    workgroupBarrier();
    for (var kk = 0; kk < TK; kk = kk + 1) {
      var a : array<f32, RM>;
      var b : array<f32, RN>;
      for (var i = 0; i < RM; i = i + 1) { a[i] = As[kk * TM + ty + i * TY]; }
      for (var j = 0; j < RN; j = j + 1) { b[j] = Bs[kk * TN + tx + j * TX]; }
      for (var i = 0; i < RM; i = i + 1) {
        for (var j = 0; j < RN; j = j + 1) {
          acc[i * RN + j] = fma(a[i], b[j], acc[i * RN + j]);
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0; i < RM; i = i + 1) {
    for (var j = 0; j < RN; j = j + 1) {
      store(row0 + ty + i * TY, col0 + tx + j * TX, acc[i * RN + j]);
    }
  }
}
`;
}

/** Key part of a tile setting for TF.js's shader cache. */
export function tilesKey(t: Tiles): string {
  return `${t.tm}_${t.tn}_${t.tk}_${t.rm}_${t.rn}_${t.chunk ?? 0}`;
}

/**
 * Dispatch of `rowTiles x colTiles` workgroups within the 65,535 per
 * dimension limit: rows spill over into z (the shader's `row0` adds
 * `workgroupId.z * numWorkgroups.y` tiles).
 */
export function rowDispatch(rows: number, cols: number, t: Tiles): [number, number, number] {
  const ry = Math.ceil(rows / t.tm), cx = Math.ceil(cols / t.tn);
  const y = Math.min(ry, 32768);
  return [cx, y, Math.ceil(ry / y)];
}
