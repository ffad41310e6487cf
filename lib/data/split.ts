/**
 * Splits for two-stage training (paper §4.2), deterministic by seed and
 * stratified by class:
 *
 * 1. **test** = `testFraction` (10 %) of the *confirmed* labelled objects,
 *    per class; never used for training or model selection;
 * 2. the confirmed objects of `stage1Classes` (AGN, Variable) left after the
 *    test draw are halved (per class): one half joins stage 1;
 * 3. **stage 1** pool = all *unconfirmed* labelled objects (photometric
 *    labels) + that half; **stage 2** pool = the remaining confirmed objects;
 * 4. each pool gives `valFraction` (10 %) of its objects, per class, to its
 *    own validation set: stage-1 validation (which may hold unconfirmed
 *    objects) selects the stage-1 model; stage-2 validation holds confirmed
 *    objects only and selects the final model.
 *
 * Every labelled object is in exactly one of test, stage1.train, stage1.val,
 * stage2.train, stage2.val; unlabelled objects are listed apart and unused.
 * Within a class, ids are sorted before a seeded shuffle, so the split
 * depends only on (seed, objects), not on their order. Per-class counts use
 * largest remainders so the total is `round(fraction * n)` of each pool.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { Rng } from "../util/rng.ts";
import { DEFAULT_CLASSES } from "../survey/series.ts";

/** What a split needs to know about an object. */
export interface SplitObject {
  /** Object id. */
  id: string;
  /** Class name, or null when unlabelled. */
  label: string | null;
  /** Spectroscopically confirmed. */
  confirmed: boolean;
}

/** Options of {@link makeSplit}. */
export interface SplitOptions {
  /** Seed (the same seed and objects give the same split). */
  seed: number;
  /** Fraction of confirmed objects in the test set (default 0.1). */
  testFraction?: number;
  /** Fraction of each stage pool kept for its validation (default 0.1). */
  valFraction?: number;
  /** Classes whose confirmed objects are shared between stages (default AGN, Variable). */
  stage1Classes?: readonly string[];
  /** Fraction of those confirmed objects that go to stage 1 (default 0.5). */
  stage1Fraction?: number;
  /** Class names (default: the paper's four). */
  classes?: readonly string[];
}

/** A train/validation pair. */
export interface StageSplit {
  /** Training object ids. */
  train: string[];
  /** Validation object ids (model selection for the stage). */
  val: string[];
}

/** A saved split (`split.json`). */
export interface Split {
  /** Format version. */
  version: 1;
  /** The seed it was made with. */
  seed: number;
  /** Resolved options. */
  options: Required<Omit<SplitOptions, "seed">>;
  /** Test ids (confirmed only). */
  test: string[];
  /** Stage 1: unconfirmed + part of the confirmed AGN/Variables. */
  stage1: StageSplit;
  /** Stage 2: the remaining confirmed objects. */
  stage2: StageSplit;
  /** Objects without a label (not used). */
  unlabelled: string[];
  /** Per set, per class: number of objects. */
  counts: Record<string, Record<string, number>>;
}

/** Splits `ids` so that `round(frac * total)` are taken, per class by largest remainder. */
function stratifiedTake(
  byClass: Map<string, string[]>,
  frac: number,
  rng: Rng,
  classes: readonly string[],
): { taken: Map<string, string[]>; rest: Map<string, string[]> } {
  const total = [...byClass.values()].reduce((s, a) => s + a.length, 0);
  const want = Math.round(frac * total);
  const quota = classes.map((c) => frac * (byClass.get(c)?.length ?? 0));
  const n = quota.map(Math.floor);
  let left = want - n.reduce((s, v) => s + v, 0);
  const order = classes.map((_, i) => i).sort((a, b) =>
    (quota[b]! - n[b]!) - (quota[a]! - n[a]!) || a - b
  );
  for (const i of order) {
    if (left <= 0) break;
    if (n[i]! < (byClass.get(classes[i]!)?.length ?? 0)) {
      n[i]!++;
      left--;
    }
  }
  const taken = new Map<string, string[]>(), rest = new Map<string, string[]>();
  classes.forEach((c, i) => {
    const ids = rng.shuffle([...(byClass.get(c) ?? [])].sort());
    taken.set(c, ids.slice(0, n[i]).sort());
    rest.set(c, ids.slice(n[i]).sort());
  });
  return { taken, rest };
}

function groupByClass(objs: readonly SplitObject[], classes: readonly string[]) {
  const m = new Map<string, string[]>(classes.map((c) => [c, []]));
  for (const o of objs) m.get(o.label!)!.push(o.id);
  return m;
}

const flat = (m: Map<string, string[]>): string[] => [...m.values()].flat().sort();

/**
 * Makes the two-stage split. Throws on an object whose label is not one of
 * `classes`, or on a repeated id.
 *
 * @example
 * ```ts
 * import { makeSplit } from "./split.ts";
 * const objs = Array.from({ length: 40 }, (_, i) => ({
 *   id: `o${i}`, label: ["AGN", "SNIa", "Variable", "SNOther"][i % 4]!, confirmed: i % 2 === 0,
 * }));
 * const s = makeSplit(objs, { seed: 1 });
 * console.log(s.test.length); // 2 (10 % of the 20 confirmed)
 * ```
 */
export function makeSplit(objects: readonly SplitObject[], opts: SplitOptions): Split {
  const options: Required<Omit<SplitOptions, "seed">> = {
    testFraction: opts.testFraction ?? 0.1,
    valFraction: opts.valFraction ?? 0.1,
    stage1Classes: [...(opts.stage1Classes ?? ["AGN", "Variable"])],
    stage1Fraction: opts.stage1Fraction ?? 0.5,
    classes: [...(opts.classes ?? DEFAULT_CLASSES)],
  };
  const { classes } = options;
  for (const f of ["testFraction", "valFraction", "stage1Fraction"] as const) {
    if (!(options[f] >= 0 && options[f] <= 1)) {
      throw new ConventionError(`Split option ${f} = ${options[f]} is not in [0, 1].`);
    }
  }
  const seen = new Set<string>();
  const labelled: SplitObject[] = [], unlabelled: string[] = [];
  for (const o of objects) {
    if (seen.has(o.id)) {
      throw new ConventionError(`Object "${o.id}" appears twice in the split input.`);
    }
    seen.add(o.id);
    if (o.label === null) unlabelled.push(o.id);
    else if (!classes.includes(o.label)) {
      throw new ConventionError(
        `Object "${o.id}" has label "${o.label}", which is not one of ${classes.join(", ")}.`,
      );
    } else labelled.push(o);
  }
  const confirmed = labelled.filter((o) => o.confirmed);
  const unconfirmed = labelled.filter((o) => !o.confirmed);
  const { taken: test, rest: conf } = stratifiedTake(
    groupByClass(confirmed, classes),
    options.testFraction,
    Rng.derive(opts.seed, "split/test"),
    classes,
  );
  // Half of the remaining confirmed AGN/Variables go to stage 1.
  const shared = new Map<string, string[]>(
    classes.map((c) => [c, options.stage1Classes.includes(c) ? conf.get(c)! : []]),
  );
  const { taken: toStage1 } = stratifiedTake(
    shared,
    options.stage1Fraction,
    Rng.derive(opts.seed, "split/stage1-confirmed"),
    classes,
  );
  const movedSet = new Set(flat(toStage1));
  const pool1 = groupByClass(unconfirmed, classes);
  for (const c of classes) pool1.get(c)!.push(...toStage1.get(c)!);
  const pool2 = new Map<string, string[]>(
    classes.map((c) => [c, conf.get(c)!.filter((id) => !movedSet.has(id))]),
  );
  const s1 = stratifiedTake(
    pool1,
    options.valFraction,
    Rng.derive(opts.seed, "split/val1"),
    classes,
  );
  const s2 = stratifiedTake(
    pool2,
    options.valFraction,
    Rng.derive(opts.seed, "split/val2"),
    classes,
  );
  const counts: Record<string, Record<string, number>> = {};
  const count = (name: string, m: Map<string, string[]>) => {
    counts[name] = Object.fromEntries(classes.map((c) => [c, m.get(c)!.length]));
  };
  count("test", test);
  count("stage1.train", s1.rest);
  count("stage1.val", s1.taken);
  count("stage2.train", s2.rest);
  count("stage2.val", s2.taken);
  return {
    version: 1,
    seed: opts.seed,
    options,
    test: flat(test),
    stage1: { train: flat(s1.rest), val: flat(s1.taken) },
    stage2: { train: flat(s2.rest), val: flat(s2.taken) },
    unlabelled: unlabelled.sort(),
    counts,
  };
}

/** The training objects of both stages (what normalisation is computed on). */
export function trainingIds(split: Split): string[] {
  return [...split.stage1.train, ...split.stage2.train];
}

/**
 * Checks that a split is self-consistent (no object in two sets) and, when
 * `known` is given, that every id exists there. Throws {@link ConventionError}.
 */
export function checkSplit(split: Split, known?: (id: string) => boolean): void {
  const sets: [string, string[]][] = [
    ["test", split.test],
    ["stage1.train", split.stage1.train],
    ["stage1.val", split.stage1.val],
    ["stage2.train", split.stage2.train],
    ["stage2.val", split.stage2.val],
    ["unlabelled", split.unlabelled],
  ];
  const where = new Map<string, string>();
  for (const [name, ids] of sets) {
    for (const id of ids) {
      const prev = where.get(id);
      if (prev !== undefined) {
        throw new ConventionError(`Object "${id}" is in both ${prev} and ${name} of the split.`);
      }
      where.set(id, name);
      if (known && !known(id)) {
        throw new ConventionError(`Split object "${id}" (${name}) is not in the store.`, {
          hint: "The split was made for another store: remove split.json to make a new one.",
        });
      }
    }
  }
}

/** Writes `split.json` atomically. */
export async function saveSplit(path: string, split: Split): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(split, null, 1) + "\n");
}

/** Reads and checks a `split.json`. */
export async function loadSplit(path: string, known?: (id: string) => boolean): Promise<Split> {
  let split: Split;
  try {
    split = JSON.parse(await Deno.readTextFile(path)) as Split;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw e;
    throw new ConventionError(`${path} is not valid JSON.`, { cause: e });
  }
  if (split.version !== 1 || !Array.isArray(split.test) || !split.stage1 || !split.stage2) {
    throw new ConventionError(`${path} is not a split file (version 1).`);
  }
  checkSplit(split, known);
  return split;
}
