/**
 * Unit-flux host images on a seeing grid (step {@link HOST_SEEING_STEP}),
 * interpolated linearly in the seeing: the host's shape is the same in every
 * band, so a few analytic renders serve all the frames of an object (error
 * below 0.5 % of the peak, tests/simulate/render_test.ts measures it). Also
 * the image's gradient, for small shifts (misregistration of a template).
 *
 * @module
 */
import { doubleGaussianPsf } from "./psf.ts";
import { addHost, type HostShape } from "./render.ts";

/** Seeing grid of the host renders: first value and step, arcsec. */
export const HOST_SEEING_MIN = 0.8;
/** Step of the seeing grid, arcsec. */
export const HOST_SEEING_STEP = 0.04;

/** The cached unit-flux renders of one host on one stamp. */
export class HostGrid {
  #grid = new Map<number, Float64Array>();
  #host: HostShape;
  #size: number;

  /**
   * @param host The host's shape and position on the stamp.
   * @param size Stamp side, pixels.
   */
  constructor(host: HostShape, size: number) {
    this.#host = host;
    this.#size = size;
  }

  #unit(k: number): Float64Array {
    let im = this.#grid.get(k);
    if (!im) {
      im = new Float64Array(this.#size * this.#size);
      const seeing = HOST_SEEING_MIN + k * HOST_SEEING_STEP;
      addHost(im, this.#size, this.#host, 1, doubleGaussianPsf(seeing));
      this.#grid.set(k, im);
    }
    return im;
  }

  /**
   * Adds `flux` times the host at `seeing` to `img`, shifted by (dx, dy)
   * pixels to first order (flux-conserving central differences).
   */
  add(img: Float64Array, seeing: number, flux: number, dx = 0, dy = 0): void {
    const g = Math.max(0, (seeing - HOST_SEEING_MIN) / HOST_SEEING_STEP);
    const k = Math.floor(g), f = g - k;
    const a = this.#unit(k), b = this.#unit(k + 1);
    const fa = flux * (1 - f), fb = flux * f;
    const n = this.#size;
    if (dx === 0 && dy === 0) {
      for (let i = 0; i < img.length; i++) img[i] = img[i]! + fa * a[i]! + fb * b[i]!;
      return;
    }
    const at = (x: number, y: number) =>
      x < 0 || y < 0 || x >= n || y >= n ? 0 : fa * a[y * n + x]! + fb * b[y * n + x]!;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        // I(x - d) = I(x) - d dI/dx: the image moves by +d.
        const gx = (at(x + 1, y) - at(x - 1, y)) / 2, gy = (at(x, y + 1) - at(x, y - 1)) / 2;
        img[y * n + x] = img[y * n + x]! + at(x, y) - dx * gx - dy * gy;
      }
    }
  }
}
