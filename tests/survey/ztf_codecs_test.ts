import { readAvroContainer } from "../../lib/survey/ztf_avro.ts";
import { readAlertPackets } from "../../lib/survey/ztf_packet.ts";
import { avroSnappyBlock, snappyDecompress, SnappyError } from "../../lib/survey/snappy.ts";
import { crc32 } from "../../lib/survey/crc32.ts";
import { defaultFits, repairSchemaDefaults } from "../../lib/survey/avro_schema.ts";
import { loadExpected } from "../../fixtures/ztf/expected.ts";
import { assert, assertEquals, assertThrows } from "../util/assert.ts";

function checkAgainst(file: string, refFile: string): void {
  const exp = loadExpected(refFile)[file.slice(file.lastIndexOf("/") + 1)]!;
  const packets = readAlertPackets(Deno.readFileSync(file), file);
  assertEquals(packets.length, exp.length);
  packets.forEach((p, i) => {
    const e = exp[i]!;
    assertEquals([p.objectId, String(p.candid), p.candidate.fid, p.candidate.jd], [
      e.objectId,
      e.candid,
      e.fid,
      e.jd,
    ]);
    assertEquals(p.prvCandidates.length, e.n_prv);
    const sci = e.cutouts.cutoutScience as { shape: number[]; sum: number; nan: number };
    const c = p.cutouts.science!;
    assertEquals([c.width, c.height, c.nanCount], [...sci.shape, sci.nan]);
    assert(Math.abs(c.sum - sci.sum) <= 1e-10 * Math.abs(sci.sum), `${file} sum`);
  });
}

Deno.test("ztf codecs: snappy container written by python3-avro + python3-snappy reads the same", () => {
  const c = readAvroContainer(Deno.readFileSync("fixtures/ztf/two_packets_snappy.avro"));
  assertEquals([c.codec, c.records.length], ["snappy", 2]);
  checkAgainst(
    "fixtures/ztf/two_packets_snappy.avro",
    "fixtures/ztf/expected_two_packets_snappy.json",
  );
});

Deno.test("ztf codecs: schema defaults that do not match their type are dropped, records read", () => {
  const file = "fixtures/ztf/bad_defaults_snappy.avro";
  const c = readAvroContainer(Deno.readFileSync(file), file);
  // ZTF's own schemas already put null defaults on ["float", "null"] unions (also dropped).
  for (const f of ["candidate.fid", "candidate.jd", "candidate.magnr", "candidate.sgscore1"]) {
    assert(c.repairedDefaults.includes(f), `${f} default dropped`);
  }
  checkAgainst(file, "fixtures/ztf/expected_bad_defaults_snappy.json");
});

Deno.test("ztf codecs: defaultFits and repairSchemaDefaults", () => {
  assert(defaultFits("int", 0) && !defaultFits("int", null) && !defaultFits("int", "0"));
  assert(defaultFits(["null", "int"], null) && !defaultFits(["null", "int"], 0));
  assert(defaultFits(["float", "null"], 1.5) && !defaultFits(["float", "null"], null));
  assert(!defaultFits(["ztf.alert.cutout", "null"], null), "named type never null");
  assert(defaultFits({ type: "array", items: "int" }, []));
  const schema = {
    type: "record",
    name: "r",
    fields: [{ name: "a", type: "long", default: null }],
  };
  const dropped: string[] = [];
  const fixed = repairSchemaDefaults(schema, dropped) as typeof schema;
  assertEquals(dropped, ["r.a"]);
  assert(!("default" in fixed.fields[0]!) && schema.fields[0]!.default === null, "copy only");
});

/** A raw snappy block made by hand: literal "abcd", copy len 8 offset 4 (2-byte offset). */
const HAND = new Uint8Array([12, 0x0c, 97, 98, 99, 100, (7 << 2) | 2, 4, 0]);

Deno.test("ztf codecs: snappy literals and overlapping copies; CRC-32 check value", () => {
  assertEquals(new TextDecoder().decode(snappyDecompress(HAND, 100)), "abcdabcdabcd");
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  const out = snappyDecompress(HAND, 100);
  const crc = crc32(out);
  const block = new Uint8Array([
    ...HAND,
    crc >>> 24,
    (crc >>> 16) & 255,
    (crc >>> 8) & 255,
    crc & 255,
  ]);
  assertEquals(avroSnappyBlock(block, 100), out);
  block[block.length - 1]! ^= 1;
  assertThrows(() => avroSnappyBlock(block, 100), SnappyError, /CRC-32/);
});

Deno.test("ztf codecs: corrupt snappy data gives SnappyErrors, nothing over the limit is allocated", () => {
  assertThrows(() => snappyDecompress(HAND, 11), SnappyError, /over the 11-byte limit/);
  assertThrows(
    () => snappyDecompress(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x7f]), 1e9),
    SnappyError,
    /limit/,
  );
  assertThrows(() => snappyDecompress(HAND.subarray(0, 8), 100), SnappyError, /truncated/);
  const badOffset = HAND.slice();
  badOffset[7] = 9; // copy from before the start
  assertThrows(() => snappyDecompress(badOffset, 100), SnappyError, /offset 9/);
  const short = HAND.slice();
  short[0] = 13; // declares one byte more than it makes
  assertThrows(() => snappyDecompress(short, 100), SnappyError, /ends after 12 of its 13/);
  const long = HAND.slice();
  long[0] = 10; // declares fewer bytes than the copies write
  assertThrows(() => snappyDecompress(long, 100), SnappyError, /overruns/);
  assertThrows(
    () => snappyDecompress(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 100),
    SnappyError,
    /preamble/,
  );
});
