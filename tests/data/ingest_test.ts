import { assertEquals, assertMatch } from "../util/assert.ts";
import { ingest } from "../../lib/data/ingest.ts";
import type { ObjectSource, SourceItem } from "../../lib/survey/source.ts";
import type { Frame, ObjectSeries } from "../../lib/survey/series.ts";
import { openStore } from "../../lib/data/store.ts";
import { tempDir } from "./synth.ts";

function frame(mjd: number, band: string, size = 8, fill = 1): Frame {
  return { mjd, band, width: size, height: size, pixels: new Float32Array(size * size).fill(fill) };
}

function series(
  id: string,
  label: string | null,
  frames: Frame[],
  confirmed = false,
): ObjectSeries {
  return { id, label, confirmed, frames };
}

function item(s: ObjectSeries, extra: Partial<SourceItem> = {}): SourceItem {
  return { id: s.id, series: s, problems: [], framesIn: s.frames.length, ...extra };
}

function brokenSource(): ObjectSource {
  const nanny = frame(2, "g");
  nanny.pixels[0] = NaN;
  nanny.pixels[5] = NaN;
  nanny.pixels[9] = Infinity;
  const allNan = frame(1, "r", 8, NaN);
  const items: SourceItem[] = [
    item(
      series("good", "SNIa", [frame(1, "g"), frame(1, "r"), frame(4, "g"), frame(4, "r")], true),
    ),
    item(series("nanny", "AGN", [nanny, frame(3, "y")])),
    // The second g at MJD 1 (1e-7 day later, after an r frame in time order) is a duplicate.
    item(
      series("dups", "Variable", [
        frame(1, "g"),
        frame(1, "r", 8, 3),
        frame(1 + 1e-7, "g", 8, 2),
        frame(2, "g"),
      ]),
    ),
    item(series("empty", "AGN", [])),
    item(series("weird", "Nova", [frame(1, "g"), frame(2, "g")])),
    item(series("good", "SNIa", [frame(1, "g"), frame(1, "r"), frame(5, "g"), frame(5, "r")])),
    item(series("allnan", "AGN", [allNan])),
    item(series("unl", null, [frame(1, "i")])),
    item(series("mapped", "SNII", [frame(1, "z")], true)),
    item(series("sizes", "SNOther", [frame(1, "g", 12), frame(2, "g", 5)])),
    {
      id: "lost",
      series: null,
      problems: [{
        object: "lost",
        kind: "unreadable-file",
        skipped: "object",
        message: "lost.fits cannot be read",
        file: "lost.fits",
      }],
      framesIn: 7,
    },
    item(series("partial", "AGN", [frame(1, "g")]), {
      problems: [{
        object: "partial",
        kind: "missing-header-key",
        skipped: "frame",
        message: "partial.fits[2] has no FILTER",
      }],
      framesIn: 2,
    }),
    item(series("nomjd", "AGN", [frame(NaN, "g"), frame(1, "g")])),
  ];
  return {
    description: "broken",
    count: items.length,
    async *items() {
      yield* items;
    },
  };
}

Deno.test("ingest: every problem is reported per object; totals in = kept + skipped exactly", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    const r = await ingest(brokenSource(), {
      out: `${dir}/store`,
      size: 8,
      labelMap: { SNII: "SNOther" },
      progress: false,
    });
    assertEquals(r.objects, { in: 13, kept: 8, skipped: 5 });
    // Frames in: 4+2+4+0+2+4+1+1+1+2+7+2+2 = 32; kept: 4+1+3+1+1+2+1+1 = 14.
    assertEquals(r.frames, { in: 32, kept: 14, skipped: 18 });
    assertEquals(r.problemCounts, {
      "unknown-band": { objects: 0, frames: 1 },
      "duplicate-frame": { objects: 0, frames: 1 },
      "no-frames": { objects: 2, frames: 0 },
      "unknown-label": { objects: 1, frames: 2 },
      "duplicate-object": { objects: 1, frames: 4 },
      "empty-stamp": { objects: 0, frames: 1 },
      "unreadable-file": { objects: 1, frames: 7 },
      "missing-header-key": { objects: 0, frames: 1 },
      "bad-value": { objects: 0, frames: 1 },
    });
    const sum = Object.values(r.problemCounts).reduce((s, c) => s + c!.frames, 0);
    assertEquals(sum, r.frames.skipped);
    assertEquals(r.pixels, {
      nan: 3,
      padded: 39,
      framesWithNaN: 1,
      framesCropped: 1,
      framesPadded: 1,
    });
    assertEquals(r.labels, {
      SNIa: { confirmed: 1, unconfirmed: 0 },
      AGN: { confirmed: 0, unconfirmed: 3 },
      Variable: { confirmed: 0, unconfirmed: 1 },
      "(unlabelled)": { confirmed: 0, unconfirmed: 1 },
      SNOther: { confirmed: 1, unconfirmed: 1 },
    });
    // Per object, in input order, naming what was skipped.
    assertEquals(r.problems.map((p) => `${p.object}:${p.kind}:${p.skipped}`), [
      "nanny:unknown-band:frame",
      "dups:duplicate-frame:frame",
      "empty:no-frames:object",
      "weird:unknown-label:object",
      "good:duplicate-object:object",
      "allnan:empty-stamp:frame",
      "allnan:no-frames:object",
      "lost:unreadable-file:object",
      "partial:missing-header-key:frame",
      "nomjd:bad-value:frame",
    ]);
    // The report file is the same JSON.
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/store/ingest_report.json`)), r);
    const store = await openStore(`${dir}/store`);
    assertEquals(store.objects.map((o) => o.id), [
      "good",
      "nanny",
      "dups",
      "unl",
      "mapped",
      "sizes",
      "partial",
      "nomjd",
    ]);
    assertEquals(store.get("mapped").label, "SNOther");
    assertEquals(store.get("unl").labelIndex, -1);
    // The duplicate frame kept is the first one (value 1).
    assertEquals(store.readObject(store.get("dups").index)[0], 1);
    // NaN pixels are stored as NaN and counted per frame.
    const nanny = store.get("nanny");
    assertEquals(store.invalid[nanny.first], 3);
    assertEquals(Number.isNaN(store.readObject(nanny.index)[9]!), true);
    store.close();
  } finally {
    await cleanup();
  }
});

Deno.test("ingest: keepUnlabelled false skips objects without a label; summary line", async () => {
  const [dir, cleanup] = await tempDir();
  try {
    const r = await ingest(brokenSource(), {
      out: `${dir}/s`,
      size: 8,
      keepUnlabelled: false,
      progress: false,
    });
    assertEquals(r.objects, { in: 13, kept: 6, skipped: 7 });
    // weird (Nova), unl (no label), mapped (SNII without a label map).
    assertEquals(r.problemCounts["unknown-label"], { objects: 3, frames: 4 });
    const { summaryLine } = await import("../../lib/data/ingest.ts");
    assertMatch(
      summaryLine(r),
      /^ingest: objects 13 in, 6 kept, 7 skipped; frames 32 in, 12 kept, 20 skipped/,
    );
  } finally {
    await cleanup();
  }
});
