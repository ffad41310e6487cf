/**
 * Small ZTF-style alert packets made in memory (a reduced schema of the ZTF
 * alert: objectId, candid, candidate, prv_candidates and the three gzipped
 * FITS cut-outs), so that examples, tests and benchmarks need no files.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
import { writeFits } from "../fits/write.ts";
import { writeAvroContainer } from "./avro_write.ts";

const CANDIDATE_FIELDS = [
  { name: "jd", type: "double" },
  { name: "fid", type: "int" },
  { name: "candid", type: ["null", "long"], default: null },
  { name: "magpsf", type: ["null", "float"], default: null },
  { name: "sigmapsf", type: ["null", "float"], default: null },
  { name: "diffmaglim", type: ["null", "float"], default: null },
  { name: "isdiffpos", type: ["null", "string"], default: null },
  { name: "ra", type: ["null", "double"], default: null },
  { name: "dec", type: ["null", "double"], default: null },
  { name: "xpos", type: ["null", "float"], default: null },
  { name: "ypos", type: ["null", "float"], default: null },
];

const CUTOUT = {
  type: "record",
  name: "cutout",
  fields: [{ name: "fileName", type: "string" }, { name: "stampData", type: "bytes" }],
};

/** The reduced ZTF alert schema that {@link makeAlertPacket} writes (namespace `ztf`). */
export const EXAMPLE_ALERT_SCHEMA: Readonly<Record<string, unknown>> = {
  type: "record",
  name: "alert",
  namespace: "ztf",
  fields: [
    { name: "schemavsn", type: "string" },
    { name: "objectId", type: "string" },
    { name: "candid", type: "long" },
    { name: "candidate", type: { type: "record", name: "candidate", fields: CANDIDATE_FIELDS } },
    {
      name: "prv_candidates",
      type: ["null", {
        type: "array",
        items: { type: "record", name: "prv_candidate", fields: CANDIDATE_FIELDS },
      }],
      default: null,
    },
    { name: "cutoutScience", type: ["null", CUTOUT], default: null },
    { name: "cutoutTemplate", type: ["null", "cutout"], default: null },
    { name: "cutoutDifference", type: ["null", "cutout"], default: null },
  ],
};

/** Options of {@link makeAlertPacket}. */
export interface ExamplePacketOptions {
  /** objectId (default `ZTF21example`). */
  objectId?: string;
  /** Alert candid (default 2000000000000001; a number, so at most 2^53). */
  candid?: number;
  /** Julian Date (default 2459300.5). */
  jd?: number;
  /** Filter id (default 2 = r). */
  fid?: number;
  /** Cut-out width and height (default 63). */
  size?: number;
  /** Raw `stampData` for all three cut-outs instead of the gzipped FITS stamp. */
  stampData?: Uint8Array;
  /** Number of prv_candidates (default 2; each 1 day earlier). */
  history?: number;
  /** Block codec (default `null`). */
  codec?: "null" | "deflate";
}

/** A gzipped float32 FITS stamp of `size` x `size` pixels, value = x + 100 y + base. */
export function exampleStamp(size: number, base = 0): Uint8Array {
  const data = Array.from(
    { length: size * size },
    (_, i) => base + (i % size) + 100 * Math.floor(i / size),
  );
  return gzipSync(writeFits([{ bitpix: -32, shape: [size, size], data }]));
}

/**
 * Makes one alert packet (an Avro container of one record) in memory.
 *
 * @param options Ids, time, band, stamp size or raw stamp bytes, codec.
 * @returns The `.avro` file's bytes.
 *
 * @example
 * ```ts
 * import { makeAlertPacket } from "./ztf_example.ts";
 * import { readAlertPackets } from "./ztf_packet.ts";
 * const [p] = readAlertPackets(makeAlertPacket({ size: 21 }), "mem.avro");
 * if (p!.id !== "ZTF21example" || p!.cutouts.science?.width !== 21) throw new Error("packet");
 * ```
 */
export function makeAlertPacket(options: ExamplePacketOptions = {}): Uint8Array {
  const jd = options.jd ?? 2459300.5;
  const fid = options.fid ?? 2;
  const candid = options.candid ?? 2000000000000001;
  const cand = (dt: number, c: number | null): Record<string, unknown> => ({
    jd: jd - dt,
    fid,
    candid: c,
    magpsf: 18.5 + dt / 10,
    sigmapsf: 0.05,
    diffmaglim: 20.5,
    isdiffpos: "t",
    ra: 150.1,
    dec: 2.2,
    xpos: 1000,
    ypos: 1000,
  });
  const stamp = (name: string, base: number): Record<string, unknown> => ({
    fileName: `${name}.fits.gz`,
    // avsc writes `bytes` from Buffers.
    stampData: Buffer.from(options.stampData ?? exampleStamp(options.size ?? 63, base)),
  });
  const record = {
    schemavsn: "3.3",
    objectId: options.objectId ?? "ZTF21example",
    candid,
    candidate: cand(0, candid),
    prv_candidates: Array.from({ length: options.history ?? 2 }, (_, i) => cand(i + 1, null)),
    cutoutScience: stamp("sci", 0),
    cutoutTemplate: stamp("ref", 1),
    cutoutDifference: stamp("diff", 2),
  };
  return writeAvroContainer(EXAMPLE_ALERT_SCHEMA, [record], { codec: options.codec });
}
