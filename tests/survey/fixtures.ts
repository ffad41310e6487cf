/**
 * Small FITS fixtures written at test time with the project's FITS writer.
 *
 * @module
 */
import { gzipSync } from "node:zlib";
import { writeFits, type WriteHdu } from "../../lib/fits/write.ts";

/** Pixel values of a `w x h` test stamp: `base + x + 100 * y`. */
export function stampData(w: number, h: number, base: number): number[] {
  return Array.from({ length: w * h }, (_, i) => base + (i % w) + 100 * Math.floor(i / w));
}

/** One IMAGE extension in the simulator's style. */
export function epochHdu(
  band: string,
  mjd: number,
  base: number,
  opts: { size?: number; bitpix?: -32 | 16; extname?: string } = {},
): WriteHdu {
  const size = opts.size ?? 32, bitpix = opts.bitpix ?? -32;
  const hdu: WriteHdu = {
    bitpix,
    shape: [size, size],
    data: stampData(size, size, base),
    header: [
      ["MJD-OBS", mjd, "time of the exposure"],
      ["FILTER", band],
      ["SEEING", 1.4],
      ["MAGZP", 28.3],
      ["SKYSIG", 3.2],
      ["EXTNAME", opts.extname ?? `${band}_${mjd}`],
    ],
  };
  if (bitpix === 16) {
    hdu.bscale = 0.5;
    hdu.bzero = 1000;
  }
  return hdu;
}

/** Writes a FITS file (gzip when the name ends in .gz). */
export async function writeFitsFile(path: string, hdus: WriteHdu[]): Promise<void> {
  const bytes = writeFits(hdus);
  await Deno.writeFile(path, path.endsWith(".gz") ? gzipSync(bytes) : bytes);
}

/** A primary HDU without data. */
export const EMPTY_PRIMARY: WriteHdu = { bitpix: 8, shape: [] };
