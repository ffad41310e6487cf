/**
 * `deno task bench train [--cold] [--cache-dir DIR] [-- extra train options]`:
 * times the `deno task train` pipeline (simulate the default survey if
 * missing, ingest it once, train the cpu preset in two stages, evaluate) as
 * a subprocess with the task's own permissions, and prints one JSON object:
 * the exact command, wall time, the phases' times from the run folder, the
 * test accuracy and the Table-2-style row.
 *
 * `--cold` uses a fresh cache folder (default `.cache/bench-train`), so the
 * simulation and the ingest are included, as on first use.
 *
 * @module
 */

interface Summary {
  run: string;
  status: string;
  trainTimeS: number;
  parameters: number;
  testAccuracy: number | null;
}

/** Runs the benchmark; prints one JSON object on stdout. */
export async function main(args: string[]): Promise<void> {
  const cold = args.includes("--cold");
  const ci = args.indexOf("--cache-dir");
  const cacheDir = ci >= 0 ? args[ci + 1]! : cold ? ".cache/bench-train" : undefined;
  const dash = args.indexOf("--");
  const extra = dash >= 0 ? args.slice(dash + 1) : [];
  if (cold && cacheDir) await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
  const name = `bench-train-${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}`;
  const trainArgs = [
    "run",
    "--allow-read",
    "--allow-write=.cache,runs",
    "--allow-env",
    "--allow-sys",
    "main.ts",
    "train",
    "--name",
    name,
    "--json",
    ...(cacheDir ? ["--cache-dir", cacheDir] : []),
    ...extra,
  ];
  const loadStart = Deno.loadavg();
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: trainArgs,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // CPU seconds of the child (all threads: model, loader and simulator workers), sampled
  // with `ps -o times=` every 2 s until it exits (null where ps is missing).
  let cpuSeconds: number | null = null;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      try {
        const ps = await new Deno.Command("ps", {
          args: ["-o", "times=", "-p", String(child.pid)],
          stdout: "piped",
          stderr: "null",
        }).output();
        const v = Number(new TextDecoder().decode(ps.stdout).trim());
        if (ps.success && Number.isFinite(v)) cpuSeconds = v;
      } catch { /* no ps */ }
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  const out = await child.output();
  polling = false;
  await poll;
  const wall = (performance.now() - t0) / 1000;
  const loadEnd = Deno.loadavg();
  const stdout = new TextDecoder().decode(out.stdout);
  const lines = stdout.trim().split("\n");
  let summary: Summary | null = null;
  try {
    summary = JSON.parse(lines[lines.length - 1]!) as Summary;
  } catch { /* reported below */ }
  const table = summary
    ? await Deno.readTextFile(`${summary.run}/eval/metrics.md`).catch(() => null)
    : null;
  const info = summary
    ? JSON.parse(await Deno.readTextFile(`${summary.run}/run.json`).catch(() => "null"))
    : null;
  console.log(JSON.stringify(
    {
      bench: "train",
      command: `deno ${trainArgs.join(" ")}`,
      equivalent: "deno task train" + (cacheDir ? ` --cache-dir ${cacheDir}` : "") +
        (extra.length ? ` ${extra.join(" ")}` : ""),
      cold,
      exitCode: out.code,
      wallSeconds: Math.round(wall * 10) / 10,
      cpuSeconds,
      loadavgStart: loadStart,
      loadavgEnd: loadEnd,
      trainSeconds: summary?.trainTimeS ?? null,
      testAccuracy: summary?.testAccuracy ?? null,
      parameters: summary?.parameters ?? null,
      run: summary?.run ?? null,
      backend: info?.backend ?? null,
      store: info?.store ?? null,
      cores: navigator.hardwareConcurrency,
      metricsMarkdown: table,
    },
    null,
    2,
  ));
}
