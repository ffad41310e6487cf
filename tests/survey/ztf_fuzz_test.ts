/**
 * Avro mutation fuzz (issue 14, section 2), like tests/fits/fuzz_test.ts:
 * 2,000 seeded mutations of real ZTF packets (byte flips, truncations, runs
 * of random bytes, corrupted length fields in the header, corrupted block
 * counts and sizes, damage inside deflate/snappy blocks). Every outcome must be
 * packets that hold together, or an AvroError; anything else (a RangeError, a
 * TypeError, a hang, an allocation that takes the process down) fails.
 */
import { AvroError, readAvroHeader } from "../../lib/survey/ztf_avro.ts";
import { readAlertPackets } from "../../lib/survey/ztf_packet.ts";
import { Rng } from "../../lib/util/rng.ts";
import { assert, assertEquals } from "../util/assert.ts";

const MUTATIONS = 2000;

interface Sample {
  name: string;
  bytes: Uint8Array;
  /** Offsets of the header's varints (metadata counts and lengths) and of the first block header. */
  header: number[];
  dataStart: number;
}

const FILES = [
  ...[...Deno.readDirSync("fixtures/ztf/alerts")].filter((e) => e.name.endsWith(".avro"))
    .map((e) => `fixtures/ztf/alerts/${e.name}`),
  "fixtures/ztf/two_packets_deflate.avro",
  "fixtures/ztf/two_packets_snappy.avro",
  "fixtures/ztf/bad_defaults_snappy.avro",
  "fixtures/ztf/ampel/tests/test-data/ZTF20abyfpze.avro",
  "fixtures/ztf/ampel/alerts/ipac/121540793515135004.avro",
].sort();

/** Offsets of the varints in the metadata map (count, key length, value length ...). */
function headerVarints(b: Uint8Array): number[] {
  const out: number[] = [];
  let p = 4;
  const varint = (): number => {
    out.push(p);
    let n = 0, mul = 1, x: number;
    do {
      x = b[p++]!;
      n += (x & 0x7f) * mul;
      mul *= 128;
    } while (x & 0x80);
    return n % 2 ? -(n + 1) / 2 : n / 2;
  };
  for (let count = varint(); count !== 0; count = varint()) {
    if (count < 0) varint();
    for (let i = 0; i < Math.abs(count); i++) {
      p += varint();
      p += varint();
    }
  }
  return out;
}

function loadSamples(): Sample[] {
  return FILES.map((name) => {
    const bytes = Deno.readFileSync(name);
    return {
      name,
      bytes,
      header: headerVarints(bytes),
      dataStart: readAvroHeader(bytes, name).dataStart,
    };
  });
}

/** A varint-ish corrupt value: huge, negative, zero, or off by a little. */
function corruptVarint(rng: Rng): number[] {
  const pick = rng.int(0, 4);
  if (pick === 0) return [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]; // 2^63-ish
  if (pick === 1) return [0x01]; // -1
  if (pick === 2) return [0x00];
  if (pick === 3) return [0xfe, 0xff, 0xff, 0xff, 0x0f]; // 2^31 - 1
  return [rng.int(0, 0x7f)];
}

function replaceVarint(b: Uint8Array, at: number, rng: Rng): Uint8Array {
  let end = at;
  while (end < b.length && b[end]! & 0x80) end++;
  return new Uint8Array([...b.subarray(0, at), ...corruptVarint(rng), ...b.subarray(end + 1)]);
}

function mutate(rng: Rng, s: Sample): { bytes: Uint8Array; how: string } {
  const b = s.bytes.slice();
  switch (rng.int(0, 5)) {
    case 0: {
      const at = rng.int(0, b.length);
      return { bytes: b.subarray(0, at), how: `truncate at ${at}` };
    }
    case 1: {
      const n = rng.int(1, 20);
      for (let i = 0; i < n; i++) b[rng.int(0, b.length - 1)] = rng.int(0, 255);
      return { bytes: b, how: `${n} random bytes` };
    }
    case 2: {
      const at = s.header[rng.int(0, s.header.length - 1)]!;
      return { bytes: replaceVarint(b, at, rng), how: `header varint at ${at}` };
    }
    case 3: {
      // Block record count (first varint after the header) or block size (the next one).
      let at = s.dataStart;
      const size = rng.bernoulli(0.5);
      if (size) { while (b[at]! & 0x80) at++; }
      return {
        bytes: replaceVarint(b, size ? at + 1 : at, rng),
        how: `block ${size ? "size" : "count"}`,
      };
    }
    case 4: {
      const start = rng.int(s.dataStart, b.length - 1);
      const len = rng.int(1, 64);
      for (let i = start; i < Math.min(b.length, start + len); i++) b[i] = rng.int(0, 255);
      return { bytes: b, how: `run of ${len} bytes at ${start}` };
    }
    default: {
      // Flip single bits in the data (string/bytes lengths, union indexes, array counts).
      const n = rng.int(1, 4);
      for (let i = 0; i < n; i++) b[rng.int(s.dataStart, b.length - 1)]! ^= 1 << rng.int(0, 7);
      return { bytes: b, how: `${n} bit flips in the data` };
    }
  }
}

Deno.test("ztf fuzz: 2,000 seeded Avro mutations give only AvroErrors or consistent packets", () => {
  const samples = loadSamples();
  assertEquals(samples.length, 15);
  const rng = new Rng(20261204);
  let errors = 0, ok = 0;
  const kinds: Record<string, number> = {};
  const t0 = performance.now();
  for (let i = 0; i < MUTATIONS; i++) {
    const s = samples[rng.int(0, samples.length - 1)]!;
    const { bytes, how } = mutate(rng, s);
    try {
      for (const p of readAlertPackets(bytes, s.name)) {
        for (const c of Object.values(p.cutouts)) {
          if (c?.pixels) {
            assertEquals(c.pixels.length, c.width * c.height, `${s.name} (${how}) pixels`);
          } else assert(c?.problem, `${s.name} (${how}): a cut-out without pixels says why`);
        }
      }
      ok++;
    } catch (e) {
      if (e instanceof AvroError) {
        errors++;
        kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
        assert(e.message.startsWith(s.name), `message names the file: ${e.message}`);
        continue;
      }
      throw new Error(`mutation ${i} of ${s.name} (${how}) threw ${(e as Error)?.stack ?? e}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  assert(errors > 100 && ok > 100, `errors ${errors}, ok ${ok}`);
  console.log(
    `avro fuzz: ${MUTATIONS} mutations, ${errors} AvroErrors ${
      JSON.stringify(kinds)
    }, ${ok} read, ` +
      `${seconds.toFixed(1)} s`,
  );
});
