import { AvroError, fixZtfSchema, readAvroContainer } from "../../lib/survey/ztf_avro.ts";
import { loadExpected } from "../../fixtures/ztf/expected.ts";
import { assert, assertEquals, assertThrows } from "../util/assert.ts";

const DIR = "fixtures/ztf/alerts";
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
    /x\.avro: not an Avro object container file: a FITS file, 11 bytes/,
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

/** Zig-zag varint of a bigint (Avro int/long), written independently of the reader. */
function zz(n: bigint): number[] {
  let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const out: number[] = [];
  do {
    const b = Number(z & 0x7fn);
    z >>= 7n;
    out.push(z ? b | 0x80 : b);
  } while (z);
  return out;
}

function str(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...zz(BigInt(b.length)), ...b];
}

Deno.test("ztf avro: 64-bit longs decode exactly as bigint (hand-made container)", () => {
  const schema = JSON.stringify({
    type: "record",
    name: "r",
    fields: [{ name: "a", type: "long" }, { name: "b", type: ["float", "null"], default: null }],
  });
  const sync = Array.from({ length: 16 }, (_, i) => i * 7 + 1);
  const values = [0n, -1n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 1661382530015060001n];
  const body: number[] = [];
  for (const v of values) body.push(...zz(v), ...zz(1n)); // union branch 1 = null
  const bytes = new Uint8Array([
    0x4f,
    0x62,
    0x6a,
    0x01,
    ...zz(-2n),
    ...zz(BigInt(str("avro.schema").length + str(schema).length)), // negative count + size
    ...str("avro.schema"),
    ...str(schema),
    ...str("avro.codec"),
    ...str("null"),
    0,
    ...sync,
    ...zz(BigInt(values.length)),
    ...zz(BigInt(body.length)),
    ...body,
    ...sync,
  ]);
  const c = readAvroContainer(bytes, "mem.avro");
  assertEquals(c.codec, "null");
  assertEquals(c.records.map((r) => (r as { a: bigint }).a), values);
  assertEquals(c.records.map((r) => (r as { b: unknown }).b), values.map(() => null));
});
