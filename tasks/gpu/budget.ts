/**
 * A fixed wall-clock budget for the one-shot GPU check: every step asks how
 * much time is left and plans its work (number of timed steps, epochs) to
 * end before the whole run's deadline.
 *
 * @module
 */

/** Seconds since an arbitrary origin, from a monotonic clock. */
export type Clock = () => number;

/** Monotonic clock in seconds (`performance.now()`). */
export const monotonicSeconds: Clock = () => performance.now() / 1000;

/** A wall-clock budget in seconds, started at construction. */
export class Budget {
  readonly #clock: Clock;
  readonly #start: number;
  /** The whole budget in seconds. */
  readonly totalS: number;

  /**
   * Starts a budget.
   *
   * @param totalS Seconds available from now.
   * @param clock Clock in seconds (tests pass a fake one).
   */
  constructor(totalS: number, clock: Clock = monotonicSeconds) {
    if (!(totalS > 0)) throw new RangeError(`Budget must be positive, got ${totalS} s`);
    this.totalS = totalS;
    this.#clock = clock;
    this.#start = clock();
  }

  /** Seconds elapsed since the start. */
  elapsed(): number {
    return this.#clock() - this.#start;
  }

  /** Seconds left (never negative). */
  left(): number {
    return Math.max(0, this.totalS - this.elapsed());
  }

  /**
   * Seconds a step may use: `share` of what is left, but never more than
   * what is left minus `reserveS` (time kept for the steps after it).
   */
  allot(share: number, reserveS = 0): number {
    const left = this.left();
    return Math.max(0, Math.min(left * share, left - reserveS));
  }

  /** A deadline `seconds` from now, capped at the end of the budget. */
  deadline(seconds: number): Deadline {
    const end = Math.min(this.#clock() + Math.max(0, seconds), this.#start + this.totalS);
    return new Deadline(end, this.#clock);
  }
}

/** The end of one step's time slice. */
export class Deadline {
  readonly #end: number;
  readonly #clock: Clock;

  /**
   * Creates a deadline at `end` on `clock`.
   *
   * @param end Clock time (seconds) at which the slice ends.
   * @param clock The clock the end refers to.
   */
  constructor(end: number, clock: Clock = monotonicSeconds) {
    this.#end = end;
    this.#clock = clock;
  }

  /** Seconds left before the deadline (never negative). */
  left(): number {
    return Math.max(0, this.#end - this.#clock());
  }

  /** Whether one more unit of work of `estimateS` seconds still fits. */
  fits(estimateS: number): boolean {
    return estimateS <= this.left();
  }
}

/**
 * How many timed repetitions fit: as many as `left / perStepS`, clamped to
 * `[min, max]` (`min` wins when even one does not fit: the caller decides).
 */
export function plannedRepetitions(
  leftS: number,
  perStepS: number,
  min: number,
  max: number,
): number {
  if (!(perStepS > 0)) return max;
  const n = Math.floor(leftS / perStepS);
  return Math.max(min, Math.min(max, n));
}
