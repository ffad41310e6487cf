/**
 * Stratified k-fold cross-validation splits: the confirmed labelled objects
 * dealt per class, after a seeded shuffle of the sorted ids, into k folds of
 * (almost) equal class mix; fold f is the test set of run f, and the rest
 * is split for the two stages as usual (`makeSplit` with no test fraction).
 * Over the k runs every confirmed object is tested exactly once.
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { Rng } from "../util/rng.ts";
import { makeSplit, type Split, type SplitObject, type SplitOptions } from "../data/split.ts";

/** Which fold a run tests on. */
export interface FoldSetting {
  /** Number of folds (>= 2). */
  k: number;
  /** This run's fold, 0..k-1. */
  index: number;
}

/**
 * The fold of every confirmed labelled object (a map id -> 0..k-1).
 *
 * @param objects The store's objects.
 * @param k Folds.
 * @param seed Split seed.
 * @example
 * ```ts
 * import { foldOf } from "./folds.ts";
 * const objs = ["a", "b", "c", "d"].map((id) => ({ id, label: "AGN", confirmed: true }));
 * const f = foldOf(objs, 2, 1);
 * console.log([...f.values()].filter((x) => x === 0).length); // 2
 * ```
 */
export function foldOf(
  objects: readonly SplitObject[],
  k: number,
  seed: number,
): Map<string, number> {
  if (!Number.isInteger(k) || k < 2) {
    throw new ConventionError(`folds = ${k}: k-fold cross-validation needs k >= 2.`);
  }
  const byClass = new Map<string, string[]>();
  for (const o of objects) {
    if (!o.confirmed || o.label === null) continue;
    if (!byClass.has(o.label)) byClass.set(o.label, []);
    byClass.get(o.label)!.push(o.id);
  }
  const rng = Rng.derive(seed, "split/folds");
  const out = new Map<string, number>();
  let offset = 0;
  for (const cls of [...byClass.keys()].sort()) {
    const ids = byClass.get(cls)!.sort();
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    // Continue the deal where the last class stopped, so fold sizes stay within one.
    ids.forEach((id, i) => out.set(id, (offset + i) % k));
    offset = (offset + ids.length) % k;
  }
  return out;
}

/**
 * The split of fold `f.index`: its confirmed objects are the test set; the
 * others are split for the stages by `makeSplit` (test fraction 0).
 */
export function makeFoldSplit(
  objects: readonly SplitObject[],
  f: FoldSetting,
  opts: SplitOptions,
): Split {
  if (!(Number.isInteger(f.index) && f.index >= 0 && f.index < f.k)) {
    throw new ConventionError(`fold ${f.index} is not in 0..${f.k - 1}.`);
  }
  const fold = foldOf(objects, f.k, opts.seed);
  const test = objects.filter((o) => fold.get(o.id) === f.index);
  const rest = objects.filter((o) => fold.get(o.id) !== f.index);
  const split = makeSplit(rest, { ...opts, testFraction: 0 });
  split.test = test.map((o) => o.id).sort();
  const classes = split.options.classes;
  split.counts.test = Object.fromEntries(
    classes.map((c) => [c, test.filter((o) => o.label === c).length]),
  );
  return split;
}
