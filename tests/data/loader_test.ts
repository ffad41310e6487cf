import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertThrows,
} from "../util/assert.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { memorySource } from "../../lib/survey/source.ts";
import { openStore, type Store, StoreError } from "../../lib/data/store.ts";
import { epochBatches, evalBatches, planEpoch } from "../../lib/data/loader.ts";
import { epochPlan, planCounts, resolveTarget } from "../../lib/data/balance.ts";
import { computeNormalization } from "../../lib/data/normalization.ts";
import type { Batch } from "../../lib/data/batch.ts";
import { ConventionError } from "../../lib/errors.ts";
import type { ObjectSeries } from "../../lib/survey/series.ts";
import { synthSeries, tempDir } from "./synth.ts";

const COUNTS: Record<string, number> = { AGN: 3, SNIa: 12, Variable: 20, SNOther: 5 };

function objects(): ObjectSeries[] {
  const out: ObjectSeries[] = [];
  let k = 0;
  for (const [label, n] of Object.entries(COUNTS)) {
    for (let i = 0; i < n; i++, k++) {
      out.push(synthSeries(`${label}-${i}`, {
        epochs: 4 + (k * 7) % 30, // 20..170 frames: both shorter and longer than l = 99
        label,
        confirmed: i % 2 === 0,
        seed: k + 1,
        peak: (k * 3) % 10,
      }));
    }
  }
  // An asymmetric, constant-in-time object to check that augmentation is the same on every frame.
  const pattern = new Float32Array(64).map((_, i) => (i % 8) * 10 + Math.floor(i / 8));
  out.push({
    id: "arrow",
    label: "AGN",
    confirmed: true,
    frames: Array.from({ length: 12 }, (_, e) => ({
      mjd: 53000 + e,
      band: "r",
      width: 8,
      height: 8,
      pixels: pattern,
    })),
  });
  return out;
}

let shared: Promise<{ dir: string; store: Store; ids: string[] }> | null = null;
function fixture() {
  shared ??= (async () => {
    const [dir] = await tempDir("convention-loader-");
    await ingest(memorySource(objects()), { out: `${dir}/store`, size: 8, progress: false });
    const store = await openStore(`${dir}/store`);
    return { dir, store, ids: store.objects.map((o) => o.id) };
  })();
  return shared;
}

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

Deno.test("balance: every epoch has the same count per class (median by default)", async () => {
  const { store, ids } = await fixture();
  const target = resolveTarget("median", [4, 12, 20, 5]); // AGN has 3 + "arrow"
  assertEquals(target, 9);
  for (let epoch = 0; epoch < 4; epoch++) {
    const plan = planEpoch(store, ids, { seed: 7, epoch, stage: 1 });
    assertEquals(planCounts(plan, 4), [9, 9, 9, 9]);
    // Majority classes are undersampled without duplicates; minorities padded with duplicates.
    for (const [c, n] of [[0, 4], [1, 12], [2, 20], [3, 5]] as const) {
      const rows = plan.filter((e) => e.label === c);
      const dup = rows.filter((e) => e.duplicate).length;
      assertEquals(dup, Math.max(0, 9 - n), `class ${c} duplicates`);
      const originals = new Set(rows.filter((e) => !e.duplicate).map((e) => e.object));
      assertEquals(originals.size, Math.min(n, 9));
    }
  }
  // Configurable size.
  assertEquals(planCounts(planEpoch(store, ids, { seed: 7, epoch: 0, perClass: 30 }), 4), [
    30,
    30,
    30,
    30,
  ]);
  assertEquals(planEpoch(store, ids, { seed: 7, epoch: 0, balance: false }).length, ids.length);
});

Deno.test("balance: the same (seed, stage, epoch) gives the same plan; others differ", () => {
  const objs = Array.from({ length: 50 }, (_, i) => ({ object: i, label: i % 3 === 0 ? 0 : 1 }));
  const a = epochPlan(objs, { seed: 1, epoch: 2, stage: 1, numClasses: 2 });
  assertEquals(a, epochPlan(objs, { seed: 1, epoch: 2, stage: 1, numClasses: 2 }));
  const key = (p: typeof a) => JSON.stringify(p.map((e) => [e.object, e.duplicate]));
  assert(key(a) !== key(epochPlan(objs, { seed: 1, epoch: 3, stage: 1, numClasses: 2 })), "epoch");
  assert(key(a) !== key(epochPlan(objs, { seed: 2, epoch: 2, stage: 1, numClasses: 2 })), "seed");
  assert(key(a) !== key(epochPlan(objs, { seed: 1, epoch: 2, stage: 2, numClasses: 2 })), "stage");
});

Deno.test("loader: same seed gives the same batches, in-thread and in a worker; balanced labels", async () => {
  const { store, ids } = await fixture();
  const normalization = computeNormalization(store, ids);
  const opts = { seed: 3, epoch: 1, stage: 2, batchSize: 8, length: 99, normalization };
  const a = await collect(epochBatches(store, ids, { ...opts, prefetch: 0 }));
  const b = await collect(epochBatches(store, ids, { ...opts, prefetch: 2 }));
  const c = await collect(epochBatches(store, ids, { ...opts, prefetch: 1, workers: 2 }));
  assertEquals(a.length, Math.ceil(36 / 8));
  assertEquals(a, b);
  assertEquals(a, c);
  const labels = a.flatMap((x) => [...x.labels]);
  assertEquals([0, 1, 2, 3].map((k) => labels.filter((l) => l === k).length), [9, 9, 9, 9]);
  const d = await collect(epochBatches(store, ids, { ...opts, epoch: 2, prefetch: 0 }));
  assert(
    JSON.stringify(a.map((x) => x.ids)) !== JSON.stringify(d.map((x) => x.ids)),
    "epochs equal",
  );
});

Deno.test("loader: batch shapes, masks, crop to the model size, and mjd relative to the first frame", async () => {
  const { store, ids } = await fixture();
  const batches = await collect(
    evalBatches(store, ids, { batchSize: 16, length: 99, size: 6, prefetch: 0 }),
  );
  assertEquals(batches.map((b) => b.batchSize), [16, 16, 9]);
  for (const b of batches) {
    assertEquals([b.length, b.height, b.width], [99, 6, 6]);
    assertEquals(b.frames.length, b.batchSize * 99 * 36);
    for (let r = 0; r < b.batchSize; r++) {
      const o = store.get(b.ids[r]!);
      const real = Math.min(o.count, 99);
      const mask = b.mask.subarray(r * 99, (r + 1) * 99);
      assertEquals(mask.reduce((s, v) => s + v, 0), real, o.id);
      assertEquals(b.mjd[r * 99], 0);
      assertEquals(b.bands[r * 99 + real - 1]! > 0, true);
      if (real < 99) assertEquals(b.bands[r * 99 + real], 0);
      assertEquals(b.labels[r], o.labelIndex);
    }
  }
  // Evaluation is deterministic: in a worker too.
  const again = await collect(evalBatches(store, ids, { batchSize: 16, length: 99, size: 6 }));
  assertEquals(again, batches);
});

Deno.test("loader: one augmentation per series (same on every frame), exact for quarter turns and flips", async () => {
  const { store } = await fixture();
  const arrow = store.get("arrow");
  const raw = store.readObject(arrow.index).slice(0, 64);
  // The 8 symmetries of the 8x8 pattern.
  const syms: number[][] = [];
  for (const flip of [false, true]) {
    for (let k = 0; k < 4; k++) {
      const out: number[] = [];
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          let u = x, v = y;
          for (let r = 0; r < k; r++) [u, v] = [v, 7 - u];
          if (flip) u = 7 - u;
          out.push(raw[v * 8 + u]!);
        }
      }
      syms.push(out);
    }
  }
  const aug = { maxAngle: 0, noise: 0, dropProb: 0, maxShift: 0, originals: true };
  const seen = new Set<number>();
  for (let epoch = 0; epoch < 12; epoch++) {
    const [b] = await collect(
      epochBatches(store, ["arrow"], {
        seed: 5,
        epoch,
        balance: false,
        augment: aug,
        length: 12,
        prefetch: 0,
      }),
    );
    const first = [...b!.frames.subarray(0, 64)];
    for (let t = 1; t < 12; t++) {
      assertEquals([...b!.frames.subarray(t * 64, (t + 1) * 64)], first, `frame ${t} differs`);
    }
    const which = syms.findIndex((s) => JSON.stringify(s) === JSON.stringify(first));
    assert(which >= 0, "not one of the 8 exact symmetries");
    seen.add(which);
  }
  assert(seen.size >= 4, `only ${seen.size} symmetries drawn in 12 epochs`);
  // Small angles and noise: still one transform for all frames (noise differs per pixel).
  const [b] = await collect(epochBatches(store, ["arrow"], {
    seed: 5,
    epoch: 0,
    balance: false,
    augment: { noise: 0, dropProb: 0, maxShift: 0, originals: true, smallAngleProb: 1 },
    length: 12,
    prefetch: 0,
  }));
  const f0 = [...b!.frames.subarray(0, 64)];
  assert(!syms.some((s) => JSON.stringify(s) === JSON.stringify(f0)), "no small rotation applied");
  for (let t = 1; t < 12; t++) assertEquals([...b!.frames.subarray(t * 64, (t + 1) * 64)], f0);
});

Deno.test("loader: normalisation uses training ids only and matches a direct computation", async () => {
  const { store } = await fixture();
  const train = store.objects.filter((o) => o.label === "SNIa").map((o) => o.id);
  const n = computeNormalization(store, train);
  // Direct: per band, all valid pixels.
  for (let b = 1; b <= 5; b++) {
    const vals: number[] = [];
    for (const id of train) {
      const o = store.get(id);
      const px = store.readObject(o.index);
      for (let f = 0; f < o.count; f++) {
        if (store.band[o.first + f] !== b) continue;
        for (let i = 0; i < 64; i++) {
          const v = px[f * 64 + i]!;
          if (!Number.isNaN(v)) vals.push(v);
        }
      }
    }
    const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
    const sd = Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / vals.length);
    assertAlmostEquals(n.mean[b - 1]!, mean, 1e-9 * Math.abs(mean));
    assertAlmostEquals(n.std[b - 1]!, sd, 1e-9 * sd);
    assertEquals(n.pixels[b - 1], vals.length);
  }
  const other = computeNormalization(
    store,
    store.objects.filter((o) => o.label === "AGN").map((o) => o.id),
  );
  assert(other.mean[0] !== n.mean[0], "normalisation ignores its ids");
});

Deno.test("loader: pixel cache stays within its budget; bad options are refused", async () => {
  const { dir, store, ids } = await fixture();
  const small = await openStore(`${dir}/store`, { cacheBytes: 100_000 });
  try {
    for (const id of ids) small.readObject(small.get(id).index);
    assert(small.cachedBytes <= 100_000, `cache holds ${small.cachedBytes}`);
  } finally {
    small.close();
  }
  await assertRejects(
    async () => {
      for await (const _ of evalBatches(store, ids, { size: 9 })) break;
    },
    ConventionError,
    /Stamp size 9/,
  );
});

Deno.test("loader: a closed store refuses reads, naming itself, and closes twice", async () => {
  const { dir, store } = await fixture();
  const px = store.size * store.size;
  assertEquals(store.readObject(0).length, store.objects[0]!.count * px);
  store.close();
  assertEquals(store.cachedBytes, 0);
  const e = assertThrows(() => store.readObject(0), StoreError);
  assertEquals(e.message, `Store ${store.path} is closed.`);
  store.close();
  await Deno.remove(dir, { recursive: true });
});
