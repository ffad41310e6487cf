/**
 * `deno task gpu-pack [--pack DIR] [--from-head]`: fills `.gpu/` with what
 * the one-shot GPU check needs on a machine without network: this Deno
 * binary (xz), the bundled check (`check.js`: TF.js core + cpu + webgpu, the
 * model and our kernels) and the Debian packages of the Vulkan and EGL
 * loaders; writes `manifest.json` and fails when the pack plus the working
 * tree exceeds the 64 MiB the GPU machine receives.
 *
 * `--from-head` bundles the committed tree (`git archive HEAD`, with this
 * checkout's node_modules), so that the pack matches one commit exactly.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";

/**
 * The loaders: Deno's wgpu dlopens libvulkan.so.1 (the NVIDIA ICD,
 * libGLX_nvidia.so.0, needs libGLdispatch from libglvnd0) and, for its GL
 * backend, libEGL.so.1. The H200 image lacked all seven (2026-11-26).
 */
const DEBS = ["libvulkan1", "libegl1", "libglvnd0", "libopengl0", "libgl1", "libglx0", "libgles2"];
const LIMIT_BYTES = 64 * 1024 * 1024;
const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const say = (msg: string) => console.error(`[gpu-pack] ${msg}`);

async function sh(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed: ${text(out.stderr).trim()}`);
  return text(out.stdout);
}

/** `deno.xz`, unless the same binary was packed before (compressing takes minutes). */
async function packDeno(dir: string, previous: { deno?: Record<string, unknown> }) {
  const st = await Deno.stat(Deno.execPath());
  const deno = { version: Deno.version.deno, source: Deno.execPath(), bytes: st.size };
  const packed = await Deno.stat(`${dir}/deno.xz`).then(() => true, () => false);
  if (packed && JSON.stringify(previous.deno) === JSON.stringify(deno)) {
    say(`deno ${deno.version}: reusing ${dir}/deno.xz`);
    return deno;
  }
  say(`deno ${deno.version}: xz -9 of ${MiB(st.size)}, a few minutes`);
  const file = await Deno.open(`${dir}/deno.xz.tmp`, { write: true, create: true, truncate: true });
  const xz = new Deno.Command("xz", {
    args: ["-9", `-T${navigator.hardwareConcurrency}`, "-c", deno.source],
    stdout: "piped",
  }).spawn();
  await xz.stdout.pipeTo(file.writable);
  if (!(await xz.status).success) throw new Error("xz failed");
  await Deno.rename(`${dir}/deno.xz.tmp`, `${dir}/deno.xz`);
  return deno;
}

/** `check.js`, bundled from the working tree or from HEAD. */
async function bundle(dir: string, fromHead: boolean): Promise<void> {
  let src = ".";
  if (fromHead) {
    src = await Deno.makeTempDir({ prefix: "convention-gpu-src-" });
    await sh("git", ["archive", "--format=tar", "-o", `${src}.tar`, "HEAD"]);
    await sh("tar", ["-xf", `${src}.tar`, "-C", src]);
    await Deno.remove(`${src}.tar`);
    await Deno.symlink(await Deno.realPath("node_modules"), `${src}/node_modules`);
  }
  say(`bundling tasks/gpu/check.ts from ${fromHead ? "HEAD" : "the working tree"}`);
  const out = `${await Deno.realPath(dir)}/check.js`; // absolute: the bundle runs in `src`
  const args = ["bundle", "--minify", "--platform", "deno", "-o", out];
  await sh(Deno.execPath(), [...args, "tasks/gpu/check.ts"], src);
  if (fromHead) await Deno.remove(src, { recursive: true });
}

/** The loaders' .debs (apt-get download, cached), named with plain characters only. */
async function debs(dir: string): Promise<void> {
  const has = (name: string, f: string) => f.startsWith(`${name}_`) && f.endsWith(".deb");
  for (const e of Deno.readDirSync(dir)) {
    if (!DEBS.some((d) => has(d, e.name))) await Deno.remove(`${dir}/${e.name}`);
  }
  const present = [...Deno.readDirSync(dir)].map((e) => e.name);
  const missing = DEBS.filter((d) => !present.some((f) => has(d, f)));
  if (missing.length === 0) return;
  say(`apt-get download ${missing.join(" ")} (needs 'apt-get update' once)`);
  await sh("apt-get", ["download", ...missing], dir);
  for (const e of Deno.readDirSync(dir)) {
    const plain = e.name.replace(/%3a/gi, "_").replace(/[^A-Za-z0-9._-]/g, "_");
    if (plain !== e.name) await Deno.rename(`${dir}/${e.name}`, `${dir}/${plain}`);
  }
}

/** Bytes of each packed file, and of the working tree the GPU machine receives with them. */
async function sizes(dir: string): Promise<{ files: Record<string, number>; tree: number }> {
  const files: Record<string, number> = {};
  const debFiles = [...Deno.readDirSync(`${dir}/debs`)].map((e) => `debs/${e.name}`);
  for (const f of ["deno.xz", "check.js", ...debFiles]) {
    files[f] = (await Deno.stat(`${dir}/${f}`)).size;
  }
  const tracked = await sh("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  let tree = 0;
  for (const f of tracked.split("\0").filter((f) => f !== "")) {
    tree += await Deno.stat(f).then((s) => s.size, () => 0);
  }
  return { files, tree };
}

await new Command("gpu-pack")
  .option("--pack <dir>", "the pack folder", ".gpu")
  .option("--from-head", "bundle the last commit, not the working tree", false)
  .action(async ({ pack: dir, fromHead }) => {
    await Deno.mkdir(`${dir}/debs`, { recursive: true });
    await Deno.remove(`${dir}/out`, { recursive: true }).catch(() => {});
    const previous = await Deno.readTextFile(`${dir}/manifest.json`).then(JSON.parse, () => ({}));
    const deno = await packDeno(dir, previous);
    await bundle(dir, fromHead);
    await debs(`${dir}/debs`);
    const { files, tree } = await sizes(dir);
    const total = Object.values(files).reduce((s, b) => s + b, 0);
    const commit = (await sh("git", ["rev-parse", "HEAD"])).trim();
    const dirty = fromHead ? "" : await sh("git", ["status", "--porcelain", "--", "tasks", "lib"]);
    const manifest = { createdAt: new Date().toISOString(), deno, commit, fromHead, dirty, files };
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n");
    for (const [f, b] of Object.entries(files)) console.log(`${MiB(b).padStart(10)}  ${dir}/${f}`);
    console.log(
      `${MiB(total).padStart(10)}  pack; ${MiB(tree)} working tree; limit ${
        MiB(LIMIT_BYTES)
      } in all`,
    );
    if (total + tree > LIMIT_BYTES) {
      say("error: pack + tree over the 64 MiB the GPU machine receives");
      Deno.exit(1);
    }
  })
  .parseAsync(Deno.args, { from: "user" });
