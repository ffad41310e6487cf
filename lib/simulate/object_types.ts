/**
 * The types of one simulated object's parameters, shared by the drawing
 * modules (params.ts, sn_params.ts) and the frame planning (frames.ts).
 *
 * @module
 */
import type { AgnParams } from "./agn.ts";
import type { Epoch } from "./cadence.ts";
import type { HostParams } from "./host.ts";
import type { CcParams } from "./sn_cc.ts";
import type { SnIaParams } from "./sn_ia.ts";
import type { VariableParams } from "./variable_star.ts";

/** The four classes, in the paper's order. */
export type SimClass = "AGN" | "SNIa" | "Variable" | "SNOther";

/** All parameters of one object (no pixels). */
export interface ObjectParams {
  /** 0-based index in the survey. */
  index: number;
  /** True class. */
  trueClass: SimClass;
  /** True sub-type: Ia, II-P, IIn, Ibc, DRW, RRLyrae, EB, irregular. */
  subtype: string;
  /** Right ascension, degrees in 0..360. */
  ra: number;
  /** Declination, degrees. */
  dec: number;
  /** Galactic E(B-V). */
  ebv: number;
  /** Redshift (null for stars). */
  z: number | null;
  /** Distance modulus (0 for stars: their magnitudes are apparent). */
  mu: number;
  /** The host galaxy, or null. */
  host: HostParams | null;
  /** Host centre relative to the candidate (stamp centre) along x, arcsec. */
  hostDx: number;
  /** Host centre relative to the candidate along y, arcsec. */
  hostDy: number;
  /** Host flux per band (nanomaggies, after Galactic extinction). */
  hostFlux: Record<string, number>;
  /** SN Ia parameters. */
  ia?: SnIaParams;
  /** Core-collapse parameters. */
  cc?: CcParams;
  /** Observer-frame MJD of explosion (SNe). */
  tExplosion?: number;
  /** AGN parameters. */
  agn?: AgnParams;
  /** Mean nucleus / star flux per band (nanomaggies, after extinction). */
  meanFlux?: Record<string, number>;
  /** Variable star parameters. */
  star?: VariableParams;
  /** Observing window, MJD: the three seasons for every object (class-blind, issue 17). */
  window: [number, number];
  /** Every visit of the position in the window, in time order (the series is a subset). */
  visits: Epoch[];
  /** Brightest model r magnitude of the variable source over the series. */
  peakMagR: number;
  /** Observed r magnitude of the host (NaN without host). */
  hostMagR: number;
  /** Uniform draw for the spectroscopic-confirmation choice. */
  confirmDraw: number;
  /** Uniform draw for the photometric-mislabelling choice. */
  mislabelDraw: number;
}
