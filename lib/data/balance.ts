/**
 * The epoch plan: which objects an epoch visits, in which order, and which
 * visits are augmented duplicates. Balanced plans oversample minority
 * classes (every original once, then duplicates spread evenly over the
 * originals, drawn at random for the remainder) and undersample majority
 * classes (a random subset without replacement), to `perClass` objects per
 * class. The plan is a pure function of (seed, stage, epoch, objects).
 *
 * @module
 */
import { ConventionError } from "../errors.ts";
import { hashSeed, Rng } from "../util/rng.ts";

/** Per-class size of a balanced epoch. */
export type ClassTarget = number | "median" | "mean" | "max" | "min";

/** Options of {@link epochPlan}. */
export interface PlanOptions {
  /** Run seed. */
  seed: number;
  /** Stage name or number (part of the random stream). */
  stage?: number | string;
  /** Epoch number (part of the random stream). */
  epoch: number;
  /** Balance the classes (default true); false = every object once, shuffled. */
  balance?: boolean;
  /** Objects per class in a balanced epoch (default "median" of the class counts). */
  perClass?: ClassTarget;
  /** Number of classes (class indexes 0..numClasses-1). */
  numClasses: number;
}

/** One visit of an epoch. */
export interface PlanEntry {
  /** Object index (in the caller's object list, e.g. `Store.objects`). */
  object: number;
  /** Class index. */
  label: number;
  /** True for an oversampled duplicate (augmented). */
  duplicate: boolean;
  /** Seed of this visit's window, dropping and augmentation draws. */
  seed: number;
}

/** Resolves a {@link ClassTarget} against the non-zero class counts. */
export function resolveTarget(target: ClassTarget, counts: readonly number[]): number {
  const present = counts.filter((c) => c > 0).sort((a, b) => a - b);
  if (present.length === 0) return 0;
  if (typeof target === "number") {
    if (!(target >= 1) || !Number.isInteger(target)) {
      throw new ConventionError(`Balanced class size ${target} is not a positive integer.`);
    }
    return target;
  }
  switch (target) {
    case "max":
      return present[present.length - 1]!;
    case "min":
      return present[0]!;
    case "mean":
      return Math.round(present.reduce((s, c) => s + c, 0) / present.length);
    case "median": {
      const m = present.length >> 1;
      return present.length % 2 ? present[m]! : Math.round((present[m - 1]! + present[m]!) / 2);
    }
  }
}

/**
 * Builds the plan of one epoch over `objects` (pairs of object index and
 * class index; class -1 objects are ignored).
 *
 * @example
 * ```ts
 * import { epochPlan } from "./balance.ts";
 * const objs = [0, 0, 0, 0, 1].map((label, object) => ({ object, label }));
 * const plan = epochPlan(objs, { seed: 1, epoch: 0, numClasses: 2, perClass: 3 });
 * console.log(plan.length, plan.filter((e) => e.duplicate).length); // 6 2
 * ```
 */
export function epochPlan(
  objects: readonly { object: number; label: number }[],
  opts: PlanOptions,
): PlanEntry[] {
  const stage = String(opts.stage ?? 0);
  const rng = Rng.derive(opts.seed, `plan/${stage}/${opts.epoch}`);
  const byClass: number[][] = Array.from({ length: opts.numClasses }, () => []);
  for (const o of objects) {
    if (o.label >= 0 && o.label < opts.numClasses) byClass[o.label]!.push(o.object);
  }
  for (const c of byClass) c.sort((a, b) => a - b);
  const visits: Omit<PlanEntry, "seed">[] = [];
  if (opts.balance === false) {
    byClass.forEach((objs, label) => {
      for (const object of objs) visits.push({ object, label, duplicate: false });
    });
  } else {
    const target = resolveTarget(opts.perClass ?? "median", byClass.map((c) => c.length));
    byClass.forEach((objs, label) => {
      const n = objs.length;
      if (n === 0) return;
      if (n >= target) {
        const pick = rng.shuffle([...objs]).slice(0, target);
        for (const object of pick) visits.push({ object, label, duplicate: false });
        return;
      }
      for (const object of objs) visits.push({ object, label, duplicate: false });
      const extra = target - n;
      // Each original is duplicated floor(extra / n) times, a random subset once more.
      const full = Math.floor(extra / n);
      for (let k = 0; k < full; k++) {
        for (const object of objs) visits.push({ object, label, duplicate: true });
      }
      for (const object of rng.shuffle([...objs]).slice(0, extra - full * n)) {
        visits.push({ object, label, duplicate: true });
      }
    });
  }
  rng.shuffle(visits);
  return visits.map((v, i) => ({ ...v, seed: hashSeed(`${stage}/${opts.epoch}/${i}`, opts.seed) }));
}

/** Number of visits per class in a plan. */
export function planCounts(plan: readonly PlanEntry[], numClasses: number): number[] {
  const c = new Array<number>(numClasses).fill(0);
  for (const e of plan) c[e.label]!++;
  return c;
}
