import { wilsonInterval } from './stats';
import type { ChipHealthState } from './chipHealth';

/**
 * Chain health from chip count, reply-frame CRC error rate and its chips' states. Pure.
 * - failed: no chip answers, or more than half of the expected chips are dead or missing.
 * - degraded: fewer chips found than expected, any dead chip, or the CRC error ratio over the
 *   window is significantly above crcEnter (Wilson lower bound, z); it clears when the upper
 *   bound falls below crcExit (hysteresis).
 */
export type ChainHealthState = 'ok' | 'degraded' | 'failed' | 'unknown';

export interface ChainHealthParams {
  crcEnter: number;
  crcExit: number;
  z: number;
  windowMs: number;
}

export const DEFAULT_CHAIN_HEALTH: ChainHealthParams = { crcEnter: 0.01, crcExit: 0.005, z: 3, windowMs: 5 * 60_000 };

export interface ChainInput {
  expectedChips: number;
  /** null before enumeration. */
  chipsFound: number | null;
  /** Cumulative reply frames accepted and rejected (ReplyStream counts). */
  frames: number;
  badFrames: number;
  chips: readonly ChipHealthState[];
  /** The chain could not be brought up (its init failed): it is powered but not mining. */
  downError?: string;
}

export interface ChainProblem {
  kind: 'chips_missing' | 'chips_dead' | 'crc_errors' | 'no_chips' | 'chain_down';
  message: string;
}

export interface ChainVerdict {
  state: ChainHealthState;
  problems: ChainProblem[];
  crcRatio: { low: number; high: number };
  changed: boolean;
}

export class ChainHealthTracker {
  state: ChainHealthState = 'unknown';
  problems: ChainProblem[] = [];
  private samples: { atMs: number; frames: number; bad: number }[] = [];
  private crcHigh = false;

  constructor(private p: ChainHealthParams = DEFAULT_CHAIN_HEALTH) {}

  /** New thresholds (config hot reload); the window's samples and the current state are kept. */
  configure(p: ChainHealthParams): void {
    this.p = p;
  }

  update(nowMs: number, i: ChainInput): ChainVerdict {
    const prev = this.state;
    const prevKinds = this.problems.map((x) => x.kind).join();
    const lastS = this.samples[this.samples.length - 1];
    if (lastS && (i.frames < lastS.frames || i.badFrames < lastS.bad)) this.samples = [];
    this.samples.push({ atMs: nowMs, frames: i.frames, bad: i.badFrames });
    while (this.samples.length > 2 && this.samples[1].atMs <= nowMs - this.p.windowMs) this.samples.shift();
    const base = this.samples[0];
    const bad = i.badFrames - base.bad;
    const good = i.frames - base.frames;
    const ci = wilsonInterval(bad, bad + good, this.p.z);
    this.crcHigh = this.crcHigh ? ci.high >= this.p.crcExit : ci.low > this.p.crcEnter;

    const problems: ChainProblem[] = [];
    if (i.chipsFound === null) {
      this.state = 'unknown';
      this.problems = [];
      return { state: 'unknown', problems, crcRatio: ci, changed: prev !== 'unknown' };
    }
    const dead = i.chips.filter((s) => s === 'dead').length;
    const missing = Math.max(0, i.expectedChips - i.chipsFound);
    if (i.chipsFound === 0) problems.push({ kind: 'no_chips', message: `no chip answers (expected ${i.expectedChips})` });
    else if (missing > 0) problems.push({ kind: 'chips_missing', message: `${i.chipsFound} of ${i.expectedChips} chips found` });
    if (dead > 0) problems.push({ kind: 'chips_dead', message: `${dead} chip(s) dead` });
    if (i.downError) problems.push({ kind: 'chain_down', message: `chain does not start: ${i.downError}` });
    if (this.crcHigh) problems.push({ kind: 'crc_errors', message: `reply CRC/frame errors ${bad}/${bad + good} in window (${(ci.low * 100).toFixed(2)}-${(ci.high * 100).toFixed(2)} %)` });
    const failed = i.chipsFound === 0 || dead + missing > i.expectedChips / 2 || i.downError !== undefined;
    this.state = failed ? 'failed' : problems.length ? 'degraded' : 'ok';
    this.problems = problems;
    return { state: this.state, problems, crcRatio: ci, changed: prev !== this.state || prevKinds !== problems.map((x) => x.kind).join() };
  }
}
