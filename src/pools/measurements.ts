/**
 * Per-pool measurements over a window (issue 21 item 4), pure, time passed in:
 * submit and connect latency p50/p99 over the last `window` samples; share outcomes (accepted,
 * stale, rejected by class) over the last `window` submits as rates; disconnects per hour over the
 * last hour; new-block jobs (clean jobs): the time of the last one and the median interval
 * between them (the pool's block interval as we see it).
 */
import type { RejectClass } from './rejectClass';

export interface LatencySummary { p50: number | null; p99: number | null; samples: number }

export interface PoolMeasurementsSnapshot {
  submitLatencyMs: LatencySummary;
  connectLatencyMs: LatencySummary;
  /** Over the last `window` submits; null before any. */
  acceptRate: number | null; staleRate: number | null; rejectRate: number | null;
  rejectsByClass: Partial<Record<RejectClass, number>>;
  disconnectsPerHour: number;
  lastBlockJobAtMs: number | null;
  /** Median interval between new-block jobs; null before two. */
  blockIntervalMs: number | null;
}

class Ring<T> {
  private a: T[] = [];
  constructor(private readonly n: number) {}
  push(v: T): void { this.a.push(v); if (this.a.length > this.n) this.a.shift(); }
  values(): readonly T[] { return this.a; }
}

function pctl(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
const summary = (xs: readonly number[]): LatencySummary => ({ p50: pctl(xs, 0.5), p99: pctl(xs, 0.99), samples: xs.length });

type Outcome = 'accepted' | RejectClass;

export class PoolMeasurements {
  private submit: Ring<number>;
  private connect: Ring<number>;
  private outcomes: Ring<Outcome>;
  private blockGaps = new Ring<number>(16);
  private disconnects: number[] = [];
  private lastBlockAt: number | null = null;
  private connectingSince: number | null = null;
  constructor(readonly window = 256) {
    this.submit = new Ring(window); this.connect = new Ring(window); this.outcomes = new Ring(window);
  }

  /** A session state change: connect latency is 'connecting' -> 'ready'; leaving 'ready' is a disconnect. */
  state(prev: string | undefined, next: string, nowMs: number): void {
    if (next === 'connecting' && this.connectingSince === null) this.connectingSince = nowMs;
    if (next === 'ready' && this.connectingSince !== null) { this.connect.push(nowMs - this.connectingSince); this.connectingSince = null; }
    if (prev === 'ready' && next !== 'ready') {
      this.disconnects.push(nowMs);
      while (this.disconnects.length && this.disconnects[0] < nowMs - 3_600_000) this.disconnects.shift();
    }
  }

  submitted(latencyMs: number, outcome: Outcome): void {
    this.submit.push(latencyMs);
    this.outcomes.push(outcome);
  }

  /** A job; `clean` marks a new block. */
  job(clean: boolean, nowMs: number): void {
    if (!clean) return;
    if (this.lastBlockAt !== null) this.blockGaps.push(nowMs - this.lastBlockAt);
    this.lastBlockAt = nowMs;
  }

  snapshot(nowMs: number): PoolMeasurementsSnapshot {
    const o = this.outcomes.values();
    const by: Partial<Record<RejectClass, number>> = {};
    let acc = 0, stale = 0;
    for (const x of o) { if (x === 'accepted') acc++; else { by[x] = (by[x] ?? 0) + 1; if (x === 'stale') stale++; } }
    const n = o.length;
    return {
      submitLatencyMs: summary(this.submit.values()), connectLatencyMs: summary(this.connect.values()),
      acceptRate: n ? acc / n : null, staleRate: n ? stale / n : null, rejectRate: n ? (n - acc - stale) / n : null,
      rejectsByClass: by,
      disconnectsPerHour: this.disconnects.filter((t) => t >= nowMs - 3_600_000).length,
      lastBlockJobAtMs: this.lastBlockAt, blockIntervalMs: pctl(this.blockGaps.values(), 0.5),
    };
  }
}
