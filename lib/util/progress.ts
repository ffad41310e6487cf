/**
 * A progress bar on stderr: label, count, rate, ETA and live metrics. When
 * stderr is not a terminal it stays quiet except for {@link Progress.line}
 * (one line per epoch) and the final line.
 *
 * @module
 */

const enc = new TextEncoder();

/** Progress of one long operation. */
export class Progress {
  #label: string;
  #total: number;
  #unit: string;
  #done = 0;
  #start = performance.now();
  #last = 0;
  #tty: boolean;
  #metrics = "";

  /**
   * @param label What is running (e.g. `stage 1 epoch 3/10`).
   * @param total Number of items expected (0 if unknown).
   * @param unit Name of an item, for the rate (e.g. `objects`).
   */
  constructor(label: string, total: number, unit = "items", tty?: boolean) {
    this.#label = label;
    this.#total = total;
    this.#unit = unit;
    this.#tty = tty ?? Deno.stderr.isTerminal();
  }

  /** Adds `n` done items and optional live metrics text; redraws at most 10 times a second. */
  tick(n = 1, metrics?: string): void {
    this.#done += n;
    if (metrics !== undefined) this.#metrics = metrics;
    const now = performance.now();
    if (this.#tty && (now - this.#last > 100 || this.#done === this.#total)) {
      this.#last = now;
      Deno.stderr.writeSync(enc.encode(`\r\x1b[2K${this.text()}`));
    }
  }

  /** Items per second so far. */
  rate(): number {
    const s = (performance.now() - this.#start) / 1000;
    return s > 0 ? this.#done / s : 0;
  }

  /** Seconds since the start. */
  elapsed(): number {
    return (performance.now() - this.#start) / 1000;
  }

  /** The current status line. */
  text(): string {
    const rate = this.rate();
    const pct = this.#total ? ` ${(100 * this.#done / this.#total).toFixed(0).padStart(3)}%` : "";
    const width = 24;
    const filled = this.#total ? Math.round(width * Math.min(1, this.#done / this.#total)) : 0;
    const bar = this.#total ? ` [${"#".repeat(filled)}${".".repeat(width - filled)}]` : "";
    const eta = this.#total && rate > 0 ? ` eta ${fmtTime((this.#total - this.#done) / rate)}` : "";
    const of = this.#total ? `/${this.#total}` : "";
    return `${this.#label}${bar}${pct} ${this.#done}${of} ${rate.toFixed(1)} ${this.#unit}/s${eta}${
      this.#metrics ? " " + this.#metrics : ""
    }`;
  }

  /** Ends the bar; prints the final line (also when not a terminal) unless `quiet`. */
  done(summary?: string, quiet = false): void {
    if (this.#tty) Deno.stderr.writeSync(enc.encode("\r\x1b[2K"));
    if (!quiet) {
      console.error(
        `${this.#label}: ${this.#done} ${this.#unit} in ${fmtTime(this.elapsed())}${
          summary ? " " + summary : this.#metrics ? " " + this.#metrics : ""
        }`,
      );
    }
  }
}

/** Formats seconds as `1h02m`, `3m05s` or `12.3s`. */
export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor(s % 3600 / 60)).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${s.toFixed(1)}s`;
}
