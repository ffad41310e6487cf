import { readAlertFile, readAlertPackets } from "../../lib/survey/ztf_packet.ts";
import {
  CUTOUT_FIELDS,
  CUTOUT_NAMES,
  decodeCutout,
  describeNonFits,
} from "../../lib/survey/ztf_cutout.ts";
import { AvroError } from "../../lib/survey/ztf_avro.ts";
import { type ExpectedPacket, loadExpected } from "../../fixtures/ztf/expected.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../util/assert.ts";

const DIR = "fixtures/ztf/alerts";
const BANDS: Record<number, string> = { 1: "g", 2: "r", 3: "i" };

/** Relative tolerance for float64 sums: numpy sums pairwise, we sum in order. */
function assertSum(actual: number, expected: number, msg: string): void {
  const tol = 1e-10 * Math.max(1, Math.abs(expected));
  assert(Math.abs(actual - expected) <= tol, `${msg}: ${actual} vs ${expected}`);
}

async function checkFile(path: string, name: string, exp: ExpectedPacket[]): Promise<void> {
  const packets = await readAlertFile(path);
  assertEquals(packets.length, exp.length, name);
  packets.forEach((p, i) => {
    const e = exp[i]!;
    const at = `${name}[${i}]`;
    assertEquals(p.file, path);
    assertEquals(p.index, i);
    assertEquals(p.objectId, e.objectId, `${at} objectId`);
    assertEquals(p.candid === null ? null : String(p.candid), e.candid, `${at} candid`);
    assertEquals(p.candidate.fid, e.fid, `${at} fid`);
    assertEquals(BANDS[p.candidate.fid] !== undefined, true, `${at} band known`);
    assertEquals(p.candidate.jd, e.jd, `${at} jd`);
    assertEquals(p.prvCandidates.length, e.n_prv, `${at} n_prv`);
    for (const name of CUTOUT_NAMES) {
      const field = CUTOUT_FIELDS[name];
      const want = e.cutouts[field];
      const got = p.cutouts[name];
      assert(want !== undefined && got !== undefined, `${at} ${field} present`);
      if (typeof want === "string") {
        // Reference says e.g. "not FITS: b'\xff\xd8\xff\xe0'": the early JPEG cut-outs.
        assertMatch(want, /^not FITS: b'\\xff\\xd8\\xff/);
        assertEquals(got.pixels, null, `${at} ${field} pixels`);
        assertMatch(got.problem ?? "", /^JPEG image \(FF D8 FF\), [\d,]+ bytes$/, `${at} ${field}`);
        assertEquals(
          got.problem,
          `JPEG image (FF D8 FF), ${got.storedBytes.toLocaleString("en-US")} bytes`,
        );
      } else {
        assertEquals(got.problem, null, `${at} ${field} problem`);
        assertEquals([got.width, got.height], want.shape, `${at} ${field} shape`);
        assertEquals(got.pixels!.length, want.shape[0] * want.shape[1]);
        assertEquals(got.nanCount, want.nan, `${at} ${field} NaN`);
        assertSum(got.sum, want.sum, `${at} ${field} sum`);
      }
    }
  });
}

Deno.test("ztf packets: every sample packet matches python3-avro + astropy", async () => {
  const expected = loadExpected("fixtures/ztf/expected.json");
  for (const [name, exp] of Object.entries(expected)) {
    await checkFile(`${DIR}/${name}`, name, exp);
  }
});

Deno.test("ztf packets: deflate container with two packets", async () => {
  const expected = loadExpected("fixtures/ztf/expected_deflate.json");
  await checkFile(
    "fixtures/ztf/two_packets_deflate.avro",
    "two_packets_deflate.avro",
    expected["two_packets_deflate.avro"]!,
  );
});

Deno.test("ztf packets: ids of early packets without objectId", async () => {
  const [p] = await readAlertFile(`${DIR}/87704463155000.avro`);
  assertEquals(p!.objectId, null);
  assertEquals(p!.id, "alertId:87704463155000");
  assertEquals(p!.idSource, "alertId");
  assertEquals(p!.schemaVersion, null);
  const [q] = await readAlertFile(`${DIR}/1661382530015060001.avro`);
  assertEquals([q!.id, q!.idSource, q!.schemaVersion], ["ZTF18aaxjdyr", "objectId", "3.5"]);
  // Upper limits in the history have no magpsf and no candid.
  const ul = q!.prvCandidates.filter((c) => c.magpsf === null);
  assert(ul.length > 0 && ul.every((c) => c.candid === null && c.diffmaglim !== null));
});

Deno.test("ztf packets: cut-out selection and undecodable stamps", () => {
  const bytes = Deno.readFileSync(`${DIR}/396522680015020000.avro`);
  const [p] = readAlertPackets(bytes, "x.avro", { cutouts: ["difference"] });
  assertEquals(Object.keys(p!.cutouts), ["difference"]);
  const [n] = readAlertPackets(bytes, "x.avro", { cutouts: [] });
  assertEquals(Object.keys(n!.cutouts), []);
  // A gzip header with garbage after it, plain garbage, nothing.
  const badGz = decodeCutout(
    "science",
    "a.fits.gz",
    new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]),
    "w",
  );
  assertMatch(badGz.problem!, /^gzip data that does not decompress/);
  const png = decodeCutout("science", null, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10]), "w");
  assertEquals(png.problem, "PNG image (89 50 4E 47), 6 bytes");
  assertEquals(describeNonFits(new Uint8Array(0)), "empty (0 bytes)");
  assertEquals(
    describeNonFits(new Uint8Array([1, 2, 3])),
    "unknown data (starts with 01 02 03), 3 bytes",
  );
  // SIMPLE but broken FITS: reported, not thrown.
  const broken = decodeCutout("science", null, new TextEncoder().encode("SIMPLE  =    T"), "w");
  assertEquals(broken.pixels, null);
  assertMatch(broken.problem!, /^FITS that does not read/);
});

Deno.test("ztf packets: a file that is not Avro is an AvroError naming it", async () => {
  await assertRejects(() => readAlertFile(`${DIR}/stamp-676.fits`), AvroError, /stamp-676\.fits/);
});
