import { assert, assertEquals } from "../util/assert.ts";
import { brightnessScore, fitStamp } from "../../lib/data/stamp.ts";
import { Rng } from "../../lib/util/rng.ts";

Deno.test("stamp: centre crop, zero padding (as NaN) and NaN/mask counts", () => {
  const w = 5, h = 3;
  const pixels = new Float32Array(w * h).map((_, i) => i);
  pixels[7] = NaN;
  const mask = new Uint8Array(w * h).fill(1);
  mask[6] = 0;
  // 5x3 -> 4x4: x cropped from 0 (floor((5-4)/2) = 0), y padded at 0 (floor((4-3)/2) = 0).
  const s = fitStamp({ mjd: 0, band: "g", width: w, height: h, pixels, mask }, 4);
  assertEquals(s.cropped, true);
  assertEquals(s.padded, 4);
  assertEquals(s.nan, 2);
  assertEquals([...s.pixels], [0, 1, 2, 3, 5, NaN, NaN, 8, 10, 11, 12, 13, NaN, NaN, NaN, NaN]);
});

Deno.test("stamp: brightness score is a robust SNR of the central aperture", () => {
  const rng = new Rng(1);
  const S = 32, c = 15.5;
  const make = (amp: number) =>
    new Float32Array(S * S).map((_, i) => {
      const x = i % S, y = Math.floor(i / S);
      return 100 + rng.normal(0, 2) + amp * Math.exp(-((x - c) ** 2 + (y - c) ** 2) / 8);
    });
  const flat = brightnessScore(make(0), S);
  const faint = brightnessScore(make(10), S);
  const bright = brightnessScore(make(100), S);
  assert(Math.abs(flat) < 4, `flat ${flat}`);
  assert(faint > 10 && bright > 8 * faint, `${faint} ${bright}`);
  // A bright star in a corner does not change the score much (median background).
  const corner = make(100);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) corner[y * S + x] = 5000;
  assert(Math.abs(brightnessScore(corner, S) - bright) / bright < 0.2, "corner star");
  assertEquals(Number.isNaN(brightnessScore(new Float32Array(S * S).fill(NaN), S)), true);
});
