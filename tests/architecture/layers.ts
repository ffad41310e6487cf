/**
 * The layers of `lib/`, lowest first (docs/ARCHITECTURE.md draws them). A
 * package may import packages of lower layers only; packages of one layer do
 * not import each other. `.` is `lib/errors.ts`, the error classes every
 * layer uses.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["."],
  ["util"],
  ["fits"],
  ["survey"],
  ["simulate", "data"],
  ["model"],
  ["baselines", "train"],
  ["eval"],
  ["compare"],
  ["cli"],
];

/** The layer index of a package, or -1 when it is in no layer. */
export function layerOf(pkg: string): number {
  return LAYERS.findIndex((l) => l.includes(pkg));
}
