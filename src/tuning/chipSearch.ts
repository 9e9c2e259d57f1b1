/**
 * One chip's search for the highest PLL step it sustains at the board's present voltage: climb
 * by `stride` steps from a start while the SPRT accepts, then bisect between the highest
 * accepted and the lowest rejected step. A step more than `stride` above a known-good one is
 * never tried, so a chip is never pushed far enough past its limit to hang. The result is the
 * highest accepted step minus `backoff` (margin for temperature drift). Pure: counts in.
 */
import { DEFAULT_SPRT, newSprt, sprtUpdate, yieldTooLow } from './sprt';
import type { SprtParams, SprtState } from './sprt';

export interface SearchOptions {
  stride: number;
  backoff: number;
  sprt?: SprtParams;
  /** Highest index allowed (e.g. the ladder end or a thermal cap). */
  maxIndex: number;
}

export type SearchOutcome = { done: false } | { done: true; index: number; dead: boolean };

export class ChipSearch {
  /** Highest accepted index (-1: none yet). */
  lo = -1;
  /** Lowest rejected index (maxIndex + 1: none yet). */
  hi: number;
  current: number;
  done = false;
  dead = false;
  tests = 0;
  private sprt: SprtState = newSprt();

  constructor(
    start: number,
    private readonly o: SearchOptions,
    known?: { lo?: number; hi?: number },
  ) {
    this.hi = Math.min(known?.hi ?? o.maxIndex + 1, o.maxIndex + 1);
    this.lo = Math.max(known?.lo ?? -1, -1);
    this.current = clamp(start, 0, o.maxIndex);
    if (this.current >= this.hi) this.current = this.hi - 1;
    if (this.current <= this.lo) this.current = Math.min(this.lo + 1, this.hi - 1);
    if (this.hi - this.lo <= 1 || this.current < 0) this.finish();
  }

  /** The index to hold once done. */
  get result(): number {
    if (this.lo >= 0) return Math.max(0, this.lo - this.o.backoff);
    // Stopped before anything passed (and not failed to the bottom): a stride under the lowest tried.
    return this.dead ? 0 : Math.max(0, Math.min(this.current, this.hi - 1) - this.o.stride);
  }

  /** Feeds one window measured at `current`. `expected` = nonces due at this frequency. */
  feed(nonces: number, hwErrors: number, expected: number): SearchOutcome {
    if (this.done) return this.outcome();
    const silent = yieldTooLow(nonces + hwErrors, expected);
    const d = silent ? 'reject' : sprtUpdate(this.sprt, nonces, hwErrors, this.o.sprt ?? DEFAULT_SPRT);
    if (d === 'continue') return this.outcome();
    this.tests++;
    this.sprt = newSprt();
    if (d === 'accept') this.lo = this.current;
    else this.hi = this.current;
    if (this.hi - this.lo <= 1) {
      this.finish();
      return this.outcome();
    }
    if (this.hi > this.o.maxIndex) this.current = Math.min(this.lo + this.o.stride, this.o.maxIndex);
    else if (this.lo < 0) this.current = Math.max(this.hi - this.o.stride, 0);
    else this.current = Math.min(Math.floor((this.lo + this.hi) / 2), this.lo + this.o.stride);
    return this.outcome();
  }

  /** Gives up where it stands (phase time cap): keeps the highest known-good step. */
  stop(): SearchOutcome {
    if (!this.done) this.finish();
    return this.outcome();
  }

  private finish(): void {
    this.done = true;
    // Failed at the bottom of the ladder: the chip is dead or broken.
    this.dead = this.lo < 0 && this.hi === 0;
  }

  private outcome(): SearchOutcome {
    return this.done ? { done: true, index: this.result, dead: this.dead } : { done: false };
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}
