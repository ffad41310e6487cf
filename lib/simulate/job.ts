/**
 * The two units of work of a survey simulation, shared by the main thread and
 * the workers: drawing the selection information of SNe (for the labelling
 * plan) and rendering + writing objects.
 *
 * @module
 */
import type { SnSelectionInfo } from "./labels.ts";
import {
  objectParams,
  renderObject,
  resolveObjectOptions,
  type SimulateObjectOptions,
} from "./object.ts";
import type { SimClass } from "./params.ts";
import { catalogRow, objectFileBytes, type ObjectFileKind, objectFileName } from "./write.ts";

/** The survey-wide settings a job needs. */
export interface JobSettings {
  /** Object options (seed, objects, size, bands, difference, photometricErrorRate). */
  object: SimulateObjectOptions;
  /** Folder the object files go to (its `objects/` sub-folder must exist). */
  dir: string;
  /** Gzip the files. */
  gzip: boolean;
  /** Quantisation level (0 = float32). */
  quantize: number;
}

/** One object to render. */
export interface RenderItem {
  index: number;
  trueClass: SimClass;
  label: SimClass;
  confirmed: boolean;
}

/** What rendering one object produced. */
export interface RenderResult {
  index: number;
  /** Catalogue row values. */
  row: string[];
  /** Bytes written. */
  bytes: number;
  /** Band-frames written. */
  frames: number;
}

/** Selection information (peak magnitude, draws) of the given SNe. */
export function selectInfos(
  settings: JobSettings,
  items: { index: number; trueClass: SimClass }[],
): (SnSelectionInfo & { index: number })[] {
  const o = resolveObjectOptions(settings.object);
  return items.map(({ index, trueClass }) => {
    const p = objectParams(o.seed, o.objects, o.photometricErrorRate, index, trueClass);
    return {
      index,
      peakMagR: p.peakMagR,
      confirmDraw: p.confirmDraw,
      mislabelDraw: p.mislabelDraw,
    };
  });
}

/** Renders one object and writes its file; returns its catalogue row and sizes. */
export async function renderAndWrite(
  settings: JobSettings,
  item: RenderItem,
): Promise<RenderResult> {
  const o = resolveObjectOptions(settings.object);
  const p = objectParams(o.seed, o.objects, o.photometricErrorRate, item.index, item.trueClass);
  const obj = renderObject(p, { label: item.label, confirmed: item.confirmed }, o);
  const fileOpts = { gzip: settings.gzip, quantize: settings.quantize, seed: o.seed };
  const kinds: ObjectFileKind[] = obj.templates.length > 0
    ? ["science", "difference", "template"]
    : ["science"];
  const names: string[] = [];
  let bytes = 0;
  for (const kind of kinds) {
    const name = objectFileName(item.index, settings.gzip, kind);
    const data = await objectFileBytes(obj, fileOpts, kind);
    await Deno.writeFile(`${settings.dir}/${name}`, data);
    names.push(name);
    bytes += data.length;
  }
  return {
    index: item.index,
    row: catalogRow(obj, names[0]!, names[1] ?? "", names[2] ?? ""),
    bytes,
    frames: obj.frames.length,
  };
}
