/**
 * Native Rubin Avro: a Confluent-framed message (magic 0, 4-byte big-endian
 * schema id, Avro binary) and Avro container files, with a small LSST-like
 * schema written here (the LSST schemas are GPL-3.0 and not shipped). The
 * cut-out carried is a real one from the Fink fixtures, so its sums are
 * checked against the astropy reference.
 */
import { Buffer } from "node:buffer";
import { deflateRawSync } from "node:zlib";
import {
  decodeConfluent,
  loadRubinSchemas,
  parseRubinSchema,
  RubinAvroError,
} from "../../lib/survey/rubin_avro.ts";
import { readRubinFile } from "../../lib/survey/rubin_files.ts";
import { detectSourceKind } from "../../lib/survey/open_source.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "../util/assert.ts";
import { runCli } from "../util/cli.ts";
import { closeSum, loadRubinReference, RUBIN_DIR } from "./rubin_reference.ts";

const SOURCE_FIELDS = [
  { name: "diaSourceId", type: "long" },
  { name: "diaObjectId", type: ["null", "long"], default: null },
  { name: "ssObjectId", type: ["null", "long"], default: null },
  { name: "midpointMjdTai", type: "double" },
  { name: "ra", type: "double" },
  { name: "dec", type: "double" },
  { name: "psfFlux", type: ["null", "float"], default: null },
  { name: "psfFluxErr", type: ["null", "float"], default: null },
  { name: "band", type: ["null", "string"], default: null },
];

/** A small self-contained alert schema in the `lsst.` namespace. */
const SCHEMA = {
  type: "record",
  name: "alert",
  namespace: "lsst.vtest",
  fields: [
    { name: "diaSourceId", type: "long" },
    { name: "diaSource", type: { type: "record", name: "diaSource", fields: SOURCE_FIELDS } },
    {
      name: "prvDiaSources",
      type: ["null", { type: "array", items: "lsst.vtest.diaSource" }],
      default: null,
    },
    { name: "cutoutScience", type: ["null", "bytes"], default: null },
  ],
};

const ID = 170112044581781525n; // beyond 2^53: must stay exact

/** The first alert of a fixture file, as a record of SCHEMA (real cut-out bytes). */
async function sampleRecord(): Promise<Record<string, unknown>> {
  const file = `${RUBIN_DIR}/part-1-0-243580376.parquet`;
  const { readParquetRows } = await import("../../lib/survey/parquet_read.ts");
  const row = (await readParquetRows(Deno.readFileSync(file), file, {
    columns: ["cutoutScience"],
  }))[0]!;
  const src = (id: bigint, mjd: number, band: string) => ({
    diaSourceId: id,
    diaObjectId: 313875416040865804n,
    ssObjectId: null,
    midpointMjdTai: mjd,
    ra: 150.1,
    dec: 2.2,
    psfFlux: 1234.5,
    psfFluxErr: 56.25,
    band,
  });
  return {
    diaSourceId: ID,
    diaSource: src(ID, 61109.1447367893, "g"),
    prvDiaSources: [src(ID - 1000n, 61100.5, "r"), src(ID - 2000n, 61090.25, "y")],
    cutoutScience: Buffer.from(row.cutoutScience as Uint8Array),
  };
}

function frame(id: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  new DataView(out.buffer).setUint32(1, id, false);
  out.set(body, 5);
  return out;
}

function zigzag(n: number): number[] {
  let z = n >= 0 ? 2 * n : -2 * n - 1;
  const out: number[] = [];
  do {
    const b = z % 128;
    z = Math.floor(z / 128);
    out.push(z ? b | 0x80 : b);
  } while (z);
  return out;
}

/** An Avro object container holding `records` in one block. */
function container(records: Uint8Array[], codec: "null" | "deflate"): Uint8Array {
  const enc = new TextEncoder();
  const parts: number[] = [0x4f, 0x62, 0x6a, 0x01];
  const str = (b: Uint8Array) => parts.push(...zigzag(b.length), ...b);
  parts.push(...zigzag(2));
  str(enc.encode("avro.schema"));
  str(enc.encode(JSON.stringify(SCHEMA)));
  str(enc.encode("avro.codec"));
  str(enc.encode(codec));
  parts.push(0);
  const sync = Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);
  parts.push(...sync);
  let data: Uint8Array = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of records) data.set(r, (at += r.length) - r.length);
  if (codec === "deflate") data = deflateRawSync(data);
  parts.push(...zigzag(records.length), ...zigzag(data.length), ...data, ...sync);
  return new Uint8Array(parts);
}

Deno.test("rubin avro: a Confluent-framed message decodes with the schema given", async () => {
  const type = parseRubinSchema(JSON.stringify(SCHEMA), "test.avsc");
  const msg = frame(703, type.toBuffer(await sampleRecord()));
  const dir = await Deno.makeTempDir({ prefix: "rubin-avro-" });
  try {
    await Deno.writeTextFile(`${dir}/alert.avsc`, JSON.stringify(SCHEMA));
    await Deno.mkdir(`${dir}/schemas`);
    await Deno.writeTextFile(`${dir}/schemas/703.avsc`, JSON.stringify(SCHEMA));
    await Deno.writeFile(`${dir}/msg.avro`, msg);
    const { schemaId, record } = decodeConfluent(msg, "msg", loadRubinSchemas(`${dir}/alert.avsc`));
    assertEquals([schemaId, record.diaSourceId], [703, ID]);
    // Through the file reader, with a folder of schemas by id.
    const { alerts, problems } = await readRubinFile(`${dir}/msg.avro`, {
      schemas: loadRubinSchemas(`${dir}/schemas`),
    });
    assertEquals(problems, []);
    const a = alerts[0]!;
    assertEquals([a.diaSourceId, a.id, a.source.band, a.source.mjd], [
      String(ID),
      "313875416040865804",
      "g",
      61109.1447367893,
    ]);
    assertEquals(a.prvDiaSources!.map((m) => [m.band, m.mjd]), [["r", 61100.5], ["y", 61090.25]]);
    const ref = loadRubinReference().find((r) => r.file === "part-1-0-243580376.parquet")!;
    const want = ref.cutouts.cutoutScience!;
    const c = a.cutouts.science!;
    assertEquals([c.image!.width, c.uncert!.width, c.psf!.width], want.map((h) => h.shape[0]));
    assert(closeSum(c.image!.finiteSum, want[0]!.finiteSum));
    assert(closeSum(c.psf!.finiteSum, want[2]!.finiteSum));
    // Without a schema for the id: a typed error naming the file and the id.
    const err = assertThrows(
      () => decodeConfluent(msg, "msg.avro", loadRubinSchemas(`${dir}`)),
      RubinAvroError,
    );
    assertMatch(err.message, /msg\.avro: Confluent message with schema id 703 and no schema/);
    // The CLI, auto-detected as Rubin (a Confluent message), with --schema.
    const r = await runCli(
      ["alerts", "info", "--json", "--schema", `${dir}/alert.avsc`, `${dir}/msg.avro`],
      ["--allow-read", "--allow-env", "--allow-sys"],
    );
    assertEquals(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assertEquals([info.survey, info.alerts[0].diaSourceId], ["rubin", String(ID)]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rubin avro: container files (null, deflate); a bad record is reported, the rest go on", async () => {
  const type = parseRubinSchema(JSON.stringify(SCHEMA), "test.avsc");
  const good = await sampleRecord();
  const bad = {
    ...good,
    diaSourceId: 5n,
    diaSource: { ...(good.diaSource as object), band: null },
  };
  const dir = await Deno.makeTempDir({ prefix: "rubin-avro-" });
  try {
    for (const codec of ["null", "deflate"] as const) {
      const path = `${dir}/alerts-${codec}.avro`;
      await Deno.writeFile(path, container([type.toBuffer(bad), type.toBuffer(good)], codec));
      assertEquals(detectSourceKind(path), "rubin");
      const { alerts, problems } = await readRubinFile(path);
      assertEquals(alerts.map((a) => [a.index, a.diaSourceId]), [[1, String(ID)]]);
      assertEquals(problems.length, 1);
      assertEquals([problems[0]!.index, problems[0]!.diaSourceId], [0, "5"]);
      assertMatch(problems[0]!.problem, /alerts-\w+\.avro\[0\]: diaSource has no band/);
    }
    assertEquals(detectSourceKind("fixtures/ztf/alerts"), "alerts");
    await Deno.writeFile(
      `${dir}/trunc.avro`,
      container([type.toBuffer(good)], "null").slice(0, 900),
    );
    let threw = false;
    try {
      await readRubinFile(`${dir}/trunc.avro`);
    } catch (e) {
      threw = e instanceof RubinAvroError && /trunc\.avro/.test((e as Error).message);
    }
    assert(threw, "a truncated container is a typed error naming the file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
