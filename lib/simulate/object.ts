/**
 * One simulated object in memory: its parameters, labels and rendered
 * stamps. {@link simulateObject} is pure: the same options give the same
 * numbers, whichever process computes it and in whatever order.
 *
 * @module
 */
import { Rng } from "../util/rng.ts";
import type { ObjectSeries } from "../survey/series.ts";
import { bandSeeing, bandSky } from "./cadence.ts";
import { assignTrueClasses, buildPlan, type SurveyPlan } from "./labels.ts";
import { GaussStream } from "./gauss_stream.ts";
import { addNoise, frameNoise } from "./noise.ts";
import {
  differenceImage,
  drawSubtractionErrors,
  makeTemplates,
  type Scene,
  type TemplateImage,
} from "./difference.ts";
import { type FramePlan, planFrames, templateFlux } from "./frames.ts";
import { HostGrid } from "./host_grid.ts";
import { photometricClass } from "./photo_class.ts";
import {
  addNeighbours,
  applyArtefacts,
  drawFrameNuisance,
  drawNeighbours,
  type FrameNuisance,
  type Neighbour,
} from "./nuisance.ts";
import { drawObjectParams, type ObjectParams, type SimClass } from "./params.ts";
import { doubleGaussianPsf } from "./psf.ts";
import { addPointSource, type HostShape } from "./render.ts";
import { PIXEL_SCALE, SDSS_BANDS } from "./sdss.ts";
import { sersicMixture } from "./sersic.ts";

export { HOST_SEEING_MIN, HOST_SEEING_STEP } from "./host_grid.ts";

/** Options of the in-memory simulator (a subset of the survey options). */
export interface SimulateObjectOptions {
  /** Survey seed (default 1). */
  seed?: number;
  /** Number of objects of the survey the object belongs to (default 8249; sets the labels). */
  objects?: number;
  /** Stamp side in pixels (default 32). */
  size?: number;
  /** Bands to simulate, a subset of "ugriz" (default "ugriz"). */
  bands?: string;
  /** Template-subtracted stamps instead of science stamps (default false). */
  difference?: boolean;
  /** Also make per-band templates and per-frame difference stamps (default true). */
  differenceImages?: boolean;
  /** Photometric mislabelling rate of unconfirmed SNe (default 0.08). */
  photometricErrorRate?: number;
  /** Skip the noise and the nuisances (for tests of the physics). */
  noiseless?: boolean;
}

/** Defaults of {@link SimulateObjectOptions}. */
export const OBJECT_DEFAULTS: Required<Omit<SimulateObjectOptions, "noiseless">> = {
  seed: 1,
  objects: 8249,
  size: 32,
  bands: "ugriz",
  difference: false,
  differenceImages: true,
  photometricErrorRate: 0.08,
};

/** One rendered band-frame. */
export interface SimFrame {
  /** Visit index within the object's series (0-based). */
  epoch: number;
  /** Band letter. */
  band: string;
  /** MJD of the exposure. */
  mjd: number;
  /** Seeing FWHM, arcsec. */
  seeing: number;
  /** Sky brightness, AB mag/arcsec^2. */
  skyMag: number;
  /** Transparency (1 = photometric). */
  transparency: number;
  /** Noise of an empty pixel, nanomaggies (including the template's in difference mode). */
  skySigma: number;
  /** Effective gain, electrons per nanomaggy (transparency included). */
  gain: number;
  /** Model flux of the point source (SN, nucleus, star), nanomaggies. */
  pointFlux: number;
  /** Model flux of the host, nanomaggies (0 without host). */
  hostFlux: number;
  /** Pixels `[size, size]`, row-major (NAXIS1 fastest), nanomaggies, sky subtracted. */
  pixels: Float32Array;
  /** Difference stamp (science minus the PSF-matched template), when made. */
  difference?: Float32Array;
  /** Noise of an empty pixel of the difference stamp, nanomaggies. */
  differenceSigma?: number;
  /** Stamp width in pixels (= size; a SimFrame is a `Frame` of lib/survey/series.ts). */
  width: number;
  /** Stamp height in pixels (= size). */
  height: number;
}

/** One simulated object (usable wherever an {@link ObjectSeries} is expected). */
export interface SimulatedObject extends ObjectSeries {
  /** 0-based index. */
  index: number;
  /** Identifier `S82-000001` (index + 1, six digits). */
  id: string;
  /**
   * Catalogue label: spectroscopic (the truth) if confirmed, else the photometric classifier's
   * (lib/simulate/photo_class.ts) on the difference light curve.
   */
  label: SimClass;
  /** True class. */
  trueClass: SimClass;
  /** True sub-type. */
  subtype: string;
  /** Spectroscopically confirmed. */
  confirmed: boolean;
  /** Stamp side in pixels. */
  size: number;
  /** Template-subtracted stamps. */
  difference: boolean;
  /** All parameters (position, redshift, host, light-curve model, visits). */
  params: ObjectParams;
  /** The frames, time-ordered, ugriz within a visit. */
  frames: SimFrame[];
  /** Per band the deep template (empty when no difference images were made). */
  templates: TemplateImage[];
}

/** The identifier of object `index`. */
export function objectId(index: number): string {
  return `S82-${String(index + 1).padStart(6, "0")}`;
}

/** Checks and completes options; throws RangeError on bad values. */
export function resolveObjectOptions(
  opts: SimulateObjectOptions,
): Required<SimulateObjectOptions> {
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const o: Required<SimulateObjectOptions> = { ...OBJECT_DEFAULTS, noiseless: false, ...given };
  if (!Number.isInteger(o.objects) || o.objects < 1) {
    throw new RangeError(`objects must be a positive integer, got ${o.objects}`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in 0..4294967295, got ${o.seed}`);
  }
  if (!Number.isInteger(o.size) || o.size < 8 || o.size > 256) {
    throw new RangeError(`size must be an integer in 8..256, got ${o.size}`);
  }
  const bands = [...o.bands];
  if (
    bands.length === 0 || bands.some((b) => !SDSS_BANDS.includes(b)) ||
    new Set(bands).size !== bands.length
  ) {
    throw new RangeError(`bands must be distinct letters of "ugriz", got "${o.bands}"`);
  }
  // Canonical order ugriz.
  o.bands = SDSS_BANDS.filter((b) => bands.includes(b)).join("");
  if (!(o.photometricErrorRate >= 0 && o.photometricErrorRate < 0.5)) {
    throw new RangeError(`photometricErrorRate must be in [0, 0.5), got ${o.photometricErrorRate}`);
  }
  return o;
}

interface SurveyState {
  plan: SurveyPlan;
  params: Map<number, ObjectParams>;
}

const states = new Map<string, SurveyState>();

function stateKey(seed: number, objects: number, rate: number): string {
  return `${seed}:${objects}:${rate}`;
}

/** Parameters of object `index` (cached per survey). */
export function objectParams(
  seed: number,
  objects: number,
  rate: number,
  index: number,
  trueClass: SimClass,
): ObjectParams {
  const key = stateKey(seed, objects, rate);
  let st = states.get(key);
  if (!st) {
    st = { plan: { trueClass: [], label: [], confirmed: [] }, params: new Map() };
    states.set(key, st);
  }
  let p = st.params.get(index);
  if (!p) {
    p = drawObjectParams(seed, index, trueClass);
    st.params.set(index, p);
  }
  return p;
}

/**
 * The labelling plan of a survey (classes, confirmation, photometric labels),
 * computed once per (seed, objects, rate) in this process. It draws the
 * parameters of every SN (cheap: no pixels).
 */
export function surveyPlan(seed: number, objects: number, rate: number): SurveyPlan {
  const key = stateKey(seed, objects, rate);
  const st = states.get(key);
  if (st && st.plan.trueClass.length === objects) return st.plan;
  const classes = assignTrueClasses(objects, seed, rate);
  const plan = buildPlan(objects, seed, rate, (i) => {
    const p = objectParams(seed, objects, rate, i, classes[i]!);
    return { peakMagR: p.peakMagR, confirmDraw: p.confirmDraw, mislabelDraw: p.mislabelDraw };
  });
  if (!states.has(key)) states.set(key, { plan, params: new Map() });
  states.get(key)!.plan = plan;
  return plan;
}

/** Forgets cached plans and parameters (to bound memory in long sessions). */
export function clearSimulationCache(): void {
  states.clear();
}

/** The scene of an object on its stamp: source position, host renders, template fluxes. */
function sceneOf(p: ObjectParams, size: number, rng: Rng, neighbours: Neighbour[]): Scene {
  // The candidate sits in the centre pixel (index size/2) at a random sub-pixel position.
  const cx = size / 2 + rng.uniform(-0.5, 0.5), cy = size / 2 + rng.uniform(-0.5, 0.5);
  const host: HostShape | null = p.host
    ? {
      mixture: sersicMixture(p.host.n),
      reArcsec: p.host.reArcsec,
      q: p.host.q,
      pa: p.host.pa,
      x: cx + p.hostDx / PIXEL_SCALE,
      y: cy + p.hostDy / PIXEL_SCALE,
    }
    : null;
  return {
    size,
    cx,
    cy,
    host: host ? new HostGrid(host, size) : null,
    hostFlux: p.hostFlux,
    templateFlux: (b) => templateFlux(p, b),
    neighbours,
  };
}

const NO_NUISANCE: FrameNuisance = { dx: 0, dy: 0, ellipticity: 0, cosmic: [], masked: [] };

/**
 * The science image of one frame: host, point source and neighbours (moved
 * by the cut-out's centring error), then noise from all and the sky, then
 * the detector's artefacts (cosmic rays, saturation, masked pixels).
 */
function scienceImage(
  scene: Scene,
  f: FramePlan,
  seeing: number,
  noise: ReturnType<typeof frameNoise> | null,
  gauss: GaussStream,
  nuis: FrameNuisance,
  scratch: { unit: Float64Array; deviates: Float64Array },
): Float64Array {
  const size = scene.size;
  const img = new Float64Array(size * size);
  const hostFlux = scene.hostFlux[f.band] ?? 0;
  if (scene.host && hostFlux > 0) scene.host.add(img, seeing, hostFlux, nuis.dx, nuis.dy);
  if (f.pointFlux > 0) {
    const unit = scratch.unit;
    unit.fill(0);
    const psf = doubleGaussianPsf(seeing);
    addPointSource(unit, size, scene.cx + nuis.dx, scene.cy + nuis.dy, 1, psf, nuis.ellipticity);
    for (let i = 0; i < img.length; i++) img[i] = img[i]! + f.pointFlux * unit[i]!;
  }
  addNeighbours(img, size, scene.neighbours, f.band, seeing, nuis.dx, nuis.dy, nuis.ellipticity);
  if (noise) {
    addNoise(img, noise, gauss, scratch.deviates);
    applyArtefacts(img, nuis, f.band, noise.skySigma);
  }
  return img;
}

/**
 * Renders the frames of an object whose parameters and labels are known:
 * science stamps, and (unless `differenceImages` is false) per band a deep
 * template and per frame a difference stamp (lib/simulate/difference.ts).
 *
 * @param p The object's parameters.
 * @param labels Its catalogue label and confirmation.
 * @param opts Resolved options.
 */
export function renderObject(
  p: ObjectParams,
  labels: { label: SimClass; confirmed: boolean },
  opts: Required<SimulateObjectOptions>,
): SimulatedObject {
  const size = opts.size;
  const bands = [...opts.bands];
  const plans = planFrames(opts.seed, p, bands);
  const rng = Rng.derive(opts.seed, `noise:${p.index}`);
  const gauss = new GaussStream(rng);
  // Nuisances (none in noiseless renders, which test the physics).
  const nuisRng = opts.noiseless ? null : Rng.derive(opts.seed, `nuisance:${p.index}`);
  const scene = sceneOf(p, size, rng, nuisRng ? drawNeighbours(nuisRng, size) : []);
  const withDiff = opts.difference || opts.differenceImages;
  const diffRng = Rng.derive(opts.seed, `diff:${p.index}`);
  const made = withDiff
    ? makeTemplates(scene, bands, opts.noiseless ? null : new GaussStream(diffRng))
    : null;
  // Scratch buffers reused by every frame (the unit-flux point source, the normal deviates).
  const scratch = { unit: new Float64Array(size * size), deviates: new Float64Array(size * size) };
  const frames: SimFrame[] = plans.map((f) => {
    const night = p.visits[f.visitIndex]!.night;
    const seeing = bandSeeing(night.seeingR, f.band);
    const skyMag = bandSky(night, f.band);
    const noise = frameNoise(f.band, skyMag, night.transparency);
    const nuis = nuisRng ? drawFrameNuisance(nuisRng, size) : NO_NUISANCE;
    const img = scienceImage(scene, f, seeing, opts.noiseless ? null : noise, gauss, nuis, scratch);
    const frame: SimFrame = {
      epoch: f.epoch,
      band: f.band,
      mjd: f.mjd,
      seeing,
      skyMag,
      transparency: night.transparency,
      skySigma: noise.skySigma,
      gain: noise.gain,
      pointFlux: f.pointFlux,
      hostFlux: p.hostFlux[f.band] ?? 0,
      pixels: Float32Array.from(img),
      width: size,
      height: size,
    };
    if (made) {
      const t = made.templates.find((x) => x.band === f.band)!;
      const e = drawSubtractionErrors(diffRng);
      const tn = made.noise.get(f.band);
      frame.difference = differenceImage(scene, img, f.band, seeing, e, tn, nuis);
      frame.differenceSigma = Math.hypot(noise.skySigma, opts.noiseless ? 0 : t.skySigma);
      if (opts.difference) {
        frame.pixels = frame.difference;
        frame.skySigma = frame.differenceSigma;
      }
    }
    return frame;
  });
  // Unconfirmed objects: the label of the photometric classifier run on the object's own
  // difference light curve (lib/simulate/photo_class.ts); the plan's label without differences.
  const label = !labels.confirmed && made ? photometricClass(frames).label : labels.label;
  return {
    index: p.index,
    id: objectId(p.index),
    label,
    trueClass: p.trueClass,
    subtype: p.subtype,
    confirmed: labels.confirmed,
    size,
    difference: opts.difference,
    params: p,
    frames,
    templates: made?.templates ?? [],
  };
}

/**
 * Simulates object `index` of a survey entirely in memory (no files).
 *
 * @param index 0-based object index, below `opts.objects`.
 * @param opts Survey options (seed, size, bands, ...); `noiseless` for tests.
 * @returns The object with its labels, parameters and frames.
 *
 * @example
 * ```ts
 * import { simulateObject } from "./object.ts";
 * const obj = simulateObject(0, { objects: 20, seed: 3 });
 * console.log(obj.id, obj.trueClass, obj.frames.length, obj.frames[0]?.pixels.length);
 * ```
 */
export function simulateObject(index: number, opts: SimulateObjectOptions = {}): SimulatedObject {
  const o = resolveObjectOptions(opts);
  if (!Number.isInteger(index) || index < 0 || index >= o.objects) {
    throw new RangeError(`object index ${index} outside 0..${o.objects - 1}`);
  }
  const plan = surveyPlan(o.seed, o.objects, o.photometricErrorRate);
  const p = objectParams(o.seed, o.objects, o.photometricErrorRate, index, plan.trueClass[index]!);
  return renderObject(p, { label: plan.label[index]!, confirmed: plan.confirmed[index]! }, o);
}
