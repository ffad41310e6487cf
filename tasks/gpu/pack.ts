/**
 * `deno task gpu-pack`: fills `.gpu/` with everything the one-shot GPU check
 * needs on a machine without network: the Deno binary (xz), the bundled check
 * (`check.js`, TF.js core + cpu + webgpu + the model and our kernels), and the Debian packages of the Vulkan
 * and EGL loaders. Writes `.gpu/manifest.json` and checks the size limits
 * (the pack under 60 MiB, the pack plus the working tree under 64 MiB).
 *
 * usage: deno run --allow-read --allow-write --allow-run --allow-env tasks/gpu/pack.ts
 *        [--pack DIR] [--from-head]
 *
 * `--from-head` bundles the committed tree (`git archive HEAD` into a temporary
 * folder, with this checkout's node_modules), not the working tree: the pack
 * then matches one commit exactly, whatever other people are editing.
 *
 * @module
 */
import { defaultDebs, formatMiB, PACK_LIMIT_BYTES, TREE_LIMIT_BYTES } from "./pack_plan.ts";

const args = [...Deno.args];
let packDir = ".gpu";
let fromHead = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--pack" && args[i + 1]) packDir = args[++i]!;
  else if (args[i] === "--from-head") fromHead = true;
  else {
    console.error(`unknown option ${args[i]}; usage: pack.ts [--pack DIR] [--from-head]`);
    Deno.exit(2);
  }
}
packDir = await Deno.realPath(".").then((cwd) =>
  packDir.startsWith("/") ? packDir : `${cwd}/${packDir}`
);

function say(msg: string): void {
  console.error(`[gpu-pack] ${msg}`);
}

async function run(cmd: string, cmdArgs: string[], opts: { cwd?: string } = {}): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args: cmdArgs,
    cwd: opts.cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${cmd} ${cmdArgs.join(" ")} failed (code ${out.code}): ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
  return text;
}

async function sha256(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

interface Manifest {
  schema: string;
  createdAt: string;
  deno: { version: string; source: string; sourceBytes: number; sourceMtime: string | null };
  git: { commit: string; dirty: string[]; fromHead: boolean };
  files: { path: string; bytes: number; sha256: string }[];
  debs: string[];
  totalBytes: number;
}

const t0 = performance.now();
await Deno.mkdir(`${packDir}/debs`, { recursive: true });
await Deno.remove(`${packDir}/out`, { recursive: true }).catch(() => {});

let previous: Manifest | null = null;
try {
  previous = JSON.parse(await Deno.readTextFile(`${packDir}/manifest.json`)) as Manifest;
} catch { /* first pack */ }

// 1. The Deno binary, compressed with xz (reused when the same binary was packed before).
const denoPath = Deno.execPath();
const denoStat = await Deno.stat(denoPath);
const denoVersion = Deno.version.deno;
const denoMtime = denoStat.mtime?.toISOString() ?? null;
const sameDeno = previous !== null && previous.deno.source === denoPath &&
  previous.deno.sourceBytes === denoStat.size && previous.deno.sourceMtime === denoMtime &&
  previous.deno.version === denoVersion && await exists(`${packDir}/deno.xz`);
if (sameDeno) {
  say(`deno ${denoVersion}: reusing ${packDir}/deno.xz`);
} else {
  say(
    `deno ${denoVersion}: compressing ${denoPath} (${
      formatMiB(denoStat.size)
    }) with xz -9, a few minutes`,
  );
  const tmp = `${packDir}/deno.xz.tmp`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  const p = new Deno.Command("xz", {
    args: ["-9", `-T${Math.max(1, navigator.hardwareConcurrency)}`, "-c", denoPath],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  await p.stdout.pipeTo(file.writable);
  const st = await p.status;
  if (!st.success) throw new Error(`xz failed with code ${st.code}`);
  await Deno.rename(tmp, `${packDir}/deno.xz`);
}

// 2. The bundled check, from the working tree or from HEAD.
let srcDir = ".";
if (fromHead) {
  srcDir = await Deno.makeTempDir({ prefix: "convention-gpu-src-" });
  say(`bundling from HEAD: git archive into ${srcDir}`);
  const archive = `${srcDir}.tar`;
  await run("git", ["archive", "--format=tar", "-o", archive, "HEAD"]);
  await run("tar", ["-xf", archive, "-C", srcDir]);
  await Deno.remove(archive);
  await Deno.symlink(await Deno.realPath("node_modules"), `${srcDir}/node_modules`);
}
for (const [entry, out] of [["tasks/gpu/check.ts", "check.js"]]) {
  if (!(await exists(`${srcDir}/${entry}`))) {
    say(`no ${entry}: skipped`);
    continue;
  }
  say(`bundling ${entry} -> ${packDir}/${out}`);
  await run(Deno.execPath(), [
    "bundle",
    "--minify",
    "--platform",
    "deno",
    "-o",
    `${packDir}/${out}`,
    entry!,
  ], { cwd: srcDir });
}
if (fromHead) await Deno.remove(srcDir, { recursive: true });

// 3. The Debian packages of the loaders (apt-get download; cached in the pack folder).
const debs = defaultDebs();
const present = [...Deno.readDirSync(`${packDir}/debs`)].map((e) => e.name);
const missing = debs.filter((name) =>
  !present.some((f) => f.startsWith(`${name}_`) && f.endsWith(".deb"))
);
if (missing.length > 0) {
  say(`apt-get download ${missing.join(" ")}`);
  try {
    await run("apt-get", ["download", ...missing], { cwd: `${packDir}/debs` });
  } catch (err) {
    throw new Error(
      `${
        (err as Error).message
      }\nhint: run 'apt-get update' once (Debian's package lists are needed), then pack again`,
    );
  }
  // Names like libx11-6_2%3a1.8.4-2+deb12u2 carry an escaped epoch colon and a '+':
  // keep file names to letters, digits, '.', '_' and '-'.
  for (const e of Deno.readDirSync(`${packDir}/debs`)) {
    const plain = e.name.replace(/%3a/gi, "_").replace(/[^A-Za-z0-9._-]/g, "_");
    if (plain !== e.name) {
      await Deno.rename(`${packDir}/debs/${e.name}`, `${packDir}/debs/${plain}`);
    }
  }
} else {
  say(`debs: all ${debs.length} packages cached in ${packDir}/debs`);
}

// 4. The manifest.
let commit = "unknown";
let dirty: string[] = [];
try {
  commit = (await run("git", ["rev-parse", "HEAD"])).trim();
  dirty = fromHead ? [] : (await run("git", ["status", "--porcelain", "--", "tasks/gpu", "lib"]))
    .split("\n").filter((l) => l.trim() !== "");
} catch { /* not a git checkout */ }

const files: Manifest["files"] = [];
async function addFiles(dir: string, prefix: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) await addFiles(p, rel);
    else if (e.isFile && rel !== "manifest.json" && !rel.endsWith(".tmp")) {
      files.push({ path: rel, bytes: (await Deno.stat(p)).size, sha256: await sha256(p) });
    }
  }
}
await addFiles(packDir, "");
files.sort((a, b) => a.path.localeCompare(b.path));
const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
const manifest: Manifest = {
  schema: "convention-gpu-pack/1",
  createdAt: new Date().toISOString(),
  deno: {
    version: denoVersion,
    source: denoPath,
    sourceBytes: denoStat.size,
    sourceMtime: denoMtime,
  },
  git: { commit, dirty, fromHead },
  files,
  debs: files.filter((f) => f.path.startsWith("debs/")).map((f) => f.path.slice(5)),
  totalBytes,
};
await Deno.writeTextFile(`${packDir}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n");

// 5. Sizes: the pack, and what travels to the GPU machine (tree + pack).
let treeBytes = 0;
try {
  const list = (await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]))
    .split("\0").filter((f) => f !== "");
  for (const f of list) {
    try {
      treeBytes += (await Deno.stat(f)).size;
    } catch { /* deleted in the working tree */ }
  }
} catch { /* not a git checkout */ }
for (const f of files) console.log(`${formatMiB(f.bytes).padStart(10)}  ${packDir}/${f.path}`);
console.log(
  `${formatMiB(totalBytes).padStart(10)}  ${packDir} total (limit ${formatMiB(PACK_LIMIT_BYTES)})`,
);
console.log(
  `${
    formatMiB(treeBytes).padStart(10)
  }  working tree that travels (tracked + untracked, not ignored)`,
);
console.log(
  `${formatMiB(totalBytes + treeBytes).padStart(10)}  pack + tree (limit ${
    formatMiB(TREE_LIMIT_BYTES)
  })`,
);
if (dirty.length > 0) {
  say(`note: uncommitted changes under tasks/gpu or lib are in this pack (${dirty.length} paths)`);
}
say(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (totalBytes > PACK_LIMIT_BYTES || totalBytes + treeBytes > TREE_LIMIT_BYTES) {
  say("error: over the size limit; the GPU machine receives at most 64 MiB");
  Deno.exit(1);
}
