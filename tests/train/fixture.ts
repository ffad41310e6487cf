/**
 * A tiny simulated survey for the training tests, written in the simulator
 * layout (catalog.csv + one multi-extension FITS per object): four classes
 * whose point-source light curves differ (AGN: random walk, SNIa: fast rise
 * and fall, Variable: periodic, SNOther: slow rise, long plateau), two bands
 * (g, r), 32 x 32 stamps with noise. Deterministic from the seed.
 *
 * @module
 */
import { writeFits } from "../../lib/fits/write.ts";
import { Rng } from "../../lib/util/rng.ts";

const CLASSES = ["AGN", "SNIa", "Variable", "SNOther"];

function curve(cls: number, t: number, rng: Rng, state: { walk: number; phase: number }): number {
  switch (cls) {
    case 0:
      state.walk = Math.max(0, state.walk + rng.normal(0, 0.6));
      return 2 + state.walk;
    case 1:
      return t < 0 ? 8 * Math.exp(-(t * t) / 8) : 8 * Math.exp(-t / 6);
    case 2:
      return 3 + 2.5 * Math.sin(2 * Math.PI * t / 5 + state.phase);
    default:
      return t < 0 ? 5 * Math.exp(-(t * t) / 30) : 5 * Math.exp(-t / 40);
  }
}

/** Writes the survey to `dir`; returns the number of objects. */
export async function writeTinySurvey(dir: string, perClass = 14, seed = 5): Promise<number> {
  const rng = new Rng(seed);
  await Deno.mkdir(`${dir}/objects`, { recursive: true });
  const rows = ["object_id,class,confirmed,file,n_frames"];
  let n = 0;
  for (let k = 0; k < perClass; k++) {
    for (let c = 0; c < CLASSES.length; c++) {
      const id = `obj${String(n).padStart(3, "0")}`;
      const state = { walk: 0, phase: rng.uniform(0, 6.28) };
      const hdus: Parameters<typeof writeFits>[0] = [{ bitpix: 8, shape: [] }];
      const epochs = 8 + rng.int(0, 4);
      const t0 = rng.uniform(-4, 2);
      for (let e = 0; e < epochs; e++) {
        const mjd = 53600 + 2 * e + rng.uniform(0, 0.2);
        const flux = curve(c, 2 * e + t0 * 2 - 6, rng, state);
        for (const band of ["g", "r"]) {
          const amp = band === "g" ? flux : flux * (c === 2 ? 0.6 : 1.1);
          const px = new Float32Array(32 * 32);
          for (let i = 0; i < px.length; i++) {
            const x = (i % 32) - 15.5, y = Math.floor(i / 32) - 15.5;
            px[i] = 10 + rng.normal(0, 1) + amp * Math.exp(-(x * x + y * y) / 6);
          }
          hdus.push({
            bitpix: -32,
            shape: [32, 32],
            data: px,
            header: [["MJD-OBS", mjd], ["FILTER", band]],
          });
        }
      }
      await Deno.writeFile(`${dir}/objects/${id}.fits`, writeFits(hdus));
      const confirmed = rng.bernoulli(0.6) ? 1 : 0;
      rows.push(`${id},${CLASSES[c]},${confirmed},objects/${id}.fits,${hdus.length - 1}`);
      n++;
    }
  }
  await Deno.writeTextFile(`${dir}/catalog.csv`, rows.join("\n") + "\n");
  return n;
}
