/** Loads fixtures/rubin/expected.json (the parquet-wasm + astropy reference; see its README). */

/** One HDU of a cut-out as the reference measured it. */
export interface RefHdu {
  extname: string;
  shape: [number, number];
  finiteSum: number;
  nonFinite: number;
}

/** One alert as the reference read it. */
export interface RefAlert {
  file: string;
  index: number;
  diaSourceId: string;
  diaObjectId: string;
  ssObjectId: string;
  band: string;
  midpointMjdTai: number;
  psfFlux: number;
  nPrvDiaSources: number | null;
  nPrvDiaForcedSources: number | null;
  lsstSchemaVersion: string;
  simbadOtype: string | null;
  cutouts: Record<string, RefHdu[]>;
}

/** The fixture folder. */
export const RUBIN_DIR = "fixtures/rubin";

/** The reference alerts, in file then row order. */
export function loadRubinReference(): RefAlert[] {
  return (JSON.parse(Deno.readTextFileSync(`${RUBIN_DIR}/expected.json`)) as { alerts: RefAlert[] })
    .alerts;
}

/** Relative closeness of two sums (float64 sums in different orders differ in the last bits). */
export function closeSum(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}
