/**
 * Every file of two real ZTF alert corpora, read by the project's reader and
 * compared with what python-avro + astropy found (references recorded in
 * fixtures/ztf/*_reference.json): the files python-avro reads are read, with
 * the same packets and cut-outs; every other file is reported with a typed
 * AvroError naming it.
 *
 * - fixtures/ztf/ampel: Ampel-ZTF's test alerts (BSD-3, copied into fixtures);
 * - ztf-sample-history: ZTF's sample packets (no licence file, so not copied):
 *   read only from `$CONVENTION_SHARED_DATA/real/ztf-sample-history` when a
 *   user points that variable at a copy (the repository never reaches outside
 *   itself), and skipped, with the reason printed, otherwise.
 */
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { readAlertPackets } from "../../lib/survey/ztf_packet.ts";
import { AvroError, type AvroErrorKind } from "../../lib/survey/ztf_avro.ts";
import { expandAlertInput } from "../../lib/survey/ztf_inputs.ts";
import { CUTOUT_FIELDS, CUTOUT_NAMES } from "../../lib/survey/ztf_cutout.ts";
import { type CorpusReference, loadCorpusReference } from "../../fixtures/ztf/expected.ts";
import type { AlertProblem } from "../../lib/survey/ztf_series.ts";
import { assert, assertEquals } from "../util/assert.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Every regular file under `dir`, relative names, sorted. */
function walk(dir: string): string[] {
  const out: string[] = [];
  const go = (d: string): void => {
    for (const e of Deno.readDirSync(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) go(p);
      else if (e.isFile) out.push(relative(dir, p));
    }
  };
  go(dir);
  return out.sort();
}

function assertSum(actual: number, expected: number, msg: string): void {
  const tol = 1e-10 * Math.max(1, Math.abs(expected));
  assert(Math.abs(actual - expected) <= tol, `${msg}: ${actual} vs ${expected}`);
}

/** Reads one entry as the reader does and compares it with the reference. */
function checkEntry(
  name: string,
  bytes: Uint8Array,
  ref: CorpusReference | undefined,
): AvroErrorKind | "read" {
  assert(ref !== undefined, `${name} is in the reference`);
  let packets;
  try {
    packets = readAlertPackets(bytes, name);
  } catch (err) {
    assert(err instanceof AvroError, `${name}: ${err} is not an AvroError`);
    assert(err.message.startsWith(name), `${name}: message names the file: ${err.message}`);
    assert("error" in ref, `${name}: python-avro reads it but we report ${err.message}`);
    return err.kind;
  }
  assert(
    "records" in ref,
    `${name}: python-avro fails (${"error" in ref && ref.error}) but we read it`,
  );
  assertEquals(packets.length, ref.records.length, `${name} records`);
  packets.forEach((p, i) => {
    const e = ref.records[i]!;
    const at = `${name}[${i}]`;
    assertEquals(p.objectId, e.objectId, `${at} objectId`);
    assertEquals(p.candid === null ? null : String(p.candid), e.candid, `${at} candid`);
    assertEquals([p.candidate.fid, p.candidate.jd], [e.fid, e.jd], `${at} fid, jd`);
    assertEquals(p.prvCandidates.length, e.n_prv, `${at} n_prv`);
    const got = CUTOUT_NAMES.filter((n) => p.cutouts[n]).map((n) => CUTOUT_FIELDS[n]);
    assertEquals(got, Object.keys(e.cutouts), `${at} cut-outs present`);
    for (const n of CUTOUT_NAMES) {
      const want = e.cutouts[CUTOUT_FIELDS[n]];
      const c = p.cutouts[n];
      if (want === undefined || c === undefined) continue;
      if (typeof want === "string") {
        assert(c.pixels === null && c.problem !== null, `${at} ${n} is not FITS: ${want}`);
        continue;
      }
      assertEquals([c.width, c.height], want.shape, `${at} ${n} shape`);
      assertEquals(c.nanCount, want.nan, `${at} ${n} NaN count`);
      assertSum(c.sum, want.sum, `${at} ${n} sum`);
    }
  });
  return "read";
}

/** Reads every file of a corpus; returns per-file outcomes and totals. */
function readCorpus(dir: string, reference: Record<string, CorpusReference>) {
  const outcomes: Record<string, string> = {};
  const perFile: Record<string, [read: number, reported: number]> = {};
  const seen = new Set<string>();
  let read = 0, reported = 0;
  for (const rel of walk(dir)) {
    const inputs = expandAlertInput(rel, Deno.readFileSync(join(dir, rel)));
    let fileRead = 0, fileReported = 0;
    for (const input of inputs) {
      const name = inputs.length === 1 && input.name === rel ? rel : input.name;
      seen.add(name);
      const what = checkEntry(name, input.bytes, reference[name]);
      if (what === "read") fileRead++;
      else fileReported++;
      outcomes[name] = what;
    }
    read += fileRead;
    reported += fileReported;
    perFile[rel] = [fileRead, fileReported];
  }
  assertEquals([...seen].sort(), Object.keys(reference).sort(), "entries as in the reference");
  return { outcomes, perFile, read, reported };
}

function tally(outcomes: Record<string, string>): Record<string, number> {
  const t: Record<string, number> = {};
  for (const v of Object.values(outcomes)) t[v] = (t[v] ?? 0) + 1;
  return t;
}

Deno.test("ztf real: every Ampel file is read as python-avro reads it, or reported", () => {
  const ref = loadCorpusReference(join(ROOT, "fixtures/ztf/ampel_reference.json"));
  const { outcomes, perFile, read, reported } = readCorpus(join(ROOT, "fixtures/ztf/ampel"), ref);
  assertEquals([read, reported], [104, 17]);
  // Archives: every member read.
  assertEquals(perFile["alerts/recent_alerts.tar.gz"], [22, 0]);
  assertEquals(perFile["alerts/tar.tst.gz"], [21, 0]);
  assertEquals(perFile["tests/test-data/ztf_public_20180819_mod1000.tar.gz"], [30, 0]);
  assertEquals(perFile["tests/test-data/ZTF18abxhyqv.tar.gz"], [4, 0]);
  assertEquals(perFile["tests/test-data/ZTF18acruwxq.tar.gz"], [3, 0]);
  assertEquals(perFile["alerts/uli/121540793515135009.avro.zip"], [1, 0]);
  assertEquals(Object.keys(perFile).length, 46);
  for (const [f, [r, p]] of Object.entries(perFile)) {
    console.log(`  ${f}: ${r} read, ${p} reported`);
  }
  assertEquals(tally(outcomes), { read: 104, "not-avro": 5, truncated: 7, "not-ztf": 5 });
  assertEquals(outcomes["alerts/uli/121540793515135009.avro.zip!121540793515135009.avro"], "read");
  assertEquals(outcomes["alerts/uli/test_alerts_Ia_Hsiao_v2_51.avro"], "not-ztf");
  assertEquals(outcomes["tests/test-data/ZTF18abxhyqv.tar.gz!673285273115015035.avro"], "read");
  console.log(`ampel: ${read} packets files read, ${reported} reported`);
});

const SHARED = Deno.env.get("CONVENTION_SHARED_DATA");
const HISTORY = SHARED ? join(SHARED, "real", "ztf-sample-history") : "";
let historyPresent = false;
try {
  historyPresent = HISTORY !== "" && Deno.statSync(HISTORY).isDirectory;
} catch { /* reported below */ }
if (!historyPresent) {
  console.log(
    "ztf real: sample-history test skipped: set CONVENTION_SHARED_DATA to a folder holding " +
      "real/ztf-sample-history (ZTF's sample packets carry no licence, so they are not in fixtures/)",
  );
}

Deno.test({
  name: "ztf real: every ZTF sample-history file is read as python-avro reads it, or reported",
  ignore: !historyPresent,
  fn() {
    const ref = loadCorpusReference(join(ROOT, "fixtures/ztf/sample_history_reference.json"));
    const { outcomes, read, reported } = readCorpus(HISTORY, ref);
    assertEquals([read, reported], [18, 6]);
    assertEquals(tally(outcomes), { read: 18, "not-avro": 6 });
  },
});

Deno.test("ztf real: archives streamed give the same packet files as read whole", async () => {
  const { streamAlertInputs } = await import("../../lib/survey/ztf_input_stream.ts");
  const { eachAlertPacket } = await import("../../lib/survey/ztf_files.ts");
  const dir = join(ROOT, "fixtures/ztf/ampel");
  const files = walk(dir).map((rel) => join(dir, rel));
  for (const path of files) {
    const whole = expandAlertInput(path, Deno.readFileSync(path));
    const streamed = [];
    for await (const e of streamAlertInputs(path)) streamed.push(e);
    assertEquals(streamed.map((e) => e.name), whole.map((e) => e.name), path);
    streamed.forEach((e, i) => {
      assert("bytes" in e, `${e.name} streamed without error`);
      assertEquals(e.bytes, whole[i]!.bytes, e.name);
    });
  }
  const counts = { files: 0, filesFailed: 0, packets: 0, problems: [] as AlertProblem[] };
  for await (const _ of eachAlertPacket(files, counts, { cutouts: [] })) { /* counted */ }
  assertEquals([counts.files, counts.filesFailed, counts.packets], [121, 17, 104]);
});

Deno.test("ztf real: a cut-short tar.gz yields its complete members, then says where it broke", async () => {
  const { streamAlertInputs } = await import("../../lib/survey/ztf_input_stream.ts");
  const src = Deno.readFileSync(join(ROOT, "fixtures/ztf/ampel/alerts/tar.tst.gz"));
  const path = await Deno.makeTempFile({ suffix: ".tar.gz" });
  await Deno.writeFile(path, src.subarray(0, Math.floor(src.length / 2)));
  const got = [];
  for await (const e of streamAlertInputs(path)) got.push(e);
  const ok = got.filter((e) => "bytes" in e).length;
  assert(ok >= 5 && ok < 21, `${ok} complete members before the cut`);
  const last = got.at(-1)!;
  assert("error" in last && last.error instanceof AvroError, "the cut is reported");
  assertEquals(last.error.kind, "archive");
  assert(last.error.message.startsWith(path), last.error.message);
  // Read whole, the same file is one archive error.
  let whole: unknown;
  try {
    expandAlertInput(path, Deno.readFileSync(path));
  } catch (err) {
    whole = err;
  }
  assert(whole instanceof AvroError && whole.kind === "archive", String(whole));
  // A member over the entry limit is skipped and reported; the others are read.
  const lim = [];
  for await (
    const e of streamAlertInputs(join(ROOT, "fixtures/ztf/ampel/alerts/tar.tst.gz"), {
      maxEntryBytes: 60_000,
    })
  ) {
    lim.push("error" in e ? e.error.kind : "read");
  }
  assertEquals(lim.length, 21);
  assert(lim.includes("too-large") && lim.includes("read"), lim.join());
  await Deno.remove(path);
});
