/**
 * The band map: which bands a dataset has, in which order (band id 1..B; 0
 * is padding), and how the names found in files map onto them. Any set of
 * bands works: ugriz (the paper), gri, ZTF g/r/i, a single band.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/**
 * The SDSS bands of the paper, band ids 1..5.
 *
 * @example
 * ```ts
 * import { BandMap, DEFAULT_BANDS } from "./bands.ts";
 * if (!(DEFAULT_BANDS.join("") === "ugriz")) throw new Error("example check failed");
 * if (!(new BandMap().id("r") === 3)) throw new Error("example check failed"); // the default map uses these bands
 * ```
 */
export const DEFAULT_BANDS: readonly string[] = ["u", "g", "r", "i", "z"];

/**
 * The six bands of the Rubin Observatory's LSST (`diaSource.band` of its
 * alerts), band ids 1..6; `--bands rubin` (or `lsst`) selects them.
 *
 * @example
 * ```ts
 * import { BandMap, RUBIN_BANDS } from "./bands.ts";
 * if (!(new BandMap({ bands: BandMap.parseList("rubin") }).id("y") === 6)) throw new Error("check");
 * if (!(RUBIN_BANDS.join("") === "ugrizy")) throw new Error("example check failed");
 * ```
 */
export const RUBIN_BANDS: readonly string[] = ["u", "g", "r", "i", "z", "y"];

/** Band lists known by name to {@link BandMap.parseList}. */
const BAND_PRESETS: Readonly<Record<string, readonly string[]>> = {
  rubin: RUBIN_BANDS,
  lsst: RUBIN_BANDS,
};

/** Configuration of a band map. */
export interface BandMapConfig {
  /** Band names in id order: `bands[0]` has id 1. */
  bands: readonly string[];
  /**
   * Other spellings found in files, mapped to a name of `bands`
   * (e.g. `{ "SDSS r": "r", "ZTF_g": "g", "1": "g" }`).
   */
  aliases?: Readonly<Record<string, string>>;
}

/**
 * Maps band names (as found in files) to band ids 1..B.
 *
 * @example ZTF bands under the names found in headers and alert packets
 * ```ts
 * import { BandMap } from "./bands.ts";
 * const map = new BandMap({
 *   bands: BandMap.parseList("g,r,i"),
 *   aliases: BandMap.parseAliases("ZTF_g=g,ZTF_r=r,1=g,2=r,3=i"),
 * });
 * if (!(map.size === 3 && map.id("r") === 2 && map.id("ZTF_g") === 1)) throw new Error("example check failed");
 * if (!(map.id("3") === 3 && map.name(3) === "i")) throw new Error("example check failed");
 * if (!(map.id("u") === 0)) throw new Error("example check failed"); // unknown band
 * ```
 */
export class BandMap {
  /** Band names in id order (`bands[id - 1]`). */
  readonly bands: readonly string[];
  /** Aliases as configured. */
  readonly aliases: Readonly<Record<string, string>>;
  #ids = new Map<string, number>();

  /**
   * Creates the map; throws {@link UsageError} on an empty or duplicated band
   * list or an alias that points to no band.
   */
  constructor(config: BandMapConfig = { bands: DEFAULT_BANDS }) {
    const bands = config.bands.map((b) => b.trim());
    if (bands.length === 0) throw new UsageError("The band list is empty.");
    if (bands.length > 255) throw new UsageError("At most 255 bands are supported.");
    if (new Set(bands).size !== bands.length || bands.some((b) => b === "")) {
      throw new UsageError(`The band list ${JSON.stringify(bands)} has an empty or repeated name.`);
    }
    this.bands = bands;
    this.aliases = { ...(config.aliases ?? {}) };
    bands.forEach((b, i) => this.#ids.set(b, i + 1));
    for (const [alias, target] of Object.entries(this.aliases)) {
      const id = this.#ids.get(target.trim());
      if (id === undefined) {
        throw new UsageError(
          `Band alias "${alias}" points to "${target}", which is not in the band list ${
            JSON.stringify(bands)
          }.`,
        );
      }
      this.#ids.set(alias.trim(), id);
    }
  }

  /** Number of bands B. */
  get size(): number {
    return this.bands.length;
  }

  /** Band id (1..B) of a name as found in a file (trimmed, then aliases), or 0 if unknown. */
  id(name: string): number {
    return this.#ids.get(name.trim()) ?? 0;
  }

  /** Canonical band name of an id (1..B), or "" for 0/out of range. */
  name(id: number): string {
    return this.bands[id - 1] ?? "";
  }

  /** Parses a band list from the command line: `ugriz`, `g,r,i`, `ZTF_g,ZTF_r`, or `rubin` (ugrizy). */
  static parseList(text: string): string[] {
    const t = text.trim();
    const preset = BAND_PRESETS[t.toLowerCase()];
    if (preset) return [...preset];
    if (t.includes(",")) return t.split(",").map((s) => s.trim()).filter((s) => s !== "");
    return [...t];
  }

  /** Parses aliases from the command line: `"SDSS r=r,1=g"`. */
  static parseAliases(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const part of text.split(",")) {
      if (part.trim() === "") continue;
      const eq = part.indexOf("=");
      if (eq <= 0) throw new UsageError(`Band alias "${part}" is not of the form name=band.`);
      out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return out;
  }
}
