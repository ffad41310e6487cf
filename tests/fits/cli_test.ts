import { assert, assertEquals, assertMatch } from "../util/assert.ts";
import { cli } from "../util/cli.ts";
import { CORPUS } from "./helpers.ts";

interface InfoJson {
  files: Array<{
    file: string;
    error?: string;
    warnings?: string[];
    hdus?: Array<{
      index: number;
      kind: string;
      bitpix: number;
      shape: number[];
      keys: Record<string, unknown>;
      stats?: { sum: number; min: number; max: number; mean: number; nanCount: number };
    }>;
  }>;
}

Deno.test("cli fits info --json: HDUs, shapes, keys and statistics; bad files reported, others read", async () => {
  const r = await cli(
    "fits",
    "info",
    "--json",
    `${CORPUS}/gen_mef_naxis0_3ext.fits`,
    "no/such/file.fits",
    `${CORPUS}/real_spitzer_irac_fpack_rice_float_nan.fits.fz`,
  );
  // The exit-code convention: skipped inputs are counted, exit 0 (1 with --strict).
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stderr, /1 of 3 files not read \(skipped\)/);
  const j = JSON.parse(r.stdout) as InfoJson;
  assertEquals(j.files.length, 3);
  const mef = j.files[0]!.hdus!;
  assertEquals(mef.map((h) => [h.index, h.kind, h.bitpix, h.shape]), [
    [0, "image", 8, []],
    [1, "image", 16, [30, 20]],
    [2, "image", -32, [30, 20]],
    [3, "image", 16, [30, 20]],
  ]);
  assertEquals(mef[1]!.keys.EXTNAME, "SCI");
  assertEquals(mef[3]!.keys.BZERO, 32768);
  assertEquals(mef[3]!.stats!.sum, 18068003);
  assertEquals([mef[3]!.stats!.min, mef[3]!.stats!.max], [0, 65535]);
  assertEquals(mef[2]!.stats!.nanCount, 1);
  assertMatch(j.files[1]!.error!, /not found/);
  const fz = j.files[2]!.hdus![1]!;
  assertEquals([fz.kind, fz.bitpix, fz.shape], ["compressed-image", -32, [128, 128]]);
  assertEquals(fz.stats!.nanCount, 4068);
  assert(Math.abs(fz.stats!.sum - 9809654.555294394) < 1e-3, `sum ${fz.stats!.sum}`);
});

Deno.test("cli fits info: human table", async () => {
  const r = await cli("fits", "info", `${CORPUS}/gen_bintable.fits`);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /gen_bintable\.fits: 2 HDUs/);
  assertMatch(r.stdout, /\n\s+0\s+image\s+16\s+30x20\s+70862\s+-32768\s+32767/);
  assertMatch(r.stdout, /\n\s+1\s+bintable\s+8\s+31x10\s+10 rows\s+6 cols.*EXTNAME=CAT/);
});

Deno.test("cli fits verify: OK files exit 0, broken files list their problems and exit 1", async () => {
  const ok = await cli(
    "fits",
    "verify",
    `${CORPUS}/gen_bitpix16.fits`,
    `${CORPUS}/gen_rice_int16.fits.fz`,
  );
  assertEquals(ok.code, 0, ok.stderr);
  assertMatch(ok.stdout, /^OK\s+.*gen_bitpix16\.fits \(1 HDU\)/m);
  const bad = await cli(
    "fits",
    "verify",
    `${CORPUS}/real_fixed-1890_uint16_hierarch_eso.fits`,
    "missing.fits",
  );
  assertEquals(bad.code, 1);
  assertMatch(bad.stdout, /FAILED\s+.*fixed-1890.*: 2 errors, 0 warnings/);
  assertMatch(bad.stdout, /error: HDU 0: PCOUNT is not allowed in a primary array/);
  assertMatch(bad.stdout, /FAILED\s+missing\.fits: 1 error/);
  const json = await cli("fits", "verify", "--json", `${CORPUS}/real_m51_bitpix32_hst.fits.gz`);
  const j = JSON.parse(json.stdout) as {
    files: Array<{ ok: boolean; errors: Array<{ message: string }> }>;
  };
  assertEquals(j.files[0]!.ok, false);
  assertMatch(j.files[0]!.errors[0]!.message, /data fill/);
});

Deno.test("cli fits: help lists info and verify; no file is a usage error", async () => {
  const h = await cli("fits", "--help");
  assertMatch(h.stdout, /info/);
  assertMatch(h.stdout, /verify/);
  const u = await cli("fits", "info");
  assertEquals(u.code, 2);
  assertMatch(u.stderr, /^error: /);
});
