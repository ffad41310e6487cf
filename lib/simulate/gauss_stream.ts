/**
 * A fast stream of standard normal deviates for pixel noise: the ziggurat
 * method of Marsaglia & Tsang (2000, J. Stat. Softw. 5, 8; 128 layers) on a
 * local sfc32 generator whose 128-bit state is taken from a seeded
 * {@link Rng}, so the noise is as deterministic as every other draw. It is
 * about 20 times faster than `Rng.normal()` here, which matters at a million
 * pixels per second.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";

const M1 = 2147483648;
const KN = new Int32Array(128), WN = new Float64Array(128), FN = new Float64Array(128);
const R = 3.442619855899;
(() => {
  let dn = R, tn = dn;
  const vn = 9.91256303526217e-3;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * M1);
  KN[1] = 0;
  WN[0] = q / M1;
  WN[127] = dn / M1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * M1);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / M1;
  }
})();

/** Standard normal deviates from a sub-stream of a seeded generator. */
export class GaussStream {
  /** sfc32 state (a, b, c, d) as signed 32-bit integers. */
  readonly #s = new Int32Array(4);

  /** Takes four 32-bit words from `rng` as the state. */
  constructor(rng: Rng) {
    this.#s[0] = rng.nextUint32();
    this.#s[1] = rng.nextUint32();
    this.#s[2] = rng.nextUint32();
    this.#s[3] = rng.nextUint32();
    const warm = new Float64Array(12);
    this.fill(warm);
  }

  /** One standard normal deviate. */
  next(): number {
    const one = new Float64Array(1);
    this.fill(one);
    return one[0]!;
  }

  /**
   * Fills `out` with standard normal deviates (ziggurat; the generator state
   * lives in local variables inside the loop, which keeps it fast).
   */
  fill(out: Float64Array): void {
    const st = this.#s;
    let a = st[0]!, b = st[1]!, c = st[2]!, d = st[3]!;
    const u32 = (): number => {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      return t;
    };
    const uni = (): number => ((u32() >>> 0) + 0.5) / 4294967296;
    for (let k = 0; k < out.length; k++) {
      // Fast path inlined: one 32-bit draw, accepted about 98.8 % of the time.
      let hz = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + hz) | 0;
      let iz = hz & 127;
      if (Math.abs(hz) < KN[iz]!) {
        out[k] = hz * WN[iz]!;
        continue;
      }
      for (;;) {
        const x = hz * WN[iz]!;
        if (iz === 0) {
          let xx: number, y: number;
          do {
            xx = -Math.log(uni()) / R;
            y = -Math.log(uni());
          } while (y + y < xx * xx);
          out[k] = hz > 0 ? R + xx : -R - xx;
          break;
        }
        if (FN[iz]! + uni() * (FN[iz - 1]! - FN[iz]!) < Math.exp(-0.5 * x * x)) {
          out[k] = x;
          break;
        }
        hz = u32();
        iz = hz & 127;
        if (Math.abs(hz) < KN[iz]!) {
          out[k] = hz * WN[iz]!;
          break;
        }
      }
    }
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
  }
}
