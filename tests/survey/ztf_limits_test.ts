/**
 * Finding 3.4 of issue 14: a packet whose cut-out is a gzip bomb (an
 * 8192x8192 float32 image, 256 MiB, stored in about 260 KB) must not be
 * inflated: a per-packet error names the limit; repeats of one candid are
 * dropped before any decoding; the limits are options of the readers and the
 * CLI.
 */
import { gzipSync } from "node:zlib";
import { decodeCutout } from "../../lib/survey/ztf_cutout.ts";
import { readAlertPackets } from "../../lib/survey/ztf_packet.ts";
import { alertSeries, groupAlertSeries } from "../../lib/survey/ztf_series.ts";
import { makeAlertPacket } from "../../lib/survey/ztf_example.ts";
import { cli } from "../util/cli.ts";
import { assert, assertEquals, assertMatch } from "../util/assert.ts";

/** A FITS header of `w` x `h` float32 pixels, padded to 2880 bytes. */
function fitsHeader(w: number, h: number): Uint8Array {
  const cards = [
    "SIMPLE  =                    T",
    "BITPIX  =                  -32",
    "NAXIS   =                    2",
  ];
  cards.push(`NAXIS1  = ${String(w).padStart(20)}`, `NAXIS2  = ${String(h).padStart(20)}`, "END");
  return new TextEncoder().encode(cards.map((c) => c.padEnd(80)).join("").padEnd(2880));
}

/**
 * The gzip bomb: the header, then 16 gzip members of 16 MiB of zeros each
 * (gunzip reads concatenated members as one stream): 256 MiB of pixel data.
 */
function gzipBomb(): Uint8Array {
  const zeros = gzipSync(new Uint8Array(16 << 20));
  const parts = [gzipSync(fitsHeader(8192, 8192)), ...Array(16).fill(zeros)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const BOMB = gzipBomb();

Deno.test("ztf limits: a gzip-bomb cut-out is refused at the byte limit, with a clear problem", () => {
  assert(BOMB.length < 400_000, `bomb is ${BOMB.length} bytes stored`);
  const c = decodeCutout("science", "x.fits.gz", BOMB, "bomb.avro:cutoutScience");
  assertEquals(c.pixels, null);
  assertMatch(
    c.problem!,
    /inflates to more than 4,194,304 bytes \(the maxCutoutBytes limit\): not decoded/,
  );
  // The packet itself reads; every cut-out carries the problem.
  const [p] = readAlertPackets(makeAlertPacket({ stampData: BOMB }), "bomb.avro");
  assertEquals(Object.values(p!.cutouts).map((x) => x!.pixels), [null, null, null]);
  // A lower limit applies the same way to an ordinary stamp.
  const small = readAlertPackets(makeAlertPacket({ size: 63 }), "s.avro", {
    maxCutoutBytes: 10_000,
  });
  assertMatch(small[0]!.cutouts.science!.problem!, /more than 10,000 bytes/);
});

Deno.test("ztf limits: the pixel limit, as an option of the readers", () => {
  const bytes = makeAlertPacket({ size: 63 });
  const [p] = readAlertPackets(bytes, "p.avro", { maxCutoutPixels: 1000 });
  assertMatch(
    p!.cutouts.science!.problem!,
    /63x63 = 3,969 pixels is over the 1,000-pixel maxCutoutPixels limit/,
  );
  const [q] = readAlertPackets(bytes, "p.avro", { maxCutoutPixels: 3969 });
  assertEquals(q!.cutouts.science!.width, 63);
});

Deno.test("ztf limits: repeats of one candid are dropped before decoding, also when it failed", async () => {
  const dir = await Deno.makeTempDir();
  const bomb = makeAlertPacket({ stampData: BOMB, candid: 7 });
  for (let i = 0; i < 16; i++) {
    await Deno.writeFile(`${dir}/bomb${String(i).padStart(2, "0")}.avro`, bomb);
  }
  await Deno.writeFile(`${dir}/good.avro`, makeAlertPacket({ candid: 8, jd: 2459301.5 }));
  await Deno.writeFile(`${dir}/good2.avro`, makeAlertPacket({ candid: 8, jd: 2459301.5 }));
  const { series, report } = await alertSeries(dir);
  assertEquals([report.files, report.packets, report.packetsUsed, report.duplicates], [
    18,
    18,
    1,
    16,
  ]);
  const limit = report.problems.filter((p) => /maxCutoutBytes/.test(p.problem));
  assertEquals(limit.length, 1, "the bomb is tried once");
  assertEquals(limit[0]!.file, `${dir}/bomb00.avro`);
  assertEquals(
    report.problems.filter((p) => /^duplicate packet: candid 7/.test(p.problem)).length,
    15,
  );
  assertEquals(series.map((s) => s.frames.length), [1]);
  // Packets read with keepStamps: a duplicate's cut-out is never decoded.
  const packets = [makeAlertPacket({ candid: 9 }), makeAlertPacket({ candid: 9 })].flatMap((b, i) =>
    readAlertPackets(b, `m${i}.avro`, { cutouts: [], keepStamps: true })
  );
  const r = groupAlertSeries(packets).report;
  assertEquals([r.packetsUsed, r.duplicates], [1, 1]);
  assertEquals(packets.map((p) => p.cutouts.science), [undefined, undefined]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ztf limits: alerts series --max-cutout-pixels and --max-cutout-bytes", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/a.avro`, makeAlertPacket({ size: 63 }));
  const r = await cli("alerts", "series", dir, "--max-cutout-pixels", "1000");
  assertMatch(r.stdout, /3,969 pixels is over the 1,000-pixel maxCutoutPixels limit/);
  const ok = await cli("alerts", "series", dir, "--json");
  assertEquals(JSON.parse(ok.stdout).report.packetsUsed, 1);
  const bad = await cli("alerts", "series", dir, "--max-cutout-bytes", "0");
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /--max-cutout-bytes 0: expected an integer >= 1/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ztf limits: alerts info reads archives directly, members named archive!member", async () => {
  const zip = "fixtures/ztf/ampel/alerts/uli/121540793515135009.avro.zip";
  const tgz = "fixtures/ztf/ampel/tests/test-data/ZTF18acruwxq.tar.gz";
  const r = await cli("alerts", "info", zip, tgz, "--json");
  const out = JSON.parse(r.stdout);
  assertEquals(out.summary, { files: 4, filesFailed: 0, packets: 4, packetsWithNonFitsCutouts: 1 });
  assertEquals(out.packets[0].file, `${zip}!121540793515135009.avro`);
  assert(out.packets.slice(1).every((p: { file: string }) => p.file.startsWith(`${tgz}!`)));
});
