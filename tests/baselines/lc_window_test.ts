/**
 * The same epochs for every model: light-curve models keep exactly the photometry of the
 * band-frames the loader gives an image model (training window, evaluation window, early cut).
 */
import { assert, assertEquals } from "../util/assert.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { memorySource } from "../../lib/survey/source.ts";
import { openStore, type Store } from "../../lib/data/store.ts";
import { epochBatches, evalBatches } from "../../lib/data/loader.ts";
import type { Batch } from "../../lib/data/batch.ts";
import { evalWindowLightCurve, windowLightCurve } from "../../lib/baselines/lc_window.ts";
import type { LightCurve } from "../../lib/baselines/photometry.ts";
import { synthSeries, tempDir } from "../data/synth.ts";

const BANDS = ["g", "r", "i"];

/** A light curve with one point per frame of the store object (flux = frame index). */
function lightCurveOf(store: Store, index: number): LightCurve {
  const o = store.objects[index]!;
  const points = Array.from({ length: o.count }, (_, k) => ({
    mjd: store.mjd[o.first + k]!,
    band: store.bands[store.band[o.first + k]! - 1]!,
    flux: k,
    fluxErr: 1,
  }));
  return { id: o.id, points, skipped: 0 };
}

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const [dir, done] = await tempDir("convention-lcwindow-");
  try {
    const series = [30, 8, 45].map((epochs, i) =>
      synthSeries(`o${i}`, { epochs, bands: BANDS, label: "SNIa", confirmed: true, seed: i + 1 })
    );
    await ingest(memorySource(series), { out: `${dir}/store`, size: 8, progress: false });
    const store = await openStore(`${dir}/store`);
    try {
      await fn(store);
    } finally {
      store.close();
    }
  } finally {
    await done();
  }
}

/** The frame indexes (within the object) of the real frames of batch row `row`. */
function rowFrames(store: Store, batch: Batch, row: number): number[] {
  const o = store.get(batch.ids[row]!);
  const out: number[] = [];
  for (let t = 0; t < batch.length; t++) {
    const k = row * batch.length + t;
    if (batch.mask[k] === 0) continue;
    const mjd = batch.t0[row]! + batch.mjd[k]!;
    let best = -1;
    for (let i = 0; i < o.count; i++) {
      if (Math.abs(store.mjd[o.first + i]! - mjd) < 1e-4) best = i;
    }
    out.push(best);
  }
  return out;
}

async function collect(stream: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of stream) out.push(b);
  return out;
}

Deno.test("windowLightCurve keeps the points of exactly the row's frames (eval, cut, train)", async () => {
  await withStore(async (store) => {
    const ids = store.objects.map((o) => o.id);
    const cases: [string, Batch[]][] = [
      ["eval", await collect(evalBatches(store, ids, { batchSize: 3, length: 24, prefetch: 0 }))],
      [
        "cut 10 d",
        await collect(
          evalBatches(store, ids, { batchSize: 3, length: 24, prefetch: 0, cut: { days: 10 } }),
        ),
      ],
      [
        "train",
        await collect(
          epochBatches(store, ids, { seed: 3, epoch: 0, batchSize: 3, length: 24, prefetch: 0 }),
        ),
      ],
    ];
    for (const [name, batches] of cases) {
      for (const b of batches) {
        for (let row = 0; row < b.batchSize; row++) {
          const index = store.indexOf(b.ids[row]!);
          const lc = lightCurveOf(store, index);
          const w = windowLightCurve(lc, b, row, store.bands)!;
          const frames = rowFrames(store, b, row);
          assert(frames.every((f) => f >= 0), `${name}: every frame found in the store`);
          assertEquals(
            w.points.map((p) => p.flux).sort((x, y) => x - y),
            [...frames].sort((x, y) => x - y),
            `${name}: ${b.ids[row]} keeps the points of its frames and no other`,
          );
          if (name === "cut 10 d") {
            const first = store.mjd[store.objects[index]!.first]!;
            assert(w.points.every((p) => p.mjd <= first + 10), "no point after the cut");
          }
        }
      }
    }
    // The 45-epoch object (135 frames) is longer than the window: the eval window is a strict
    // subset, and the 8-epoch one (24 frames) is whole.
    const evalBatch = cases[0]![1][0]!;
    const long = windowLightCurve(lightCurveOf(store, 2), evalBatch, 2, store.bands)!;
    assertEquals(long.points.length, 24);
    const short = windowLightCurve(lightCurveOf(store, 1), evalBatch, 1, store.bands)!;
    assertEquals(short.points.length, 24);
    assertEquals(windowLightCurve(undefined, evalBatch, 0, store.bands), undefined);
  });
});

Deno.test("evalWindowLightCurve gives the points of the evaluation batch's window", async () => {
  await withStore(async (store) => {
    const ids = store.objects.map((o) => o.id);
    const [b] = await collect(evalBatches(store, ids, { batchSize: 3, length: 24, prefetch: 0 }));
    for (let row = 0; row < 3; row++) {
      const lc = lightCurveOf(store, row);
      const a = evalWindowLightCurve(lc, store, row, 24)!.points.map((p) => p.flux);
      const w = windowLightCurve(lc, b!, row, store.bands)!.points.map((p) => p.flux);
      assertEquals(a, w, `object ${row}`);
    }
    // A point measured on no frame of the window (another band, another date) is not kept.
    const lc = lightCurveOf(store, 0);
    lc.points.push({
      mjd: store.mjd[store.objects[0]!.first]! + 0.5,
      band: "g",
      flux: -1,
      fluxErr: 1,
    });
    assert(!evalWindowLightCurve(lc, store, 0, 200)!.points.some((p) => p.flux === -1));
  });
});
