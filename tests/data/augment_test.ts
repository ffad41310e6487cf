import { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";
import {
  augmentPositions,
  DEFAULT_AUGMENT,
  drawAugment,
  samplingPlan,
} from "../../lib/data/augment.ts";
import { Rng } from "../../lib/util/rng.ts";

const S = 32, C = (S - 1) / 2;

/** A Gaussian blob at offset (dx, dy) from the centre. */
function blob(dx: number, dy: number): Float32Array {
  return new Float32Array(S * S).map((_, i) => {
    const x = i % S, y = Math.floor(i / S);
    return Math.exp(-((x - C - dx) ** 2 + (y - C - dy) ** 2) / 2);
  });
}

function apply(src: Float32Array, p: Parameters<typeof samplingPlan>[0], out = S): Float32Array {
  const { index, weight } = samplingPlan(p, S, out);
  const dst = new Float32Array(out * out);
  for (let i = 0; i < out * out; i++) {
    for (let k = 0; k < 4; k++) {
      const ix = index[i * 4 + k]!;
      if (ix >= 0) dst[i]! += weight[i * 4 + k]! * src[ix]!;
    }
  }
  return dst;
}

function centroid(img: Float32Array, size: number): [number, number] {
  const c = (size - 1) / 2;
  let sx = 0, sy = 0, s = 0;
  img.forEach((v, i) => {
    sx += v * (i % size - c);
    sy += v * (Math.floor(i / size) - c);
    s += v;
  });
  return [sx / s, sy / s];
}

Deno.test("augment: rotations move a source where the rotation says; crop keeps the centre", () => {
  const src = blob(6, 0);
  for (const deg of [-15, -7, 10, 15]) {
    const th = deg * Math.PI / 180;
    const [x, y] = centroid(apply(src, { rot90: 0, flip: false, angle: th, noise: 0 }), S);
    assertAlmostEquals(x, 6 * Math.cos(th), 0.05, `x at ${deg} deg`);
    assertAlmostEquals(y, 6 * Math.sin(th), 0.05, `y at ${deg} deg`);
  }
  // Quarter turn (u, v) -> (-v, u), flip u -> -u (before the turn); exact.
  const q = centroid(apply(src, { rot90: 1, flip: false, angle: 0, noise: 0 }), S);
  assertAlmostEquals(q[0], 0, 1e-9);
  assertAlmostEquals(q[1], 6, 1e-9);
  const f = centroid(apply(src, { rot90: 0, flip: true, angle: 0, noise: 0 }), S);
  assertAlmostEquals(f[0], -6, 1e-9);
  // Cropping to 16 keeps the same centre: a centred blob stays centred.
  const c16 = centroid(apply(blob(0, 0), { rot90: 3, flip: true, angle: 0.2, noise: 0 }, 16), 16);
  assertAlmostEquals(c16[0], 0, 1e-6);
  assertAlmostEquals(c16[1], 0, 1e-6);
});

Deno.test("augment: frame dropping and window shift keep order, keep a frame, are seeded", () => {
  for (let seed = 0; seed < 50; seed++) {
    const a = augmentPositions(20, new Rng(seed), DEFAULT_AUGMENT);
    assertEquals(a, augmentPositions(20, new Rng(seed), DEFAULT_AUGMENT));
    assert(a.length >= 1 && a.length <= 20, "length");
    for (let i = 1; i < a.length; i++) assert(a[i]! > a[i - 1]!, "order");
  }
  assertEquals(augmentPositions(1, new Rng(1), { ...DEFAULT_AUGMENT, dropProb: 1 }), [0]);
  assertEquals(
    augmentPositions(5, new Rng(1), { ...DEFAULT_AUGMENT, dropProb: 0, maxShift: 0 }),
    [0, 1, 2, 3, 4],
  );
  const p = drawAugment(new Rng(3), DEFAULT_AUGMENT);
  assertEquals(p, drawAugment(new Rng(3), DEFAULT_AUGMENT));
  assert(Math.abs(p.angle) <= 15 * Math.PI / 180 && p.rot90 >= 0 && p.rot90 <= 3, "ranges");
});
