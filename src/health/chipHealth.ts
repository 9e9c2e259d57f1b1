import { expectedNonces, poissonCdf, wilsonInterval } from './stats';

/**
 * Per-chip health from nonce activity and HW-error rate, with hysteresis (issue #6 item 5).
 * Pure: every call takes the time and the chip's cumulative counters (MiningStats).
 *
 * Statistics (docs/health.md):
 * - A healthy chip's nonces are Poisson with rate lambda = hps / (ticket difficulty x 65536),
 *   hps = the chip's share of the chain's expected hashrate.
 * - dead: no result (nonce or HW error) for a span whose expected count lambda_q makes
 *   P(0 | healthy) = exp(-lambda_q) < deadP (1e-6, i.e. lambda_q > 13.8). Leaves dead after
 *   `reviveResults` results.
 * - degraded (hw): the Wilson lower bound (z) of HW errors / results over the window exceeds
 *   hwEnter; back to ok only when that lower bound falls below hwExit (< hwEnter: hysteresis),
 *   i.e. when the window no longer shows significant errors above the exit ratio.
 * - degraded (slow): P(X <= n | lambda_w) < slowP over the window and n < slowFraction x
 *   lambda_w; back when P(X <= n | lambda_w) > slowExitP.
 */
export type ChipHealthState = 'ok' | 'degraded' | 'dead' | 'unknown';

export interface ChipHealthParams {
  deadP: number;
  slowP: number;
  slowExitP: number;
  slowFraction: number;
  hwEnter: number;
  hwExit: number;
  z: number;
  windowMs: number;
  reviveResults: number;
  /** Results in the window before an HW-error verdict may change. */
  minResults: number;
}

export const DEFAULT_CHIP_HEALTH: ChipHealthParams = {
  deadP: 1e-6,
  slowP: 1e-6,
  slowExitP: 1e-2,
  slowFraction: 0.5,
  hwEnter: 0.02,
  hwExit: 0.01,
  z: 3,
  windowMs: 10 * 60_000,
  reviveResults: 3,
  minResults: 50,
};

export interface ChipTotals {
  nonces: number;
  hwErrors: number;
}

export interface ChipContext {
  /** The chip's expected hashrate (its share of the chain's), H/s. */
  expectedHps: number;
  ticketDifficulty: number;
  /** When work started flowing to the chain (after its last (re-)init); null: not mining. */
  workSinceMs: number | null;
}

export interface ChipVerdict {
  state: ChipHealthState;
  /** 'no_results' | 'hw_errors' | 'slow' | 'ok' | 'not_mining' */
  reason: string;
  /** What the decision rests on, for events and `kabosu diag`. */
  detail: string;
  changed: boolean;
}

interface Sample {
  atMs: number;
  nonces: number;
  hwErrors: number;
}

export class ChipHealthTracker {
  state: ChipHealthState = 'unknown';
  reason = 'not_mining';
  detail = '';
  private lastActivityMs: number | null = null;
  private last: ChipTotals | null = null;
  private samples: Sample[] = [];
  private resultsAtDeath = 0;

  constructor(private p: ChipHealthParams = DEFAULT_CHIP_HEALTH) {}

  /** New thresholds (config hot reload); the window's samples and the current state are kept. */
  configure(p: ChipHealthParams): void {
    this.p = p;
  }

  update(nowMs: number, totals: ChipTotals, ctx: ChipContext): ChipVerdict {
    const prev = this.state;
    const prevReason = this.reason;
    if (this.last && (totals.nonces > this.last.nonces || totals.hwErrors > this.last.hwErrors)) this.lastActivityMs = nowMs;
    if (this.last && (totals.nonces < this.last.nonces || totals.hwErrors < this.last.hwErrors)) this.samples = []; // counters reset
    this.last = { ...totals };
    this.samples.push({ atMs: nowMs, ...totals });
    while (this.samples.length > 2 && this.samples[1].atMs <= nowMs - this.p.windowMs) this.samples.shift();

    const judged = this.judge(nowMs, totals, ctx);
    this.state = judged.state;
    this.reason = judged.reason;
    this.detail = judged.detail;
    return { ...judged, changed: prev !== this.state || (prevReason !== this.reason && this.state !== 'ok') };
  }

  private judge(nowMs: number, totals: ChipTotals, ctx: ChipContext): Omit<ChipVerdict, 'changed'> {
    const p = this.p;
    if (ctx.workSinceMs === null || !(ctx.expectedHps > 0) || !(ctx.ticketDifficulty > 0)) {
      return { state: 'unknown', reason: 'not_mining', detail: 'no work flowing' };
    }
    const results = totals.nonces + totals.hwErrors;
    // dead, with its own exit rule
    const quietSince = Math.max(this.lastActivityMs ?? -Infinity, ctx.workSinceMs);
    const lambdaQ = expectedNonces(ctx.expectedHps, ctx.ticketDifficulty, nowMs - quietSince);
    const pZero = Math.exp(-lambdaQ);
    if (this.state === 'dead' && results - this.resultsAtDeath < p.reviveResults) {
      return { state: 'dead', reason: 'no_results', detail: this.detail };
    }
    if (pZero < p.deadP) {
      if (this.state !== 'dead') this.resultsAtDeath = results;
      return { state: 'dead', reason: 'no_results', detail: `no result for ${((nowMs - quietSince) / 1000).toFixed(0)} s; expected ${lambdaQ.toFixed(1)}, P(0|healthy)=${pZero.toExponential(1)}` };
    }
    const base = this.samples[0];
    const spanMs = nowMs - Math.max(base.atMs, ctx.workSinceMs);
    const dn = totals.nonces - base.nonces;
    const dh = totals.hwErrors - base.hwErrors;
    // degraded: HW errors
    const ci = wilsonInterval(dh, dn + dh, p.z);
    const wasHw = this.state === 'degraded' && this.reason === 'hw_errors';
    const enough = dn + dh >= p.minResults;
    if ((!wasHw && enough && ci.low > p.hwEnter) || (wasHw && (!enough || ci.low >= p.hwExit))) {
      return { state: 'degraded', reason: 'hw_errors', detail: `HW errors ${dh}/${dn + dh} in window, ${p.z}-sigma bounds [${(ci.low * 100).toFixed(2)} %, ${(ci.high * 100).toFixed(2)} %]` };
    }
    // degraded: slow
    const lambdaW = expectedNonces(ctx.expectedHps, ctx.ticketDifficulty, spanMs);
    const cdf = poissonCdf(dn, lambdaW);
    const wasSlow = this.state === 'degraded' && this.reason === 'slow';
    if ((!wasSlow && cdf < p.slowP && dn < p.slowFraction * lambdaW) || (wasSlow && cdf <= p.slowExitP)) {
      return { state: 'degraded', reason: 'slow', detail: `${dn} nonces in window, expected ${lambdaW.toFixed(1)}, P(X<=${dn}|healthy)=${cdf.toExponential(1)}` };
    }
    return { state: 'ok', reason: 'ok', detail: `${dn} nonces, ${dh} HW errors in window (expected ${lambdaW.toFixed(1)})` };
  }
}
