import { gzipSync } from "node:zlib";
import { FitsError } from "../../lib/fits/errors.ts";
import {
  imageToFloat32,
  readFits,
  readFitsAsync,
  readFitsFile,
  readFitsFileSync,
} from "../../lib/fits/read.ts";
import { writeFits } from "../../lib/fits/write.ts";
import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "../util/assert.ts";
import { CORPUS } from "./helpers.ts";

/** Builds a header block (cards padded, END added) followed by `data` padded to 2880. */
function hdu(cards: string[], data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = Math.ceil(((cards.length + 1) * 80) / 2880) * 2880;
  const d = Math.ceil(data.length / 2880) * 2880;
  const out = new Uint8Array(h + d);
  out.fill(32, 0, h);
  [...cards, "END"].forEach((c, i) => {
    const s = c.padEnd(80);
    for (let k = 0; k < 80; k++) out[i * 80 + k] = s.charCodeAt(k);
  });
  out.set(data, h);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const num = (k: string, v: number | string) => `${k.padEnd(8)}= ${String(v).padStart(20)}`;

Deno.test("fits read: NAXIS 0 to 4 give shapes NAXIS1 first", () => {
  const shapes = [[], [5], [5, 3], [5, 3, 2], [5, 3, 2, 2]];
  const f = readFits(writeFits(shapes.map((s) => ({
    bitpix: -32 as const,
    shape: s,
    data: new Float32Array(s.length ? s.reduce((a, b) => a * b, 1) : 0).map((_, i) => i),
  }))));
  assertEquals(f.hdus.map((h) => h.image!.shape), shapes);
  assertEquals(f.hdus[4]!.image!.data.length, 60);
  assertEquals(f.hdus[4]!.image!.data[59], 59);
});

Deno.test("fits read: unsigned 64-bit through BZERO 2^63, BLANK on 64-bit", () => {
  const raw = new Uint8Array(16);
  const dv = new DataView(raw.buffer);
  dv.setBigInt64(0, -(2n ** 63n));
  dv.setBigInt64(8, 5n);
  const f = readFits(hdu([
    num("SIMPLE", "T"),
    num("BITPIX", 64),
    num("NAXIS", 1),
    num("NAXIS1", 2),
    num("BZERO", "9223372036854775808"),
  ], raw));
  const d = f.hdus[0]!.image!.data;
  assertEquals(d.constructor.name, "BigUint64Array");
  assertEquals(Array.from(d as BigUint64Array), [0n, 2n ** 63n + 5n]);
  const b = readFits(
    hdu(
      [num("SIMPLE", "T"), num("BITPIX", 64), num("NAXIS", 1), num("NAXIS1", 2), num("BLANK", 5)],
      raw,
    ),
  );
  assertEquals(Array.from(b.hdus[0]!.image!.data as Float64Array), [-(2 ** 63), NaN]);
});

Deno.test("fits read: unknown extensions, ASCII tables and random groups are skipped safely", () => {
  const primary = hdu([num("SIMPLE", "T"), num("BITPIX", 8), num("NAXIS", 0), num("EXTEND", "T")]);
  const foreign = hdu([
    "XTENSION= 'FOOBAR  '",
    num("BITPIX", 8),
    num("NAXIS", 1),
    num("NAXIS1", 3000),
    num("PCOUNT", 0),
    num("GCOUNT", 1),
  ], new Uint8Array(3000).fill(7));
  const table = hdu([
    "XTENSION= 'TABLE   '",
    num("BITPIX", 8),
    num("NAXIS", 2),
    num("NAXIS1", 10),
    num("NAXIS2", 2),
    num("PCOUNT", 0),
    num("GCOUNT", 1),
    num("TFIELDS", 1),
    "TFORM1  = 'I10     '",
    num("TBCOL1", 1),
  ], new TextEncoder().encode("         1         2"));
  const image = writeFits([{ bitpix: 8, shape: [] }, { bitpix: 16, shape: [2], data: [7, 8] }])
    .subarray(2880);
  const f = readFits(concat(primary, foreign, table, image));
  assertEquals(f.hdus.map((h) => h.kind), ["image", "unknown", "table", "image"]);
  assertEquals(f.hdus[1]!.dataSize, 3000);
  assertEquals(Array.from(f.hdus[3]!.image!.data as Int16Array), [7, 8]);
  const groups = readFits(hdu([
    num("SIMPLE", "T"),
    num("BITPIX", 16),
    num("NAXIS", 2),
    num("NAXIS1", 0),
    num("NAXIS2", 4),
    "GROUPS  =                    T",
    num("PCOUNT", 1),
    num("GCOUNT", 3),
  ], new Uint8Array(30)));
  assertEquals(groups.hdus[0]!.kind, "unknown");
  assertEquals(groups.hdus[0]!.dataSize, 30);
});

Deno.test("fits read: files that bend the standard warn instead of failing", () => {
  const img = writeFits([{ bitpix: -32, shape: [2], data: [1, 2] }]);
  const trailing = concat(img, new TextEncoder().encode("junk after the end".padEnd(2880)));
  const f = readFits(trailing);
  assertEquals(f.hdus.length, 1);
  assertMatch(f.warnings.join("\n"), /not a FITS extension/);
  const short = readFits(img.subarray(0, 2880 + 8));
  assertEquals(Array.from(short.hdus[0]!.image!.data as Float32Array), [1, 2]);
  assertMatch(short.warnings.join("\n"), /multiple of 2880/);
});

Deno.test("fits read: truncated data is a FitsError naming file, HDU and byte offset", async () => {
  const img = writeFits([{ bitpix: 8, shape: [] }, {
    bitpix: -64,
    shape: [100],
    data: new Float64Array(100),
  }]);
  const e = assertThrows(
    () => readFits(img.subarray(0, 5760 + 400), "cut.fits"),
    FitsError,
    /truncated/,
  );
  assertEquals([e.file, e.hdu, e.offset], ["cut.fits", 1, 5760]);
  assertMatch(e.message, /cut\.fits, HDU 1, byte 5760/);
  const errors: FitsError[] = [];
  const partial = readFits(img.subarray(0, 5760 + 400), "cut.fits", { errors });
  assertEquals(partial.hdus.length, 1);
  assertEquals(errors.length, 1);
  await assertRejects(() => readFitsFile("no/such/file.fits"), FitsError, /not found/);
  assertThrows(() => readFitsFileSync("no/such/file.fits"), FitsError, /not found/);
  assertThrows(() => readFits(new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3])), FitsError, /gzip/);
});

Deno.test("fits read: huge NAXIS values on garbage do not allocate", () => {
  const e = assertThrows(
    () =>
      readFits(
        hdu([
          num("SIMPLE", "T"),
          num("BITPIX", -64),
          num("NAXIS", 3),
          num("NAXIS1", 1e15),
          num("NAXIS2", 1e15),
          num("NAXIS3", 1e15),
        ]),
      ),
    FitsError,
    /truncated/,
  );
  assertEquals(e.hdu, 0);
});

Deno.test("fits read: readFits leaves the input bytes untouched; file reads give the same pixels", async () => {
  const path = `${CORPUS}/gen_mef_naxis0_3ext.fits`;
  const bytes = await Deno.readFile(path);
  const copy = bytes.slice();
  const a = readFits(bytes, "mef");
  assertEquals(bytes, copy);
  const b = await readFitsFile(path);
  const c = readFitsFileSync(path);
  for (let i = 1; i < 4; i++) {
    assertEquals(a.hdus[i]!.image!.data, b.hdus[i]!.image!.data);
    assertEquals(a.hdus[i]!.image!.data, c.hdus[i]!.image!.data);
  }
  assertEquals(b.name, "gen_mef_naxis0_3ext.fits");
});

Deno.test("fits read: gzip through node:zlib (sync) and DecompressionStream (async) agree", async () => {
  const plain = writeFits([{
    bitpix: 16,
    shape: [50, 40],
    data: Array.from({ length: 2000 }, (_, i) => i - 1000),
  }]);
  const gz = new Uint8Array(gzipSync(plain));
  const a = readFits(gz, "x.fits.gz");
  const b = await readFitsAsync(gz, "x.fits.gz");
  assertEquals(a.hdus[0]!.image!.data, b.hdus[0]!.image!.data);
  assertEquals((a.hdus[0]!.image!.data as Int16Array)[1999], 999);
  const dir = await Deno.makeTempDir();
  try {
    // gzip is recognised by its magic bytes, whatever the file name.
    await Deno.writeFile(`${dir}/noext`, gz);
    assertEquals((await readFitsFile(`${dir}/noext`)).hdus[0]!.image!.data, a.hdus[0]!.image!.data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fits read: imageToFloat32 converts every pixel type", () => {
  const f = readFits(writeFits([
    { bitpix: 16, shape: [3], data: [1, 65535, 3], bzero: 32768 },
    { bitpix: -64, shape: [2], data: [0.1, NaN] },
  ]));
  assertEquals(Array.from(imageToFloat32(f.hdus[0]!.image!)), [1, 65535, 3]);
  const g = imageToFloat32(f.hdus[1]!.image!);
  assertEquals(g[0], Math.fround(0.1));
  assert(Number.isNaN(g[1]));
  const big = imageToFloat32({ bitpix: 64, shape: [2], data: new BigInt64Array([5n, -7n]) });
  assertEquals(Array.from(big), [5, -7]);
  // A copy, not a view.
  const src = f.hdus[1]!.image!;
  const h = imageToFloat32({ ...src, data: new Float32Array([1, 2]) });
  h[0] = 9;
  assertEquals(h.length, 2);
});

Deno.test("fits read: headersOnly skips the data", () => {
  const f = readFits(writeFits([{ bitpix: -32, shape: [4], data: [1, 2, 3, 4] }]), "h", {
    headersOnly: true,
  });
  assertEquals(f.hdus[0]!.image, undefined);
  assertEquals(f.hdus[0]!.dataSize, 16);
});
