/**
 * The leakage check of the simulator: a simple classifier that sees only
 * trivial cues of a series (number of frames, mean stamp flux, stamp size)
 * must not reach a high balanced accuracy, otherwise a model could learn the
 * class from the way the simulator builds series instead of from the images'
 * evolution. The classifier is a CART decision tree (Gini impurity, class-
 * balanced weights, depth 4, at least 10 objects per leaf).
 *
 * @module
 */
import type { SimulatedObject } from "./object.ts";

/** Trivial cues of one object. */
export interface TrivialCues {
  /** Number of band-frames. */
  nFrames: number;
  /** Mean pixel value over all frames, nanomaggies. */
  meanFlux: number;
  /** Stamp side, pixels. */
  size: number;
}

/** The trivial cues of a simulated object. */
export function trivialCues(obj: SimulatedObject): TrivialCues {
  let sum = 0, n = 0;
  for (const f of obj.frames) {
    for (let i = 0; i < f.pixels.length; i++) sum += f.pixels[i]!;
    n += f.pixels.length;
  }
  return { nFrames: obj.frames.length, meanFlux: n ? sum / n : 0, size: obj.size };
}

/** Nuisance features of one object's series (issue 17, item 4): nothing about the images. */
export interface NuisanceFeatures {
  /** Number of band-frames. */
  nFrames: number;
  /** Last minus first MJD, days. */
  span: number;
  /** First MJD. */
  firstMjd: number;
  /** Last MJD. */
  lastMjd: number;
  /** Size of the object's file, bytes. */
  fileBytes: number;
}

/** The nuisance features of a simulated object whose file has `fileBytes` bytes. */
export function nuisanceFeatures(obj: SimulatedObject, fileBytes: number): NuisanceFeatures {
  let first = Infinity, last = -Infinity;
  for (const f of obj.frames) {
    first = Math.min(first, f.mjd);
    last = Math.max(last, f.mjd);
  }
  if (!obj.frames.length) first = last = 0;
  return {
    nFrames: obj.frames.length,
    span: last - first,
    firstMjd: first,
    lastMjd: last,
    fileBytes,
  };
}

/**
 * Balanced accuracy on the second half of a depth-4 tree trained on the first
 * half of the rows (true class indices `classes`, `k` classes).
 */
export function treeAccuracy(x: number[][], classes: number[], k: number): number {
  const half = Math.floor(x.length / 2);
  const tree = new DecisionTree().fit(x.slice(0, half), classes.slice(0, half), k);
  const pred = x.slice(half).map((r) => tree.predict(r));
  return balancedAccuracy(classes.slice(half), pred, k);
}

/** {@link treeAccuracy} on nuisance features. */
export function nuisanceAccuracy(rows: NuisanceFeatures[], classes: number[], k: number): number {
  return treeAccuracy(
    rows.map((r) => [r.nFrames, r.span, r.firstMjd, r.lastMjd, r.fileBytes]),
    classes,
    k,
  );
}

interface Node {
  feature: number;
  threshold: number;
  left?: Node;
  right?: Node;
  leaf?: number;
}

/** A small CART classifier on numeric features. */
export class DecisionTree {
  #root: Node | null = null;
  #maxDepth: number;
  #minLeaf: number;

  /**
   * @param maxDepth Maximum depth (default 4).
   * @param minLeaf Minimum samples per leaf (default 10).
   */
  constructor(maxDepth = 4, minLeaf = 10) {
    this.#maxDepth = maxDepth;
    this.#minLeaf = minLeaf;
  }

  /** Fits on rows `x` with class indices `y` in 0..k-1, weighting classes equally. */
  fit(x: number[][], y: number[], k: number): this {
    const counts = new Array<number>(k).fill(0);
    for (const c of y) counts[c]!++;
    const w = counts.map((c) => (c > 0 ? y.length / (k * c) : 0));
    this.#root = this.#grow(x, y, w, k, x.map((_, i) => i), 0);
    return this;
  }

  #grow(x: number[][], y: number[], w: number[], k: number, idx: number[], depth: number): Node {
    const mass = new Array<number>(k).fill(0);
    for (const i of idx) mass[y[i]!]! += w[y[i]!]!;
    const leaf = mass.indexOf(Math.max(...mass));
    if (depth >= this.#maxDepth || idx.length < 2 * this.#minLeaf) {
      return { feature: -1, threshold: 0, leaf };
    }
    const gini = (m: number[]) => {
      const t = m.reduce((a, b) => a + b, 0);
      return t > 0 ? t * (1 - m.reduce((a, b) => a + (b / t) ** 2, 0)) : 0;
    };
    let best = { score: gini(mass) - 1e-12, feature: -1, threshold: 0 };
    const nf = x[0]?.length ?? 0;
    for (let f = 0; f < nf; f++) {
      const order = [...idx].sort((a, b) => x[a]![f]! - x[b]![f]!);
      const left = new Array<number>(k).fill(0);
      const right = [...mass];
      for (let j = 0; j < order.length - 1; j++) {
        const i = order[j]!;
        left[y[i]!]! += w[y[i]!]!;
        right[y[i]!]! -= w[y[i]!]!;
        const a = x[i]![f]!, b = x[order[j + 1]!]![f]!;
        if (a === b || j + 1 < this.#minLeaf || order.length - j - 1 < this.#minLeaf) continue;
        const s = gini(left) + gini(right);
        if (s < best.score) best = { score: s, feature: f, threshold: (a + b) / 2 };
      }
    }
    if (best.feature < 0) return { feature: -1, threshold: 0, leaf };
    const l = idx.filter((i) => x[i]![best.feature]! <= best.threshold);
    const r = idx.filter((i) => x[i]![best.feature]! > best.threshold);
    return {
      feature: best.feature,
      threshold: best.threshold,
      left: this.#grow(x, y, w, k, l, depth + 1),
      right: this.#grow(x, y, w, k, r, depth + 1),
    };
  }

  /** Predicted class index of one row. */
  predict(row: number[]): number {
    let n = this.#root;
    if (!n) throw new Error("DecisionTree: fit() first");
    while (n.leaf === undefined) n = row[n.feature]! <= n.threshold ? n.left! : n.right!;
    return n.leaf;
  }
}

/** Balanced accuracy: the mean over classes of the fraction of that class predicted right. */
export function balancedAccuracy(truth: number[], pred: number[], k: number): number {
  const hit = new Array<number>(k).fill(0), tot = new Array<number>(k).fill(0);
  truth.forEach((t, i) => {
    tot[t]!++;
    if (pred[i] === t) hit[t]!++;
  });
  const present = tot.flatMap((t, c) => t > 0 ? [hit[c]! / t] : []);
  return present.reduce((a, b) => a + b, 0) / present.length;
}

/**
 * Trains the tree on the first half of the objects' trivial cues and returns
 * its balanced accuracy on the second half (true classes).
 *
 * @param cues Cues of each object.
 * @param classes True class index of each object.
 * @param k Number of classes.
 */
export function leakageAccuracy(cues: TrivialCues[], classes: number[], k: number): number {
  return treeAccuracy(cues.map((c) => [c.nFrames, c.meanFlux, c.size]), classes, k);
}
