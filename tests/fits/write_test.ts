import { FitsError } from "../../lib/fits/errors.ts";
import { readFits, readFitsFile } from "../../lib/fits/read.ts";
import { writeFits, type WriteHdu } from "../../lib/fits/write.ts";
import { formatFloat } from "../../lib/fits/card.ts";
import { Rng } from "../../lib/util/rng.ts";
import { assert, assertEquals, assertThrows } from "../util/assert.ts";
import { fitsverify } from "./helpers.ts";
import { toolTest } from "../util/tools.ts";

type Case = { name: string; hdus: WriteHdu[]; expectClass: string[] };

function ramp(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

const rng = new Rng(3);
const W = 7, H = 5, N = W * H;
const floats = ramp(N, () => rng.normal() * 1e3);
const cases: Case[] = [
  {
    name: "bitpix8",
    hdus: [{ bitpix: 8, shape: [W, H], data: ramp(N, (i) => (i * 37) % 256) }],
    expectClass: ["Uint8Array"],
  },
  {
    name: "bitpix8 signed via bzero -128",
    hdus: [{ bitpix: 8, shape: [W, H], data: ramp(N, (i) => (i * 37) % 256 - 128), bzero: -128 }],
    expectClass: ["Int8Array"],
  },
  {
    name: "bitpix16",
    hdus: [{
      bitpix: 16,
      shape: [W, H],
      data: ramp(N, (i) => i === 0 ? -32768 : i === 1 ? 32767 : i * 100 - 1500),
    }],
    expectClass: ["Int16Array"],
  },
  {
    name: "bitpix16 unsigned via bzero 32768",
    hdus: [{
      bitpix: 16,
      shape: [W, H],
      data: ramp(N, (i) => i === 0 ? 65535 : i * 1800),
      bzero: 32768,
    }],
    expectClass: ["Uint16Array"],
  },
  {
    name: "bitpix16 scaled bscale 0.5 bzero 3000",
    hdus: [{
      bitpix: 16,
      shape: [W, H],
      data: ramp(N, (i) => 3000 + i * 0.5 - 7),
      bzero: 3000,
      bscale: 0.5,
    }],
    expectClass: ["Float32Array"],
  },
  {
    name: "bitpix16 blank",
    hdus: [{ bitpix: 16, shape: [W, H], data: ramp(N, (i) => i % 4 === 0 ? NaN : i), blank: -999 }],
    expectClass: ["Float32Array"],
  },
  {
    name: "bitpix32",
    hdus: [{
      bitpix: 32,
      shape: [W, H],
      data: ramp(N, (i) => i === 0 ? -2147483648 : i === 1 ? 2147483647 : i * 12345679),
    }],
    expectClass: ["Int32Array"],
  },
  {
    name: "bitpix32 unsigned via bzero 2^31",
    hdus: [{
      bitpix: 32,
      shape: [W, H],
      data: ramp(N, (i) => i === 0 ? 4294967295 : i * 99999999),
      bzero: 2147483648,
    }],
    expectClass: ["Uint32Array"],
  },
  {
    name: "bitpix32 scaled",
    hdus: [{
      bitpix: 32,
      shape: [W, H],
      data: ramp(N, (i) => 100 + i * 0.25),
      bzero: 100,
      bscale: 0.25,
    }],
    expectClass: ["Float64Array"],
  },
  {
    name: "bitpix-32 with NaN and inf",
    hdus: [{
      bitpix: -32,
      shape: [W, H],
      data: ramp(N, (i) => i === 3 ? NaN : i === 4 ? -Infinity : Math.fround(floats[i]!)),
    }],
    expectClass: ["Float32Array"],
  },
  {
    name: "bitpix-64",
    hdus: [{
      bitpix: -64,
      shape: [W, H, 1],
      data: ramp(N, (i) => i === 2 ? NaN : floats[i]! * 1e-300),
    }],
    expectClass: ["Float64Array"],
  },
  {
    name: "multi-HDU with empty primary and odd headers",
    hdus: [
      {
        bitpix: 8,
        shape: [],
        header: [
          ["OBJECT", "ZTF21aaaaaaa"],
          ["TELESCOP", "it's 'quoted'"],
          ["LONGSTR", "A long value that needs CONTINUE cards: " + "abc'd ".repeat(40) + "end"],
          ["EMPTY", ""],
          ["FLAG", false],
          ["BIGINT", 9007199254740993n],
          ["CPLX", { re: 1.5, im: -2e-30 }],
          ["TINY", 5e-324],
          ["HUGE", 1.7976931348623157e308],
          ["THIRD", 1 / 3],
          ["NEGZERO", -0],
          ["HIERARCH ESO DET CHIP TEMP", -120.5, "HIERARCH float"],
          ["this.is.lower.case", 42],
          ["COMMENT", "a comment card " + "x".repeat(100)],
          ["HISTORY", "written by the round-trip test"],
          ["", "blank keyword commentary"],
          ["DATE-OBS", "2021-01-01T00:00:00.000"],
          ["MJD-OBS", 59215.123456789012],
          ["LONGCMT", 1, "c".repeat(120)],
        ],
      },
      { bitpix: -32, shape: [W, H], data: floats, header: [["EXTNAME", "SCI"], ["FILTER", "g"]] },
      {
        bitpix: 16,
        shape: [W, H],
        data: ramp(N, (i) => i),
        bzero: 32768,
        header: [["EXTNAME", "DQ"]],
      },
      {
        bitpix: -64,
        shape: [2, 2, 2, 2],
        data: ramp(16, (i) => i / 7),
        header: [["EXTNAME", "CUBE4"]],
      },
      { bitpix: 32, shape: [0], data: [], header: [["EXTNAME", "EMPTY"]] },
    ],
    expectClass: ["Uint8Array", "Float32Array", "Uint16Array", "Float64Array", "Int32Array"],
  },
];

for (const c of cases) {
  await toolTest({
    name: `fits write: ${c.name} passes fitsverify`,
    tools: ["fitsverify"],
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "fits_write_" });
      try {
        const path = `${dir}/case.fits`;
        await Deno.writeFile(path, writeFits(c.hdus));
        const v = await fitsverify(path);
        assert(v.ok, `fitsverify: ${v.text}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
  Deno.test(`fits write: ${c.name} reads back exactly`, async () => {
    const bytes = writeFits(c.hdus);
    assertEquals(bytes.length % 2880, 0);
    const dir = await Deno.makeTempDir({ prefix: "fits_write_" });
    try {
      const path = `${dir}/case.fits`;
      await Deno.writeFile(path, bytes);
      for (const fits of [readFits(bytes, "mem"), await readFitsFile(path)]) {
        assertEquals(fits.warnings, []);
        assertEquals(fits.hdus.length, c.hdus.length);
        for (let i = 0; i < c.hdus.length; i++) {
          const w = c.hdus[i]!, r = fits.hdus[i]!;
          assertEquals(r.kind, "image");
          assertEquals(r.image!.shape, w.shape);
          assertEquals(r.image!.data.constructor.name, c.expectClass[i]);
          const want = w.bitpix === -32
            ? Array.from(w.data ?? [], Math.fround)
            : Array.from(w.data ?? []);
          assertEquals(Array.from(r.image!.data as ArrayLike<number>), want, `HDU ${i} pixels`);
          for (const [key, value] of w.header ?? []) {
            const k = key.toUpperCase();
            if (k === "COMMENT" || k === "HISTORY" || k === "") continue;
            assertEquals(r.header.get(key), value, `HDU ${i} ${key}`);
          }
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("fits write: commentary cards survive", () => {
  const bytes = writeFits([{
    bitpix: 8,
    shape: [],
    header: [["COMMENT", "first"], ["HISTORY", "step 1"], ["COMMENT", "second"]],
  }]);
  const h = readFits(bytes).hdus[0]!.header;
  assertEquals(h.commentary("COMMENT"), ["first", "second"]);
  assertEquals(h.commentary("HISTORY"), ["step 1"]);
});

Deno.test("fits write: floats are shortest round-trip with E exponent", () => {
  assertEquals(formatFloat(0.1), "0.1");
  assertEquals(formatFloat(1e-7), "1.0E-7");
  assertEquals(formatFloat(1.5e300), "1.5E+300");
  assertEquals(formatFloat(3), "3.0");
  const r = new Rng(9);
  for (let i = 0; i < 2000; i++) {
    const v = (r.uniform() - 0.5) * 10 ** r.int(-300, 300);
    assertEquals(Number(formatFloat(v)), v);
  }
});

Deno.test("fits write: bad input is a FitsError", () => {
  assertThrows(() => writeFits([]), FitsError);
  assertThrows(
    () => writeFits([{ bitpix: 16, shape: [2], data: [1, 70000] }]),
    FitsError,
    /cannot be stored/,
  );
  assertThrows(() => writeFits([{ bitpix: 16, shape: [2], data: [1, NaN] }]), FitsError, /BLANK/);
  assertThrows(() => writeFits([{ bitpix: 16, shape: [3], data: [1, 2] }]), FitsError, /needs 3/);
  assertThrows(() => writeFits([{ bitpix: -32, shape: [1], data: [1], bzero: 1 }]), FitsError);
  assertThrows(
    () => writeFits([{ bitpix: -32, shape: [1], data: [1], header: [["NAXIS1", 3]] }]),
    FitsError,
    /writer itself/,
  );
  assertThrows(
    () => writeFits([{ bitpix: -32, shape: [1], data: [1], header: [["OBJECT", "café"]] }]),
    FitsError,
    /ASCII/,
  );
  assertThrows(
    () => writeFits([{ bitpix: -32, shape: [1], data: [1], header: [["SEEING", NaN]] }]),
    FitsError,
    /NaN/,
  );
});

Deno.test("fits write: 32x32 float stamps in a 40-HDU file read back bit-exactly", () => {
  const r = new Rng(11);
  const hdus: WriteHdu[] = [{ bitpix: 8, shape: [] }];
  for (let k = 0; k < 40; k++) {
    const data = new Float32Array(1024);
    for (let i = 0; i < data.length; i++) data[i] = r.normal() * 10 + 100;
    hdus.push({
      bitpix: -32,
      shape: [32, 32],
      data,
      header: [["MJD-OBS", 59000 + k * 1.25], ["FILTER", "ugriz"[k % 5]!]],
    });
  }
  const fits = readFits(writeFits(hdus));
  for (let k = 1; k <= 40; k++) {
    assertEquals(fits.hdus[k]!.image!.data, hdus[k]!.data as Float32Array);
    assertEquals(fits.hdus[k]!.header.get("MJD-OBS"), 59000 + (k - 1) * 1.25);
  }
});

Deno.test("fits write: null header values read back as null", () => {
  const h = readFits(writeFits([{ bitpix: 8, shape: [], header: [["UNDEF", null, "unknown"]] }]))
    .hdus[0]!.header;
  assertEquals(h.get("UNDEF"), null);
  assertEquals(h.getComment("UNDEF"), "unknown");
});
