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
import { printJson } from "../../lib/cli/util/output.ts";
import { arg, childJson } from "./shared.ts";

/** The last line `train --json` prints. */
interface Summary {
  run: string;
  trainTimeS: number;
  parameters: number;
  testAccuracy: number | null;
}

/** Runs the benchmark; prints one JSON object on stdout. */
export async function main(args: string[]): Promise<void> {
  const cold = args.includes("--cold");
  const cacheDir = arg(args, "--cache-dir", "") || (cold ? ".cache/bench-train" : undefined);
  const dash = args.indexOf("--");
  const extra = dash >= 0 ? args.slice(dash + 1) : [];
  if (cold && cacheDir) await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
  const name = `bench-train-${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}`;
  // `deno task train` as deno.json defines it (its permissions), without the leading `deno`.
  const task = JSON.parse(await Deno.readTextFile("deno.json")).tasks.train as string;
  const trainArgs = [...task.split(" ").slice(1), "--name", name, "--json"]
    .concat(cacheDir ? ["--cache-dir", cacheDir] : [], extra);
  const loadStart = Deno.loadavg();
  const t0 = performance.now();
  const cmd = { args: trainArgs, stdout: "piped", stderr: "inherit" } as const;
  const child = new Deno.Command(Deno.execPath(), cmd).spawn();
  // CPU seconds of the child (all threads: model, loader and simulator workers), sampled
  // with `ps -o times=` every 2 s until it exits (null where ps is missing).
  let cpuSeconds: number | null = null;
  const poll = setInterval(async () => {
    try {
      const ps = await childJson("ps", ["-o", "times=", "-p", String(child.pid)], "piped");
      if (ps.code === 0 && typeof ps.json === "number") cpuSeconds = ps.json;
    } catch { /* no ps */ }
  }, 2000);
  const out = await child.output();
  clearInterval(poll);
  const wall = (performance.now() - t0) / 1000;
  const loadEnd = Deno.loadavg();
  let summary: Summary | null = null;
  try {
    summary = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  } catch { /* reported below */ }
  const table = summary
    ? await Deno.readTextFile(`${summary.run}/eval/metrics.md`).catch(() => null)
    : null;
  const info = summary
    ? JSON.parse(await Deno.readTextFile(`${summary.run}/run.json`).catch(() => "null"))
    : null;
  printJson({
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
  });
}
