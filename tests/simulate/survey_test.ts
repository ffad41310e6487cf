/**
 * The survey on disk: layout of catalog.csv, survey.json and the FITS files,
 * byte-identical output for a seed (with and without workers), fitsverify,
 * gzip + quantisation, difference imaging, the CLI and the default survey.
 */
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "../util/assert.ts";
import { ConventionError } from "../../lib/errors.ts";
import { readFitsFile } from "../../lib/fits/read.ts";
import { ensureDefaultSurvey } from "../../lib/simulate/default_survey.ts";
import { simulateObject } from "../../lib/simulate/object.ts";
import { SDSS_BANDS } from "../../lib/simulate/sdss.ts";
import { simulateSurvey, type SurveyManifest } from "../../lib/simulate/survey.ts";
import { CATALOG_COLUMNS } from "../../lib/simulate/write.ts";
import { main } from "../../main.ts";
import { toolTest } from "../util/tools.ts";
import { fitsverify } from "../fits/helpers.ts";

const HEADER =
  "object_id,class,true_class,subtype,confirmed,ra,dec,redshift,host_mag_r,peak_mag_r,n_epochs,n_frames,file,diff_file,template_file";

/** Header keys that would give the truth away (the simulator's old primary keys). */
const TRUTH_KEYS = ["CLASS", "TRUECLAS", "SUBTYPE", "CONFIRMD", "REDSHIFT", "Z", "OBJTYPE"];
/** Class and sub-type names, as words. */
const CLASS_WORDS =
  /\b(AGN|SNIa|SNOther|Variable|RRLyrae|RR Lyrae|II-P|IIn|Ibc|DRW|EB|irregular|quasar)\b/i;

async function tmpDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "convention-sim-" });
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

Deno.test("survey: catalogue, manifest and FITS layout; pixels equal simulateObject's", async () => {
  const root = await tmpDir();
  const out = `${root}/s82`;
  try {
    const opts = { objects: 8, seed: 5 };
    const s = await simulateSurvey({ out, ...opts, workers: 0, progress: false });
    const catalog = (await Deno.readTextFile(`${out}/catalog.csv`)).trimEnd().split("\n");
    assertEquals(catalog[0], HEADER);
    assertEquals(CATALOG_COLUMNS.join(","), HEADER);
    assertEquals(catalog.length, 9);
    const manifest = JSON.parse(await Deno.readTextFile(`${out}/survey.json`)) as SurveyManifest;
    assertEquals(manifest.seed, 5);
    assertEquals(manifest.options.objects, 8);
    assertEquals(manifest.frames, s.frames);
    let total = 0;
    for (const f of await listFiles(out)) total += (await Deno.stat(`${out}/${f}`)).size;
    assertEquals(manifest.totalBytes, total);
    assertEquals(s.bytes, total);
    for (const line of catalog.slice(1)) {
      const row = Object.fromEntries(HEADER.split(",").map((k, i) => [k, line.split(",")[i]!]));
      const index = Number(row.object_id!.slice(4)) - 1;
      const obj = simulateObject(index, opts);
      assertEquals(row.class, obj.label);
      assertEquals(row.true_class, obj.trueClass);
      assertEquals(row.confirmed, obj.confirmed ? "1" : "0");
      assertEquals(Number(row.n_frames), obj.frames.length);
      assert(["AGN", "SNIa", "Variable", "SNOther"].includes(row.class!));
      if (obj.trueClass === "Variable") assertEquals(row.redshift, "");
      else assert(Number(row.redshift) > 0);
      const fits = await readFitsFile(`${out}/${row.file}`);
      const [primary, ...images] = fits.hdus;
      assertEquals(primary!.image?.shape ?? [], []);
      assertEquals(primary!.header.get("OBJECT"), row.object_id);
      // No truth in the files (issue 17, item 6): no key of any HDU names the class, true
      // class, sub-type, confirmation or redshift, and no header value spells a class name.
      for (const h of fits.hdus) {
        for (const k of TRUTH_KEYS) assert(!h.header.has(k), `${row.file}[${h.index}] has ${k}`);
        for (const c of h.header.cards) {
          const text = `${c.value ?? ""} ${c.comment ?? ""}`;
          assert(!CLASS_WORDS.test(text), `${row.file}[${h.index}] ${c.key}: ${text}`);
        }
      }
      assertEquals(images.length, obj.frames.length);
      let lastVisit = -1, lastBand = -1;
      images.forEach((h, k) => {
        const f = obj.frames[k]!;
        const hd = h.header;
        assertEquals(h.image!.shape, [32, 32]);
        assertEquals(hd.get("FILTER"), f.band);
        assertEquals(hd.get("EXTNAME"), `${f.band}${f.epoch}`);
        assertAlmostEquals(hd.getNumber("MJD-OBS")!, f.mjd, 1e-6);
        assertEquals(hd.get("MAGZP"), 22.5);
        assertAlmostEquals(hd.getNumber("SKYSIG")!, f.skySigma, 1e-5 * f.skySigma);
        assert(hd.getNumber("SEEING")! >= 0.8 && hd.getNumber("SEEING")! <= 2.5);
        assertEquals(hd.get("EXPTIME"), 53.907456);
        assertEquals(hd.get("PIXSCALE"), 0.396);
        assertEquals(hd.get("DIFFIM"), false);
        // Time-ordered visits, ugriz within a visit.
        const visit = hd.getNumber("VISIT")!, band = SDSS_BANDS.indexOf(f.band);
        assert(visit > lastVisit || (visit === lastVisit && band > lastBand));
        lastVisit = visit;
        lastBand = band;
        assertEquals(Array.from(h.image!.data as Float32Array), Array.from(f.pixels));
      });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("survey: the same seed gives byte-identical files, with or without workers", async () => {
  const root = await tmpDir();
  try {
    const a = `${root}/a`, b = `${root}/b`;
    await simulateSurvey({ out: a, objects: 6, seed: 11, size: 16, workers: 0, progress: false });
    await simulateSurvey({ out: b, objects: 6, seed: 11, size: 16, workers: 2, progress: false });
    const fa = await listFiles(a), fb = await listFiles(b);
    assertEquals(fa, fb);
    for (const f of fa) {
      assertEquals(await Deno.readFile(`${a}/${f}`), await Deno.readFile(`${b}/${f}`), f);
    }
    // A different seed gives different pixels.
    const c = `${root}/c`;
    await simulateSurvey({ out: c, objects: 6, seed: 12, size: 16, workers: 0, progress: false });
    assert(
      (await Deno.readTextFile(`${a}/catalog.csv`)) !==
        (await Deno.readTextFile(`${c}/catalog.csv`)),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("survey: gzip + quantisation round-trips within half a quantisation step", async () => {
  const root = await tmpDir();
  const out = `${root}/q`;
  try {
    const opts = { objects: 3, seed: 2 };
    await simulateSurvey({ out, ...opts, gzip: true, quantize: 4, workers: 0, progress: false });
    const files = await listFiles(out);
    assert(files.some((f) => f.endsWith(".fits.gz")));
    const obj = simulateObject(0, opts);
    const fits = await readFitsFile(`${out}/objects/000001.fits.gz`);
    const images = fits.hdus.slice(1);
    assertEquals(images.length, obj.frames.length);
    images.forEach((h, k) => {
      const f = obj.frames[k]!;
      const data = h.image!.data as Float32Array;
      assertEquals(h.image!.bitpix, 16);
      const bscale = h.header.getNumber("BSCALE")!;
      assert(bscale <= f.skySigma / 4 * (1 + 1e-9) || bscale > f.skySigma / 4, "BSCALE");
      for (let i = 0; i < f.pixels.length; i++) {
        // Masked pixels (NaN) round-trip through BLANK.
        if (Number.isNaN(f.pixels[i]!)) assert(Number.isNaN(data[i]!), `pixel ${i} not NaN`);
        else assert(Math.abs(data[i]! - f.pixels[i]!) <= bscale / 2 * 1.0001 + 1e-6);
      }
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

await toolTest({
  name: "survey: object files pass fitsverify (float32, and gzip with 16-bit quantisation)",
  tools: ["fitsverify"],
  fn: async () => {
    const root = await tmpDir();
    try {
      for (const [name, extra] of [["plain", {}], ["gz", { gzip: true, quantize: 4 }]] as const) {
        const out = `${root}/${name}`;
        await simulateSurvey({ out, objects: 2, seed: 2, workers: 0, progress: false, ...extra });
        for (const f of (await listFiles(out)).filter((f) => f.startsWith("objects/"))) {
          const v = await fitsverify(`${out}/${f}`);
          assert(v.ok, `${name} ${f}: ${v.text}`);
        }
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("survey: difference imaging removes the host (SN stamps before explosion are empty)", () => {
  const opts = { objects: 40, seed: 3, difference: true };
  let checked = 0;
  for (let i = 0; i < 40 && checked < 2; i++) {
    const obj = simulateObject(i, opts);
    if (obj.params.tExplosion === undefined || !obj.params.host) continue;
    const before = obj.frames.filter((f) => f.mjd < obj.params.tExplosion! && f.band === "r");
    if (before.length < 3) continue;
    for (const f of before) {
      let s = 0;
      for (const v of f.pixels) if (!Number.isNaN(v)) s += v;
      // Sum of 1024 noise pixels: sigma sqrt(1024), plus the template's 1 % scale error (3
      // sigma); the host would be >> that.
      const tol = 5 * f.skySigma * 32 + 0.03 * f.hostFlux;
      assert(Math.abs(s) < tol, `${obj.id} r sum ${s} before explosion (host ${f.hostFlux})`);
    }
    const host = obj.params.hostFlux.r!;
    assert(host > 5 * before[0]!.skySigma * 32 || host > 0, "host flux present in science images");
    checked++;
  }
  assert(checked > 0, "no SN with pre-explosion frames found");
});

Deno.test("survey: refuses a non-empty folder, replaces a simulated survey with overwrite", async () => {
  const root = await tmpDir();
  try {
    await Deno.writeTextFile(`${root}/notes.txt`, "keep me");
    await assertRejects(
      () => simulateSurvey({ out: root, objects: 2, workers: 0, progress: false }),
      ConventionError,
      /not empty/,
    );
    const out = `${root}/s`;
    await simulateSurvey({ out, objects: 2, seed: 1, size: 12, workers: 0, progress: false });
    await assertRejects(
      () => simulateSurvey({ out, objects: 2, workers: 0, progress: false }),
      ConventionError,
      /not empty/,
    );
    await simulateSurvey({
      out,
      objects: 3,
      seed: 1,
      size: 12,
      workers: 0,
      progress: false,
      overwrite: true,
    });
    const m = JSON.parse(await Deno.readTextFile(`${out}/survey.json`)) as SurveyManifest;
    assertEquals(m.options.objects, 3);
    // No temporary folder is left behind.
    assertEquals((await listFiles(root)).filter((f) => f.includes(".partial-")), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cli: convention simulate writes a survey; bad options exit 2", async () => {
  const root = await tmpDir();
  try {
    const log = console.log;
    let printed = "";
    console.log = (s: string) => printed += s;
    let code: number;
    try {
      code = await main([
        "simulate",
        "--out",
        `${root}/cli`,
        "--objects",
        "3",
        "--size",
        "16",
        "--bands",
        "gri",
        "--workers",
        "0",
        "--quiet",
      ]);
    } finally {
      console.log = log;
    }
    assertEquals(code, 0);
    const summary = JSON.parse(printed) as { objects: number; frames: number };
    assertEquals(summary.objects, 3);
    const m = JSON.parse(await Deno.readTextFile(`${root}/cli/survey.json`)) as SurveyManifest;
    assertEquals(m.bands, ["g", "r", "i"]);
    Deno.exitCode = 0;
    const err = console.error;
    console.error = () => {};
    try {
      assertEquals(await main(["simulate", "--out", `${root}/bad`, "--bands", "ugx"]), 2);
      Deno.exitCode = 0;
      assertEquals(await main(["simulate", "--objects", "3"]), 2);
    } finally {
      console.error = err;
      Deno.exitCode = 0;
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("default survey: created once in the cache, reused, and an invalid folder is replaced", async () => {
  const cache = await tmpDir();
  try {
    const small = { objects: 4, size: 12, progress: false, workers: 0 };
    const dir = await ensureDefaultSurvey(cache, small);
    const m = JSON.parse(await Deno.readTextFile(`${dir}/survey.json`)) as SurveyManifest;
    assertEquals(m.options.objects, 4);
    assertEquals(m.options.gzip, true);
    assertEquals(m.options.quantize, 4);
    const stamp = (await Deno.stat(`${dir}/catalog.csv`)).mtime!.getTime();
    assertEquals(await ensureDefaultSurvey(cache, small), dir);
    assertEquals((await Deno.stat(`${dir}/catalog.csv`)).mtime!.getTime(), stamp);
    // A manifest that does not match (e.g. another simulator version) is not reused.
    await Deno.writeTextFile(`${dir}/survey.json`, JSON.stringify({ ...m, version: "0.0" }));
    assertEquals(await ensureDefaultSurvey(cache, small), dir);
    const again = JSON.parse(await Deno.readTextFile(`${dir}/survey.json`)) as SurveyManifest;
    assertEquals(again.version, m.version);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});
