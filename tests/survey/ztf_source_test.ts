import { alertSource, openAlertSource } from "../../lib/survey/ztf_source.ts";
import { openSource, sourceKinds } from "../../lib/survey/open_source.ts";
import { registerAlerts } from "../../lib/cli/alerts.ts";
import { Command } from "@commander-js/extra-typings";
import { alertSeries } from "../../lib/survey/ztf_series.ts";
import type { SourceItem } from "../../lib/survey/source.ts";
import { ingest } from "../../lib/data/ingest.ts";
import { assert, assertEquals } from "../util/assert.ts";

const DIR = "fixtures/ztf/alerts";

async function collect(src: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const it of src) out.push(it);
  return out;
}

Deno.test("ztf source: same series as alertSeries, problems per object", async () => {
  const labels = new Map([["ZTF18aaxjdyr", { label: "SNIa", confirmed: true }]]);
  const src = alertSource([DIR, `${DIR}/stamp-676.fits`], { cutout: "difference", labels });
  assertEquals(src.count, undefined);
  const items = await collect(src.items());
  assertEquals(src.count, 10);
  const { series } = await alertSeries(DIR, { cutout: "difference" });
  const kept = items.filter((i) => i.series !== null);
  assertEquals(kept.map((i) => i.id), series.map((s) => s.id));
  kept.forEach((it, k) => {
    const a = it.series!;
    const b = series[k]!;
    assertEquals(a.frames.length, b.frames.length);
    a.frames.forEach((f, j) => {
      assertEquals([f.mjd, f.band], [b.frames[j]!.mjd, b.frames[j]!.band]);
      assertEquals(f.pixels, b.frames[j]!.pixels);
      assertEquals(f.mask, b.frames[j]!.mask);
    });
  });
  assertEquals([kept[0]!.series!.label, kept[0]!.series!.confirmed], ["SNIa", true]);
  assertEquals(kept[1]!.series!.label, null);
  const byId = new Map(items.map((i) => [i.id, i]));
  const bad = byId.get(`file:${DIR}/stamp-676.fits`)!;
  assertEquals(bad.problems.map((p) => [p.kind, p.skipped]), [["unreadable-file", "object"]]);
  const jpeg = byId.get("alertId:87704463155000")!;
  assertEquals(jpeg.series, null);
  assertEquals(jpeg.problems.map((p) => [p.kind, p.skipped]), [
    ["unreadable-file", "frame"],
    ["no-frames", "object"],
  ]);
  assert(jpeg.problems[0]!.message.includes("cutoutDifference is not a FITS image: JPEG image"));
  const dup = byId.get("ZTF17aaajnnn")!;
  assertEquals([dup.framesIn, dup.series!.frames.length], [2, 1]);
  assertEquals(dup.problems.map((p) => p.kind), ["duplicate-frame"]);
  assertEquals(items.reduce((n, i) => n + i.framesIn, 0), 11);
});

Deno.test("ztf source: ingest into a packed store counts every packet", async () => {
  const out = await Deno.makeTempDir({ prefix: "ztf_ingest_" });
  try {
    const r = await ingest(alertSource(DIR, { cutout: "science" }), {
      out,
      size: 32,
      progress: false,
    });
    assertEquals(r.objects, { in: 9, kept: 7, skipped: 2 });
    assertEquals(r.frames, { in: 10, kept: 7, skipped: 3 });
    assertEquals(r.problemCounts["no-frames"]?.objects, 2);
    assertEquals(r.problemCounts["duplicate-frame"]?.frames, 1);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("ztf source: registered as the `alerts` kind, labels from a CSV", async () => {
  registerAlerts(new Command());
  assert(sourceKinds().includes("alerts"));
  const csv = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(csv, "object_id,label,confirmed\nZTF17aaacxxf,AGN,1\n");
    const items = await collect(openSource("alerts", DIR, { labels: csv }).items());
    const s = items.find((i) => i.id === "ZTF17aaacxxf")!.series!;
    assertEquals([s.label, s.confirmed], ["AGN", true]);
    const direct = await collect(openAlertSource(`${DIR}/472263571115090000.avro`).items());
    assertEquals(direct.map((i) => [i.id, i.series!.label]), [["ZTF18aaxjlwy", null]]);
  } finally {
    await Deno.remove(csv);
  }
});
