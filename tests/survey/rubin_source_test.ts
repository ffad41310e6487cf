import { rubinSource } from "../../lib/survey/rubin_source.ts";
import { detectSourceKind, openSource } from "../../lib/survey/open_source.ts";
import { readLabelMapFile } from "../../lib/survey/rubin_labels.ts";
import type { SourceItem } from "../../lib/survey/source.ts";
import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { RUBIN_DIR } from "./rubin_reference.ts";

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const it of items) out.push(it);
  return out;
}

Deno.test("rubin source: auto-detected; native-size frames; a bad file is one reported item", async () => {
  assertEquals(detectSourceKind(RUBIN_DIR), "rubin");
  assertEquals(detectSourceKind(`${RUBIN_DIR}/part-1-0-398764591.parquet`), "rubin");
  const dir = await Deno.makeTempDir({ prefix: "rubin-source-" });
  try {
    await Deno.copyFile(`${RUBIN_DIR}/part-1-0-398764591.parquet`, `${dir}/a.parquet`);
    await Deno.writeFile(`${dir}/b.parquet`, new Uint8Array([0x50, 0x41, 0x52, 0x31, 9, 9]));
    await Deno.writeTextFile(
      `${dir}/labels.csv`,
      "object_id,label,confirmed\n170046091921195087,Variable,1\n",
    );
    const src = openSource("auto", dir, { labels: `${dir}/labels.csv`, cutout: "template" });
    const items = await collect(src.items());
    assertEquals(src.count, 4);
    assertEquals(items.map((i) => i.id), [
      `file:${dir}/b.parquet`,
      "313875415044194310",
      "313985345528004656",
      "170046091921195087",
    ]);
    assertEquals(items[0]!.series, null);
    assertEquals(items[0]!.problems[0]!.kind, "unreadable-file");
    assertMatch(items[0]!.problems[0]!.message, /b\.parquet cannot be read: .*not a Parquet file/);
    const sizes = items.slice(1).map((
      i,
    ) => [i.series!.frames[0]!.width, i.series!.frames[0]!.height]);
    assertEquals(sizes, [[74, 74], [50, 50], [41, 41]]);
    assert(items.slice(1).every((i) => i.series!.frames[0]!.source!.endsWith(":cutoutTemplate")));
    assertEquals([items[3]!.series!.label, items[3]!.series!.confirmed], ["Variable", true]);
    assertEquals(items[1]!.series!.label, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rubin source: labels from xm.simbad_otype; label map tables in CSV and JSON", async () => {
  const items = await collect(
    rubinSource(`${RUBIN_DIR}/part-1-0-398764591.parquet`, { labelColumn: "xm.simbad_otype" })
      .items(),
  );
  assertEquals(items.map((i) => i.series!.label), ["EB*", null, "HB*"]);
  const dir = await Deno.makeTempDir({ prefix: "rubin-labels-" });
  try {
    await Deno.writeTextFile(`${dir}/m.csv`, "value,label\nEB*,Variable\n QSO ,AGN\n");
    await Deno.writeTextFile(`${dir}/m.json`, '{"EB*": "Variable", "QSO": "AGN"}');
    assertEquals(readLabelMapFile(`${dir}/m.csv`), { "EB*": "Variable", QSO: "AGN" });
    assertEquals(readLabelMapFile(`${dir}/m.json`), { "EB*": "Variable", QSO: "AGN" });
    await Deno.writeTextFile(`${dir}/bad.csv`, "from,to\nEB*,Variable\n");
    let msg = "";
    try {
      readLabelMapFile(`${dir}/bad.csv`);
    } catch (e) {
      msg = (e as Error).message;
    }
    assertMatch(msg, /bad\.csv/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
