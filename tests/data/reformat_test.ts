import { assert, assertEquals } from "../util/assert.ts";
import { BandMap } from "../../lib/survey/bands.ts";
import type { Frame, ObjectSeries } from "../../lib/survey/series.ts";
import { reformatSeries, selectEvalWindow, selectTrainWindow } from "../../lib/data/reformat.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { memorySource } from "../../lib/survey/source.ts";
import { openStore } from "../../lib/data/store.ts";
import { evalBatches } from "../../lib/data/loader.ts";
import { Rng } from "../../lib/util/rng.ts";
import { tempDir } from "./synth.ts";

const S = 8;
// Three epochs of ugriz; epoch 2 lacks g, epoch 3 lacks z (13 frames).
const EPOCHS = [
  { mjd: 53616.0, bands: ["u", "g", "r", "i", "z"] },
  { mjd: 53620.25, bands: ["u", "r", "i", "z"] },
  { mjd: 53625.5, bands: ["u", "g", "r", "i"] },
];
const BAND_ID: Record<string, number> = { u: 1, g: 2, r: 3, i: 4, z: 5 };

/** Pixel value of a frame: 10 * epoch + band id; epoch 2 band i has a bright centre. */
function frameFor(e: number, band: string): Frame {
  const pixels = new Float32Array(S * S).fill(10 * (e + 1) + BAND_ID[band]!);
  if (e === 1 && band === "i") {
    for (const [x, y] of [[3, 3], [4, 3], [3, 4], [4, 4]] as const) pixels[y * S + x]! += 100;
  }
  return { mjd: EPOCHS[e]!.mjd, band, width: S, height: S, pixels };
}

function handBuilt(): ObjectSeries {
  const frames: Frame[] = [];
  EPOCHS.forEach((ep, e) => ep.bands.forEach((b) => frames.push(frameFor(e, b))));
  // Scramble the input order: reformatting must sort by time, then band.
  const order = [7, 2, 12, 0, 9, 4, 11, 1, 6, 3, 10, 5, 8];
  return {
    id: "hand",
    label: "SNIa",
    confirmed: true,
    frames: order.map((i) => frames[i]!),
  };
}

const EXPECTED_BANDS = [1, 2, 3, 4, 5, 1, 3, 4, 5, 1, 2, 3, 4];
const EXPECTED_MJD = [0, 0, 0, 0, 0, 4.25, 4.25, 4.25, 4.25, 9.5, 9.5, 9.5, 9.5];
const EXPECTED_VALUE = [11, 12, 13, 14, 15, 21, 23, 24, 25, 31, 32, 33, 34];

function checkHandBuilt(b: {
  frames: Float32Array;
  bands: Int32Array;
  mjd: Float32Array;
  mask: Float32Array;
}, l: number) {
  const pad = l - 13;
  assertEquals([...b.bands], [...EXPECTED_BANDS, ...new Array(pad).fill(0)]);
  assertEquals([...b.mjd], [...EXPECTED_MJD, ...new Array(pad).fill(0)]);
  assertEquals([...b.mask], [...new Array(13).fill(1), ...new Array(pad).fill(0)]);
  for (let t = 0; t < l; t++) {
    const frame = b.frames.subarray(t * S * S, (t + 1) * S * S);
    if (t >= 13) {
      assert(frame.every((v) => v === 0), `padding frame ${t} is not zero`);
      continue;
    }
    const v = EXPECTED_VALUE[t]!;
    const bright = t === 7;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const centre = bright && (x === 3 || x === 4) && (y === 3 || y === 4);
        assertEquals(frame[y * S + x], centre ? v + 100 : v, `frame ${t} pixel ${x},${y}`);
      }
    }
  }
}

Deno.test("reformat: hand-built 3-epoch ugriz object with two missing bands (in memory)", () => {
  const b = reformatSeries(handBuilt(), {
    bands: new BandMap(),
    length: 99,
    size: S,
    classes: ["AGN", "SNIa", "Variable", "SNOther"],
  });
  assertEquals([b.batchSize, b.length, b.height, b.width], [1, 99, S, S]);
  assertEquals(b.frames.length, 99 * S * S);
  assertEquals([...b.labels], [1]);
  checkHandBuilt(b, 99);
});

Deno.test("reformat: the same object through ingest, store and evalBatches gives the same arrays", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    const report = await ingest(memorySource([handBuilt()]), {
      out: `${dir}/store`,
      size: S,
      progress: false,
    });
    assertEquals(report.frames, { in: 13, kept: 13, skipped: 0 });
    const store = await openStore(`${dir}/store`);
    try {
      const batches = [];
      for await (const b of evalBatches(store, ["hand"], { prefetch: 0 })) batches.push(b);
      assertEquals(batches.length, 1);
      checkHandBuilt(batches[0]!, 99);
      assertEquals([...batches[0]!.labels], [1]);
      assertEquals(batches[0]!.ids, ["hand"]);
    } finally {
      store.close();
    }
  } finally {
    await cleanup();
  }
});

Deno.test("reformat: evaluation window of l = 5 is centred on the brightest frame", () => {
  const b = reformatSeries(handBuilt(), { bands: new BandMap(), length: 5, size: S });
  // Brightest = epoch 2 band i, position 7 of 13: window 5..9.
  assertEquals([...b.bands], [1, 3, 4, 5, 1]);
  assertEquals([...b.mjd], [0, 0, 0, 0, 5.25]);
  assertEquals([...b.mask], [1, 1, 1, 1, 1]);
  assertEquals([...b.labels], [-1]);
});

Deno.test("reformat: a band outside the band map is left out; gri map gives ids 1..3", () => {
  const b = reformatSeries(handBuilt(), {
    bands: new BandMap({ bands: ["g", "r", "i"] }),
    length: 12,
    size: S,
  });
  assertEquals([...b.bands], [1, 2, 3, 2, 3, 1, 2, 3, 0, 0, 0, 0]);
});

Deno.test("reformat: larger stamps are centre-cropped and smaller ones zero-padded", () => {
  const big = new Float32Array(10 * 10).map((_, i) => i);
  const small = new Float32Array(6 * 6).fill(7);
  const b = reformatSeries({
    id: "sizes",
    label: null,
    confirmed: false,
    frames: [
      { mjd: 1, band: "g", width: 10, height: 10, pixels: big },
      { mjd: 2, band: "g", width: 6, height: 6, pixels: small },
    ],
  }, { bands: new BandMap(), length: 2, size: S });
  // Crop starts at (1, 1) of the 10x10 stamp.
  assertEquals(b.frames[0], 11);
  assertEquals(b.frames[S * S - 1], 88);
  // Pad: the 6x6 stamp sits at (1, 1); padded pixels are 0.
  const f1 = b.frames.subarray(S * S);
  assertEquals(f1[0], 0);
  assertEquals(f1[1 * S + 1], 7);
  assertEquals(f1[6 * S + 6], 7);
  assertEquals(f1[7 * S + 7], 0);
});

Deno.test("reformat: training windows keep time order, have l frames, and are seeded", () => {
  for (const [n, l] of [[10, 99], [99, 99], [150, 99], [300, 99], [7, 3]] as const) {
    const a = selectTrainWindow(n, l, new Rng(5));
    const b = selectTrainWindow(n, l, new Rng(5));
    assertEquals(a, b);
    assertEquals(a.length, Math.min(n, l));
    for (let i = 1; i < a.length; i++) assert(a[i]! > a[i - 1]!, "not increasing");
    assert(a[0]! >= 0 && a[a.length - 1]! < n, "out of range");
    if (n > l) assert(a[a.length - 1]! - a[0]! < Math.floor(l * 1.25), "span too wide");
  }
  // maxDrop 0: a contiguous random window.
  const w = selectTrainWindow(300, 99, new Rng(9), { maxDrop: 0 });
  assertEquals(w[98]! - w[0]!, 98);
  // Different seeds give different windows somewhere.
  const starts = new Set(
    Array.from({ length: 20 }, (_, s) => selectTrainWindow(300, 99, new Rng(s))[0]),
  );
  assert(starts.size > 5, "windows do not move");
});

Deno.test("reformat: evaluation window handles NaN scores and clamps at the ends", () => {
  assertEquals(selectEvalWindow([1, 2, 9, 3, 4, 5], 3), [1, 2, 3]);
  assertEquals(selectEvalWindow([9, 2, 1, 3, 4, 5], 3), [0, 1, 2]);
  assertEquals(selectEvalWindow([1, 2, 1, 3, 4, 9], 3), [3, 4, 5]);
  // All NaN: the middle frame.
  assertEquals(selectEvalWindow([NaN, NaN, NaN, NaN, NaN], 3), [1, 2, 3]);
  // Ties: the earliest.
  assertEquals(selectEvalWindow([5, 1, 1, 1, 5, 1, 1], 3), [0, 1, 2]);
});
