import { gunzipSync } from "node:zlib";
import { FitsError } from "../../lib/fits/errors.ts";
import { readFits } from "../../lib/fits/read.ts";
import { pixelStats } from "../../lib/fits/stats.ts";
import { Rng } from "../../lib/util/rng.ts";
import { assert, assertEquals } from "../util/assert.ts";
import { CORPUS } from "./helpers.ts";

const MUTATIONS = 2000;
const EDIT_KEYS =
  /^(BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|TFORM\d+|TTYPE\d+|THEAP|ZNAXIS\d*|ZTILE\d+|ZBITPIX|ZCMPTYPE|ZQUANTIZ|ZDITHER0|ZVAL\d+|ZNAME\d+|BZERO|BSCALE|BLANK|ZBLANK|ZSCALE|ZZERO|ZIMAGE|XTENSION|SIMPLE|EXTEND|GROUPS)\s*$/;
const VALUES = [
  "-1",
  "0",
  "1",
  "2",
  "3",
  "7",
  "16",
  "-32",
  "64",
  "999",
  "1000",
  "65536",
  "2147483647",
  "2147483648",
  "-2147483648",
  "9223372036854775807",
  "99999999999999999999999",
  "1E300",
  "-0.5",
  "NaN",
  "T",
  "F",
  "'abc'",
  "'RICE_1'",
  "'GZIP_2'",
  "'1PB(99999999)'",
  "'1QB'",
  "'8A'",
  "'1K'",
  "'BINTABLE'",
  "'IMAGE'",
  "'SUBTRACTIVE_DITHER_2'",
  "''",
  "'",
  "(1,2)",
  "",
];

interface Sample {
  name: string;
  bytes: Uint8Array;
  /** Byte offsets of cards whose keyword is worth editing. */
  cards: number[];
}

function loadCorpus(): Sample[] {
  const out: Sample[] = [];
  for (const e of [...Deno.readDirSync(CORPUS)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (!/\.(fits|fit|fz|gz)$/.test(e.name)) continue;
    let bytes: Uint8Array = Deno.readFileSync(`${CORPUS}/${e.name}`);
    if (bytes[0] === 0x1f) bytes = new Uint8Array(gunzipSync(bytes));
    // Keep the fuzz fast: the first 200 KB are enough to cover headers and tiles.
    if (bytes.length > 200_000) continue;
    const cards: number[] = [];
    for (let p = 0; p + 80 <= bytes.length; p += 80) {
      const key = String.fromCharCode(...bytes.subarray(p, p + 8));
      if (EDIT_KEYS.test(key)) cards.push(p);
    }
    out.push({ name: e.name, bytes, cards });
  }
  return out;
}

function mutate(rng: Rng, s: Sample): { bytes: Uint8Array; how: string } {
  const b = s.bytes.slice();
  const kind = rng.int(0, 6);
  switch (kind) {
    case 0: {
      const at = rng.int(0, b.length);
      return { bytes: b.subarray(0, at), how: `truncate at ${at}` };
    }
    case 1: {
      const n = rng.int(1, 20);
      for (let i = 0; i < n; i++) b[rng.int(0, b.length - 1)] = rng.int(0, 255);
      return { bytes: b, how: `${n} random bytes` };
    }
    case 2:
    case 3: {
      // Header edit: replace a structural value.
      if (!s.cards.length) return { bytes: b, how: "none" };
      const n = kind === 2 ? 1 : rng.int(2, 5);
      const edits: string[] = [];
      for (let i = 0; i < n; i++) {
        const p = s.cards[rng.int(0, s.cards.length - 1)]!;
        const v = VALUES[rng.int(0, VALUES.length - 1)]!;
        const field = v.padStart(20).padEnd(70);
        for (let k = 0; k < 70; k++) b[p + 10 + k] = field.charCodeAt(k);
        edits.push(`${String.fromCharCode(...b.subarray(p, p + 8)).trim()}=${v}`);
      }
      return { bytes: b, how: `edit ${edits.join(", ")}` };
    }
    case 4: {
      // Damage data/heap bytes (compressed tiles, tables) in a run.
      const start = rng.int(0, b.length - 1);
      const len = rng.int(1, 64);
      for (let i = start; i < Math.min(b.length, start + len); i++) b[i] = rng.int(0, 255);
      return { bytes: b, how: `run of ${len} bytes at ${start}` };
    }
    default: {
      // Remove an END card or break a card's '= '.
      const text = new TextDecoder("latin1").decode(b.subarray(0, Math.min(b.length, 40000)));
      const ends = [...text.matchAll(/END {77}/g)].map((m) => m.index!).filter((i) => i % 80 === 0);
      if (ends.length && rng.bernoulli(0.5)) {
        const p = ends[rng.int(0, ends.length - 1)]!;
        b.fill(32, p, p + 3);
        return { bytes: b, how: `END removed at ${p}` };
      }
      const p = rng.int(0, Math.floor(Math.min(b.length, 40000) / 80) - 1) * 80;
      b[p + 8] = 32;
      return { bytes: b, how: `value indicator removed at ${p}` };
    }
  }
}

Deno.test("fits fuzz: 2,000 seeded mutations give only FitsErrors or valid results", () => {
  const corpus = loadCorpus();
  assert(corpus.length >= 30, `corpus has ${corpus.length} files`);
  const rng = new Rng(20261126);
  let errors = 0, ok = 0;
  const t0 = performance.now();
  for (let i = 0; i < MUTATIONS; i++) {
    const s = corpus[rng.int(0, corpus.length - 1)]!;
    const { bytes, how } = mutate(rng, s);
    try {
      const f = readFits(bytes, s.name);
      ok++;
      for (const h of f.hdus) {
        if (!h.image) continue;
        const n = h.image.shape.length ? h.image.shape.reduce((a, c) => a * c, 1) : 0;
        assertEquals(h.image.data.length, n, `${s.name} (${how}) HDU ${h.index} data length`);
        pixelStats(h.image.data);
      }
    } catch (e) {
      if (e instanceof FitsError) {
        errors++;
        continue;
      }
      throw new Error(`mutation ${i} of ${s.name} (${how}) threw ${(e as Error)?.stack ?? e}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  // Both outcomes must occur; timing is reported, not asserted.
  assert(errors > 100 && ok > 100, `errors ${errors}, ok ${ok}`);
  console.log(
    `fuzz: ${MUTATIONS} mutations, ${errors} FitsErrors, ${ok} read, ${seconds.toFixed(1)} s`,
  );
});
