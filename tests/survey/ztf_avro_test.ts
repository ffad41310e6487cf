import { AvroError, fixZtfSchema, readAvroContainer } from "../../lib/survey/ztf_avro.ts";
import { loadExpected } from "../../fixtures/ztf/expected.ts";
import { assert, assertEquals, assertThrows } from "../util/assert.ts";

const DIR = "../shared/data/ztf-alerts";
const expected = loadExpected("fixtures/ztf/expected.json");

type Rec = Record<string, unknown> & { candidate: Record<string, unknown> };

Deno.test("ztf avro: every sample packet decodes like python3-avro", () => {
  const names = Object.keys(expected);
  assertEquals(names.length, 10);
  for (const name of names) {
    const c = readAvroContainer(Deno.readFileSync(`${DIR}/${name}`), name);
    assertEquals(c.codec, "null", name);
    const exp = expected[name]!;
    assertEquals(c.records.length, exp.length, name);
    c.records.forEach((r, i) => {
      const rec = r as Rec;
      const e = exp[i]!;
      assertEquals(rec.objectId ?? null, e.objectId, `${name} objectId`);
      assertEquals(typeof rec.candid, "bigint", `${name} candid is a bigint`);
      assertEquals(String(rec.candid), e.candid, `${name} candid`);
      assertEquals(rec.candidate.fid, e.fid, `${name} fid`);
      assertEquals(rec.candidate.jd, e.jd, `${name} jd`);
      const prv = rec.prv_candidates as unknown[] | null;
      assertEquals(prv?.length ?? 0, e.n_prv, `${name} prv`);
    });
  }
});

Deno.test("ztf avro: deflate codec and two records in one container", () => {
  const exp = loadExpected("fixtures/ztf/expected_deflate.json")["two_packets_deflate.avro"]!;
  const c = readAvroContainer(Deno.readFileSync("fixtures/ztf/two_packets_deflate.avro"));
  assertEquals(c.codec, "deflate");
  assertEquals(c.records.length, 2);
  assertEquals(
    c.records.map((r) => [(r as Rec).objectId, String((r as Rec).candid)]),
    exp.map((e) => [e.objectId, e.candid]),
  );
});

Deno.test("ztf avro: bad bytes are typed errors naming the file", () => {
  const good = Deno.readFileSync(`${DIR}/396522680015020000.avro`);
  assertThrows(
    () => readAvroContainer(new TextEncoder().encode("SIMPLE  = T"), "x.avro"),
    AvroError,
    /x\.avro: not an Avro object container file \(starts with 53 49 4d 50/,
  );
  assertThrows(() => readAvroContainer(new Uint8Array(0), "e.avro"), AvroError, /e\.avro/);
  assertThrows(() => readAvroContainer(good.slice(0, 5000), "t.avro"), AvroError, /truncated/);
  assertThrows(
    () => readAvroContainer(good.slice(0, good.length - 100), "t2.avro"),
    AvroError,
    /t2\.avro: .*truncated/,
  );
  const bad = good.slice();
  bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff; // corrupt the final sync marker
  assertThrows(() => readAvroContainer(bad, "s.avro"), AvroError, /sync marker/);
});

Deno.test("ztf avro: fixZtfSchema drops null defaults of non-null-first unions only", () => {
  const schema = {
    type: "record",
    name: "r",
    fields: [
      { name: "a", type: ["float", "null"], default: null },
      { name: "b", type: ["null", "float"], default: null },
      { name: "c", type: "int", default: 0 },
    ],
  };
  const fixed = fixZtfSchema(schema) as typeof schema;
  assert(!("default" in fixed.fields[0]!));
  assertEquals(fixed.fields[1]!.default, null);
  assertEquals(fixed.fields[2]!.default, 0);
  assertEquals(schema.fields[0]!.default, null, "input unchanged");
});
