/**
 * `deno task bench alerts [--dir DIR] [--seconds S]`: throughput of the ZTF
 * alert reader on a folder of packets (default ../shared/data/ztf-alerts),
 * printed as one JSON object on stdout.
 *
 * - decode: packets/s of Avro + gunzip + FITS for all three cut-outs, from
 *   bytes already in memory, every packet of the folder repeated until at
 *   least `--seconds` (default 2) of work;
 * - decodeOneCutout: the same with only the difference cut-out (what
 *   `alertSeries` decodes);
 * - grouping: objects/s of `groupAlertSeries` (pad/mask/NaN -> 0, sort) on
 *   decoded packets, the folder's objects copied under new ids until at least
 *   `--seconds` of work;
 * - endToEnd: objects/s of `alertSeries` on the folder (file reads + decode of
 *   one cut-out + grouping), repeated.
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { listAlertFiles } from "../../lib/survey/ztf_files.ts";
import { type AlertPacket, readAlertPackets } from "../../lib/survey/ztf_packet.ts";
import { alertSeries, groupAlertSeries } from "../../lib/survey/ztf_series.ts";

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}

/** What one timed section measured. */
interface Timing {
  items: number;
  seconds: number;
  perSec: number;
  cpuSeconds: number;
  perCpuSec: number;
}

/**
 * Runs `fn` (which does `unit` items) until `seconds` of wall time have
 * passed, after one uncounted warm-up call. Reports wall and process CPU time
 * (user + system): on a shared machine the rate per CPU second is the steadier number.
 */
async function timed(
  seconds: number,
  unit: number,
  fn: () => unknown | Promise<unknown>,
): Promise<Timing> {
  await fn(); // warm-up (schema parsing, JIT), not counted
  let items = 0;
  const c0 = cpuUsage();
  const t0 = performance.now();
  let dt = 0;
  do {
    await fn();
    items += unit;
    dt = (performance.now() - t0) / 1000;
  } while (dt < seconds);
  const c = cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  return {
    items,
    seconds: +dt.toFixed(3),
    perSec: +(items / dt).toFixed(1),
    cpuSeconds: +cpu.toFixed(3),
    perCpuSec: +(items / cpu).toFixed(1),
  };
}

/** Entry point: prints one JSON object. */
export async function main(args: string[]): Promise<void> {
  const dir = arg(args, "--dir", "../shared/data/ztf-alerts");
  const seconds = Number(arg(args, "--seconds", "2"));
  const files = await listAlertFiles([dir]);
  const bytes = await Promise.all(files.map((f) => Deno.readFile(f)));
  const totalBytes = bytes.reduce((n, b) => n + b.length, 0);
  let packetsPerPass = 0;
  let fitsCutouts = 0;
  for (let i = 0; i < files.length; i++) {
    for (const p of readAlertPackets(bytes[i]!, files[i]!)) {
      packetsPerPass++;
      fitsCutouts += Object.values(p.cutouts).filter((c) => c.pixels !== null).length;
    }
  }
  const decodeAll = (cutouts?: ["difference"]): number => {
    let n = 0;
    for (let i = 0; i < files.length; i++) {
      n += readAlertPackets(bytes[i]!, files[i]!, cutouts ? { cutouts } : {}).length;
    }
    return n;
  };
  const decode = await timed(seconds, packetsPerPass, () => decodeAll());
  const decodeOne = await timed(seconds, packetsPerPass, () => decodeAll(["difference"]));

  // Grouping: copies of the folder's packets under new object ids.
  const base: AlertPacket[] = [];
  for (let i = 0; i < files.length; i++) {
    base.push(...readAlertPackets(bytes[i]!, files[i]!, { cutouts: ["difference"] }));
  }
  const objectsPerCopy = groupAlertSeries(base, { cutout: "difference" }).series.length;
  const copies = 200;
  const many: AlertPacket[] = [];
  for (let k = 0; k < copies; k++) {
    for (const p of base) many.push({ ...p, id: `${p.id}#${k}` });
  }
  const grouping = await timed(seconds, objectsPerCopy * copies, () => {
    groupAlertSeries(many, { cutout: "difference" });
  });

  const endToEnd = await timed(
    seconds,
    objectsPerCopy,
    () => alertSeries(dir, { cutout: "difference" }),
  );

  console.log(JSON.stringify(
    {
      bench: "alerts",
      dir,
      deno: Deno.version.deno,
      os: `${Deno.build.os} ${Deno.build.arch}`,
      cpus: navigator.hardwareConcurrency,
      loadavg: Deno.loadavg(),
      sample: {
        files: files.length,
        bytes: totalBytes,
        packets: packetsPerPass,
        fitsCutouts,
        objectsWithFrames: objectsPerCopy,
      },
      decode: {
        what: "Avro + gunzip + FITS, 3 cut-outs per packet, bytes in memory",
        packets: decode.items,
        seconds: decode.seconds,
        packetsPerSec: decode.perSec,
        cpuSeconds: decode.cpuSeconds,
        packetsPerCpuSec: decode.perCpuSec,
      },
      decodeOneCutout: {
        what: "Avro + gunzip + FITS, difference cut-out only",
        packets: decodeOne.items,
        seconds: decodeOne.seconds,
        packetsPerSec: decodeOne.perSec,
        cpuSeconds: decodeOne.cpuSeconds,
        packetsPerCpuSec: decodeOne.perCpuSec,
      },
      grouping: {
        what: "groupAlertSeries on decoded packets (63x63 pad/mask, sort)",
        objects: grouping.items,
        seconds: grouping.seconds,
        objectsPerSec: grouping.perSec,
        cpuSeconds: grouping.cpuSeconds,
        objectsPerCpuSec: grouping.perCpuSec,
      },
      endToEnd: {
        what: "alertSeries(dir): read files + decode difference cut-out + group",
        objects: endToEnd.items,
        seconds: endToEnd.seconds,
        objectsPerSec: endToEnd.perSec,
        cpuSeconds: endToEnd.cpuSeconds,
        objectsPerCpuSec: endToEnd.perCpuSec,
      },
    },
    null,
    2,
  ));
}
