/**
 * The `score` selection strategy (issue 21 item 5), pure. One formula, the expected fraction of
 * submitted work a pool credits:
 *
 *   W = (1 - rejectRate) * (1 - staleRate) * (1 - (latencyP50Ms + jobLagMs) / blockIntervalMs)
 *
 * - rejectRate / staleRate: over the last window of submits (PoolMeasurements); a pool with fewer
 *   than 16 submits takes the mean of the measured pools (no evidence is not evidence of none);
 * - latencyP50Ms: submit round trip (a share found just before a block is lost for that long);
 *   a pool with fewer than 16 submits (a hot standby gets none) is judged by its connect time
 *   instead (TCP + handshake, several round trips: an overestimate, so the active pool is kept);
 * - jobLagMs: how long this pool has been behind on new blocks: when another ready pool's latest
 *   new-block job is newer than this pool's by more than `slackMs` (default 5 s: pools announce
 *   the same block within seconds of each other), the time since that announcement; else 0
 *   (work on an old block is all stale). Assumes the pools mine the same coin;
 * - blockIntervalMs: the median interval between new blocks seen on any pool (default 150 s, LTC).
 * A pool behind for more than `staleAfterMs` (default 30 s) scores 0 (it stopped sending work for
 * the current block). A pool that is not ready scores -1.
 *
 * Hysteresis (never flaps): the active pool is left only when it is not ready or scores 0, or when
 * a candidate beats it by more than `margin` (absolute, in W) continuously for `dwellMs`, and at
 * least `minHoldMs` after the previous switch. Every decision carries its reason and the numbers.
 */
import type { PoolMeasurementsSnapshot } from './measurements';

export interface ScoreInput { url: string; ready: boolean; m: PoolMeasurementsSnapshot }
export interface PoolScore { url: string; score: number; latencyP50Ms: number | null; jobLagMs: number; rejectRate: number; staleRate: number }

export interface ScoreOptions {
  margin?: number; dwellMs?: number; minHoldMs?: number; staleAfterMs?: number; slackMs?: number; defaultBlockIntervalMs?: number;
}
const MIN_SAMPLES = 16;
const D = { margin: 0.0002, dwellMs: 60_000, minHoldMs: 600_000, staleAfterMs: 30_000, slackMs: 5000, defaultBlockIntervalMs: 150_000 };

export function scorePools(pools: readonly ScoreInput[], nowMs: number, o: ScoreOptions = {}): PoolScore[] {
  const staleAfter = o.staleAfterMs ?? D.staleAfterMs;
  const intervals = pools.map((p) => p.m.blockIntervalMs).filter((x): x is number => x !== null).sort((a, b) => a - b);
  const T = intervals.length ? intervals[Math.floor(intervals.length / 2)] : (o.defaultBlockIntervalMs ?? D.defaultBlockIntervalMs);
  const freshest = Math.max(...pools.filter((p) => p.ready).map((p) => p.m.lastBlockJobAtMs ?? -Infinity));
  const measured = pools.filter((p) => p.m.submitLatencyMs.samples >= MIN_SAMPLES);
  const mean = (f: (m: PoolMeasurementsSnapshot) => number | null) => measured.length ? measured.reduce((a, p) => a + (f(p.m) ?? 0), 0) / measured.length : 0;
  const priorReject = mean((m) => m.rejectRate); const priorStale = mean((m) => m.staleRate);
  return pools.map((p) => {
    const own = p.m.lastBlockJobAtMs ?? -Infinity;
    const lag = Number.isFinite(freshest) && freshest - own > (o.slackMs ?? D.slackMs) ? Math.max(0, nowMs - freshest) : 0;
    const enough = p.m.submitLatencyMs.samples >= MIN_SAMPLES;
    const rejectRate = enough ? p.m.rejectRate ?? 0 : priorReject; const staleRate = enough ? p.m.staleRate ?? 0 : priorStale;
    const lat = enough ? p.m.submitLatencyMs.p50 : (p.m.connectLatencyMs.p50 ?? p.m.submitLatencyMs.p50);
    let score: number;
    if (!p.ready) score = -1;
    else if (lag > staleAfter) score = 0;
    else score = (1 - rejectRate) * (1 - staleRate) * Math.max(0, 1 - ((lat ?? 0) + lag) / T);
    return { url: p.url, score, latencyP50Ms: lat, jobLagMs: lag, rejectRate, staleRate };
  });
}

export interface ScoreDecision { switchTo: string | undefined; reason: string; scores: PoolScore[] }

/** Applies the hysteresis rules around `scorePools`; keep one per pool manager. */
export class ScoreSelector {
  private lastSwitchAt = -Infinity;
  private leaderSince: { url: string; at: number } | undefined;
  constructor(private readonly o: ScoreOptions = {}) {}

  decide(active: string | undefined, pools: readonly ScoreInput[], nowMs: number): ScoreDecision {
    const scores = scorePools(pools, nowMs, this.o);
    const best = scores.reduce((a, b) => (b.score > a.score ? b : a), scores[0]);
    const cur = scores.find((s) => s.url === active);
    // Failure-driven moves (not ready, stale) are immediate and do not start the hold-down; a
    // score-driven switch does.
    const go = (url: string | undefined, reason: string, byScore = false): ScoreDecision => {
      if (url !== active) { this.leaderSince = undefined; if (byScore) this.lastSwitchAt = nowMs; }
      return { switchTo: url, reason, scores };
    };
    if (best.score < 0) return go(undefined, 'no pool ready');
    if (!cur) return go(best.url, active ? `${active} gone` : 'first ready pool by score');
    if (cur.score < 0) return go(best.url, `${active} not ready`);
    if (cur.score === 0 && best.score > 0) return go(best.url, `${cur.url} is ${Math.round(cur.jobLagMs / 1000)} s behind on new blocks (stale)`);
    const margin = this.o.margin ?? D.margin;
    if (best.url === cur.url || best.score - cur.score <= margin) { this.leaderSince = undefined; return { switchTo: active, reason: 'keep', scores }; }
    if (!this.leaderSince || this.leaderSince.url !== best.url) this.leaderSince = { url: best.url, at: nowMs };
    if (nowMs - this.leaderSince.at < (this.o.dwellMs ?? D.dwellMs)) return { switchTo: active, reason: 'candidate better, dwelling', scores };
    if (nowMs - this.lastSwitchAt < (this.o.minHoldMs ?? D.minHoldMs)) return { switchTo: active, reason: 'candidate better, hold-down', scores };
    return go(best.url, `score ${best.score.toFixed(6)} beats ${cur.score.toFixed(6)} by more than ${margin} for ${(this.o.dwellMs ?? D.dwellMs) / 1000} s`, true);
  }
}
