/** Random truncation (`data.truncate`): a prefix of the series, from its own seeded stream. */
import { assert, assertEquals, assertThrows } from "../util/assert.ts";
import { truncatedCount } from "../../lib/data/truncate.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { memorySource } from "../../lib/survey/source.ts";
import { openStore } from "../../lib/data/store.ts";
import { epochBatches } from "../../lib/data/loader.ts";
import type { Batch } from "../../lib/data/batch.ts";
import { trainPreset, validateConfig } from "../../lib/train/config.ts";
import { resolveTrainConfig } from "../../lib/cli/train.ts";
import { synthSeries, tempDir } from "./synth.ts";

// Frames every 2 days over 100 days.
const MJD = Array.from({ length: 51 }, (_, i) => 50000 + 2 * i);

Deno.test("truncatedCount: off keeps every frame; on keeps a prefix at least minDays long", () => {
  assertEquals(truncatedCount(MJD, 0, 51, 1, null), 51);
  assertEquals(truncatedCount(MJD, 0, 51, 1, { prob: 0, minDays: 3 }), 51);
  let cut = 0;
  const counts: number[] = [];
  for (let seed = 0; seed < 2000; seed++) {
    const n = truncatedCount(MJD, 0, 51, seed, { prob: 0.5, minDays: 3 });
    assertEquals(n, truncatedCount(MJD, 0, 51, seed, { prob: 0.5, minDays: 3 }), "deterministic");
    // 3 days keeps frames at 0 and 2 days; the cut never adds a frame.
    assert(n >= 2 && n <= 51, `count ${n}`);
    if (n < 51) cut++;
    counts.push(n);
  }
  // About half the series are cut (a cut at 100 days keeps all 51: rare, 1 / ln(33) of a unit).
  assert(cut > 900 && cut < 1000, `${cut} of 2000 cut`);
  // Log-uniform days: about as many cuts below 10 days (count <= 5) as between 10 and 33 days.
  const short = counts.filter((n) => n <= 5).length;
  const middle = counts.filter((n) => n > 5 && n <= 17).length;
  assert(Math.abs(short - middle) < 0.25 * (short + middle), `${short} vs ${middle}`);
  // A series shorter than minDays is never cut; from an offset `first`, only its own frames.
  assertEquals(truncatedCount([0, 1, 2], 0, 3, 5, { prob: 1, minDays: 3 }), 3);
  const n = truncatedCount([9, 9, 0, 10, 20, 30], 2, 4, 4, { prob: 1, minDays: 3 });
  assert(n >= 1 && n <= 4);
});

Deno.test("epochBatches with truncate: rows hold early frames only; off is bit-identical", async () => {
  const [dir, done] = await tempDir("convention-truncate-");
  try {
    const series = Array.from(
      { length: 8 },
      (_, i) =>
        synthSeries(`o${i}`, {
          epochs: 40,
          bands: ["g", "r"],
          label: i % 2 ? "AGN" : "SNIa",
          seed: i,
        }),
    );
    await ingest(memorySource(series), { out: `${dir}/store`, size: 8, progress: false });
    const store = await openStore(`${dir}/store`);
    try {
      const ids = store.objects.map((o) => o.id);
      const run = async (truncate?: { prob: number; minDays: number } | null) => {
        const out: Batch[] = [];
        const opts = { seed: 5, epoch: 0, batchSize: 4, length: 24, prefetch: 0, truncate };
        for await (const b of epochBatches(store, ids, opts)) out.push(b);
        return out;
      };
      const plain = await run(), off = await run({ prob: 0, minDays: 3 });
      assertEquals(off.map((b) => [...b.frames]), plain.map((b) => [...b.frames]));
      const cut = await run({ prob: 1, minDays: 3 });
      let shorter = 0;
      cut.forEach((b, i) => {
        for (let row = 0; row < b.batchSize; row++) {
          const o = store.get(b.ids[row]!);
          const first = store.mjd[o.first]!, last = store.mjd[o.first + o.count - 1]!;
          let end = 0, endPlain = 0;
          for (let t = 0; t < b.length; t++) {
            const k = row * b.length + t;
            if (b.mask[k]) end = Math.max(end, b.t0[row]! + b.mjd[k]!);
            if (plain[i]!.mask[k]) {
              endPlain = Math.max(endPlain, plain[i]!.t0[row]! + plain[i]!.mjd[k]!);
            }
          }
          assert(end >= first && end <= last + 1e-3);
          if (end < endPlain - 1e-3) shorter++;
        }
      });
      assert(shorter > 0, "some training windows end earlier under truncation");
    } finally {
      store.close();
    }
  } finally {
    await done();
  }
});

Deno.test("data.truncate: validated, and set by train --truncate", async () => {
  const c = trainPreset("tiny");
  assertEquals(c.data.truncate, null);
  c.data.truncate = { prob: 2, minDays: 3 };
  assertThrows(() => validateConfig(c), Error, /data\.truncate/);
  const r = await resolveTrainConfig({ preset: "tiny", truncate: 0.5 });
  assertEquals(r.data.truncate, { prob: 0.5, minDays: 3 });
  assertEquals((await resolveTrainConfig({ preset: "tiny", truncate: 0 })).data.truncate, null);
});
