import { gzipSync } from "node:zlib";
import { AvroError, readAvroContainer } from "../../lib/survey/ztf_avro.ts";
import { readAlertPackets } from "../../lib/survey/ztf_packet.ts";
import { eachAlertPacket, listAlertFiles } from "../../lib/survey/ztf_files.ts";
import { expandAlertInput } from "../../lib/survey/ztf_inputs.ts";
import { writeAvroContainer } from "../../lib/survey/avro_write.ts";
import { EXAMPLE_ALERT_SCHEMA, makeAlertPacket } from "../../lib/survey/ztf_example.ts";
import type { AlertProblem } from "../../lib/survey/ztf_series.ts";
import { assert, assertEquals, assertThrows } from "../util/assert.ts";

/** Asserts that reading `bytes` as alerts throws an AvroError of `kind` matching `re`. */
function reported(bytes: Uint8Array, kind: string, re: RegExp): void {
  const err = assertThrows(() => readAlertPackets(bytes, "f.avro"), AvroError, re);
  assertEquals((err as AvroError).kind, kind, (err as Error).message);
  assert((err as Error).message.startsWith("f.avro"), "names the file");
}

Deno.test("ztf inputs: other files are typed errors saying what was found", () => {
  const good = makeAlertPacket();
  // Confluent wire format: magic 0, 4-byte schema id, then the Avro body without a header.
  reported(
    new Uint8Array([0, 0, 0, 1, 44, ...good.subarray(200, 260)]),
    "confluent-framed",
    /schema id 300/,
  );
  reported(new TextEncoder().encode('{"candid": 1}'), "not-avro", /JSON text/);
  reported(new Uint8Array(0), "not-avro", /an empty file/);
  // Another survey's alerts: same shape, namespace "pgir".
  const pgir = writeAvroContainer({ ...EXAMPLE_ALERT_SCHEMA, namespace: "pgir" }, []);
  reported(pgir, "not-ztf", /namespace "pgir": another survey's alerts/);
  // A ZTF alert re-serialised by a broker under its own namespace is still read.
  const broker = writeAvroContainer({ ...EXAMPLE_ALERT_SCHEMA, namespace: "fink" }, []);
  assertEquals(readAlertPackets(broker, "b.avro"), []);
  const list = writeAvroContainer(["int", "string"], [1]);
  reported(list, "not-ztf", /list \(union\) of 2 types/);
  const noCandidate = writeAvroContainer({
    type: "record",
    name: "alert",
    fields: [{ name: "diaSource", type: "int" }],
  }, [{ diaSource: 1 }]);
  reported(noCandidate, "not-ztf", /fields diaSource\) are not ZTF alerts/);
  const codec = new TextDecoder("latin1").decode(good).replace(
    "avro.codec\x08null",
    "avro.codec\x08zstd",
  );
  reported(
    Uint8Array.from(codec, (c) => c.charCodeAt(0)),
    "codec",
    /codec "zstd" is not supported/,
  );
});

/** Zig-zag varint of a (safe) integer. */
function varint(n: number): number[] {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  do {
    const b = z % 128;
    z = Math.floor(z / 128);
    out.push(z ? b | 0x80 : b);
  } while (z);
  return out;
}

/** A container of `schema` whose one data block is given raw: count, size and body bytes. */
function rawContainer(
  schema: unknown,
  count: number[],
  size: number[],
  body: number[],
): Uint8Array {
  const empty = writeAvroContainer(schema, []); // header, count 0, size 0, sync
  const sync = empty.subarray(empty.length - 16);
  return new Uint8Array([
    ...empty.subarray(0, empty.length - 18),
    ...count,
    ...size,
    ...body,
    ...sync,
  ]);
}

const ARRAY_SCHEMA = {
  type: "record",
  name: "r",
  fields: [{ name: "a", type: { type: "array", items: "int" } }],
};

Deno.test("ztf inputs: corrupt blocks, counts and lengths are typed errors, not allocations", () => {
  const body = [6, 2, 4, 6, 0]; // a = [1, 2, 3]
  const ok = rawContainer(ARRAY_SCHEMA, varint(1), varint(body.length), body);
  assertEquals((readAvroContainer(ok).records[0] as { a: number[] }).a, [1, 2, 3]);
  const kind = (bytes: Uint8Array, re: RegExp): string => {
    const err = assertThrows(() => readAvroContainer(bytes, "a.avro"), AvroError, re);
    return (err as AvroError).kind;
  };
  // An array count of 2^40 items in 4 bytes: refused before any allocation.
  const huge = [...varint(2 ** 40), 2, 4, 6, 0];
  assertEquals(
    kind(
      rawContainer(ARRAY_SCHEMA, varint(1), varint(huge.length), huge),
      /a\.avro: block 0: record 0 does not decode: array block claims 1099511627776 items but only 4 bytes remain/,
    ),
    "corrupt",
  );
  // A block that claims 2^40 records in 5 bytes.
  assertEquals(
    kind(
      rawContainer(ARRAY_SCHEMA, varint(2 ** 40), varint(5), body),
      /claims 1099511627776 records in 5 bytes/,
    ),
    "corrupt",
  );
  // A block size far beyond the file.
  assertEquals(
    kind(
      rawContainer(ARRAY_SCHEMA, varint(1), varint(2 ** 34), body),
      /block 0 data at byte \d+ needs 17,179,869,184 bytes but 21 remain/,
    ),
    "truncated",
  );
  // Two records announced, one present: the second runs past the end of the block.
  assertEquals(
    kind(rawContainer(ARRAY_SCHEMA, varint(2), varint(5), body), /record 1 runs past the end/),
    "corrupt",
  );
  // A varint that never ends.
  assertEquals(
    kind(rawContainer(ARRAY_SCHEMA, Array(12).fill(0xff), [], []), /not a valid varint/),
    "corrupt",
  );
  const good = makeAlertPacket();
  const badSync = good.slice();
  badSync[badSync.length - 3]! ^= 0xff;
  reported(badSync, "corrupt", /expected sync marker not found/);
  reported(
    good.subarray(0, good.length - 10),
    "truncated",
    /sync marker at byte \d+ needs 16 bytes but 6 remain/,
  );
});

Deno.test("ztf inputs: zip, tar, tar.gz and .avro.gz inputs expand to named packet files", async () => {
  const zip = Deno.readFileSync("fixtures/ztf/ampel/alerts/uli/121540793515135009.avro.zip");
  const [z] = expandAlertInput("u.zip", zip);
  assertEquals(z!.name, "u.zip!121540793515135009.avro");
  assertEquals(readAlertPackets(z!.bytes, z!.name)[0]!.candid, -121540793515135009n); // as IPAC wrote it
  const tgz = expandAlertInput(
    "t.tgz",
    Deno.readFileSync("fixtures/ztf/ampel/tests/test-data/ZTF18acruwxq.tar.gz"),
  );
  assertEquals(tgz.map((e) => e.name).sort(), [
    "t.tgz!1391345455815015017.avro",
    "t.tgz!1391345455815015018.avro",
    "t.tgz!1391345455815015019.avro",
  ]);
  const gz = expandAlertInput("p.avro.gz", gzipSync(makeAlertPacket()));
  assertEquals(gz.map((e) => e.name), ["p.avro.gz!p.avro"]);
  assertEquals(readAlertPackets(gz[0]!.bytes).length, 1);
  const err = assertThrows(
    () =>
      expandAlertInput(
        "cut.tgz",
        Deno.readFileSync("fixtures/ztf/ampel/tests/test-data/ZTF18acruwxq.tar.gz").subarray(
          0,
          4000,
        ),
      ),
    AvroError,
    /cut\.tgz: archive cannot be read/,
  );
  assertEquals((err as AvroError).kind, "archive");
  const broken = zip.slice(0, zip.length - 30);
  assertThrows(
    () => expandAlertInput("b.zip", broken),
    AvroError,
    /b\.zip: archive cannot be read: zip/,
  );
  const bomb = gzipSync(new Uint8Array(1 << 20));
  assertThrows(
    () => expandAlertInput("big.gz", bomb, { maxArchiveBytes: 1000 }),
    AvroError,
    /more than 1,000 bytes/,
  );
  // Folders list archives too.
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(
    `${dir}/a.tar.gz`,
    Deno.readFileSync("fixtures/ztf/ampel/tests/test-data/ZTF18acruwxq.tar.gz"),
  );
  await Deno.writeFile(`${dir}/b.zip`, zip);
  await Deno.writeFile(`${dir}/c.json`, new Uint8Array(3));
  assertEquals((await listAlertFiles([dir])).map((f) => f.slice(dir.length + 1)), [
    "a.tar.gz",
    "b.zip",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ztf inputs: a bad file in a batch is reported by name, the rest is read", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/1.avro`, makeAlertPacket({ objectId: "ZTF21a" }));
  await Deno.writeFile(`${dir}/2.avro`, new TextEncoder().encode("not avro"));
  await Deno.writeFile(`${dir}/3.tgz`, new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]));
  await Deno.writeFile(`${dir}/4.avro`, makeAlertPacket({ objectId: "ZTF21b" }).subarray(0, 500));
  await Deno.writeFile(`${dir}/5.avro`, makeAlertPacket({ objectId: "ZTF21c" }));
  const counts = { files: 0, filesFailed: 0, packets: 0, problems: [] as AlertProblem[] };
  const ids: string[] = [];
  for await (const p of eachAlertPacket(await listAlertFiles([dir]), counts, { cutouts: [] })) {
    ids.push(p.id);
  }
  assertEquals(ids, ["ZTF21a", "ZTF21c"]);
  assertEquals([counts.files, counts.filesFailed, counts.packets], [5, 3, 2]);
  assertEquals(counts.problems.map((p) => p.file.slice(dir.length + 1)), [
    "2.avro",
    "3.tgz",
    "4.avro",
  ]);
  assert(
    /text \(starts "not avro"\)/.test(counts.problems[0]!.problem),
    counts.problems[0]!.problem,
  );
  assert(/archive cannot be read/.test(counts.problems[1]!.problem), counts.problems[1]!.problem);
  assert(/truncated/.test(counts.problems[2]!.problem), counts.problems[2]!.problem);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ztf inputs: the ingest source reads archive members and names them", async () => {
  const { alertSource } = await import("../../lib/survey/ztf_source.ts");
  const tgz = "fixtures/ztf/ampel/alerts/recent_alerts.tar.gz";
  const items = [];
  for await (const item of alertSource(tgz).items()) items.push(item);
  assertEquals(items.length, 22);
  assertEquals(items.filter((i) => i.series?.frames.length === 1 && !i.problems.length).length, 22);
  const sources = items.map((i) => i.series!.frames[0]!.source ?? "");
  assert(
    sources.every((s) =>
      /^fixtures\/ztf\/ampel\/alerts\/recent_alerts\.tar\.gz!5221933\d+\.avro:cutoutScience$/.test(
        s,
      )
    ),
    sources[0],
  );
  // Packets without cut-outs (Ampel strips them) are reported per packet.
  const bare = [];
  for await (
    const item of alertSource("fixtures/ztf/ampel/tests/test-data/ZTF18abxhyqv.tar.gz").items()
  ) {
    bare.push(item);
  }
  assertEquals(bare.map((i) => [i.id, i.framesIn, i.series]), [["ZTF18abxhyqv", 4, null]]);
  assertEquals(bare[0]!.problems.map((p) => p.kind), [
    "missing-hdu",
    "missing-hdu",
    "missing-hdu",
    "missing-hdu",
    "no-frames",
  ]);
});
