import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../hal/types';
import type { DaemonStatus } from '../core/minerApi';
import type { KabosuConfig } from '../config';
import { KabosuError } from '../core/errors';
import { HistoryRing, MINUTES_7D, downsample, type HistoryRecord } from '../store/historyRing';
import { HistoryFiles } from '../store/historyFile';
import type { Component } from './component';

/** Journal batch and snapshot periods: bounded SD writes (see docs/http-api.md, history). */
export const JOURNAL_EVERY_MIN = 10;
export const SNAPSHOT_EVERY_MIN = 6 * 60;
const MAX_POINTS = 2000;

/** One minute's record from a status snapshot and the share counters a minute earlier. */
export function recordOf(s: DaemonStatus, minute: number, prev: { accepted: number; rejected: number } | undefined): HistoryRecord {
  const temps = (k: 'chip_temp_c' | 'board_temp_c') => (s.thermal?.boards ?? []).map((b) => b[k]).filter((v): v is number => v !== null);
  const rpms = (s.thermal?.fans ?? []).map((f) => f.rpm).filter((v): v is number => v !== null);
  const rejected = Object.values(s.shares.rejected).reduce((a, b) => a + b, 0);
  return {
    minute,
    hashrate_hps: s.hashrate.chips['1m'].hps,
    pool_hps: s.hashrate.pool_accepted?.hps ?? NaN,
    power_w: s.power?.wall_w ?? NaN,
    chip_temp_max_c: temps('chip_temp_c').length ? Math.max(...temps('chip_temp_c')) : NaN,
    board_temp_max_c: temps('board_temp_c').length ? Math.max(...temps('board_temp_c')) : NaN,
    fan_rpm_min: rpms.length ? Math.min(...rpms) : NaN,
    accepted: prev ? Math.max(0, s.shares.accepted - prev.accepted) : 0,
    rejected: prev ? Math.max(0, rejected - prev.rejected) : 0,
  };
}

export class HistoryComponent implements Component<KabosuConfig> {
  readonly name = 'history';
  readonly critical = false;
  private ring = new HistoryRing(MINUTES_7D);
  private files: HistoryFiles;
  private timer?: TimerHandle;
  private pending: HistoryRecord[] = [];
  private prev?: { accepted: number; rejected: number };
  private lastSnapshotMin = 0;
  /** Bytes written to storage since start (for the closing figures). */
  bytesWritten = 0;

  constructor(
    dataDir: string,
    private readonly status: () => DaemonStatus,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Wall-clock epoch ms (history is stamped in real time; Clock.now() is monotonic). */
    private readonly wallNow: () => number = Date.now,
  ) {
    this.files = new HistoryFiles(join(dataDir, 'history.bin'), join(dataDir, 'history.journal'), MINUTES_7D);
  }

  async start(): Promise<void> {
    const loaded = this.files.load();
    this.ring = loaded.ring;
    for (const p of loaded.problems) this.log.warn({ problem: p }, 'history file damaged; kept what was intact');
    this.lastSnapshotMin = HistoryRing.minuteOf(this.wallNow());
    this.schedule();
  }

  private schedule(): void {
    const now = this.wallNow();
    const next = (HistoryRing.minuteOf(now) + 1) * 60_000;
    this.timer = this.clock.setTimeout(() => {
      this.sample();
      this.schedule();
    }, next - now + 5);
  }

  /** Takes this minute's sample (the timer calls it; tests may too). */
  sample(): void {
    let s: DaemonStatus;
    try {
      s = this.status();
    } catch {
      return; // still starting
    }
    const minute = HistoryRing.minuteOf(this.wallNow()) - 1; // the minute that just ended
    const r = recordOf(s, minute, this.prev);
    this.prev = { accepted: s.shares.accepted, rejected: Object.values(s.shares.rejected).reduce((a, b) => a + b, 0) };
    this.ring.put(r);
    this.pending.push(r);
    if (this.pending.length >= JOURNAL_EVERY_MIN) this.flush();
    if (minute - this.lastSnapshotMin >= SNAPSHOT_EVERY_MIN) this.snapshot(minute);
  }

  private flush(): void {
    try {
      this.bytesWritten += this.files.append(this.pending);
      this.pending = [];
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'history journal write failed; will retry');
      if (this.pending.length > 6 * JOURNAL_EVERY_MIN) this.pending.splice(0, this.pending.length - 6 * JOURNAL_EVERY_MIN);
    }
  }

  private snapshot(minute: number): void {
    try {
      this.flush();
      this.bytesWritten += this.files.snapshot(this.ring);
      this.lastSnapshotMin = minute;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'history snapshot failed; the journal keeps the data');
    }
  }

  /** GET /api/v1/history?from=<ms>&to=<ms>&step=<minutes> (default: the last 24 h). */
  query(q: URLSearchParams): unknown {
    const num = (k: string, def: number): number => {
      const v = q.get(k);
      if (v === null) return def;
      if (!/^[0-9]{1,15}$/.test(v)) throw new KabosuError('KBS_E_API_BAD_QUERY', `${k} must be a non-negative integer`, { hint: 'from/to are epoch milliseconds, step is minutes' });
      return Number(v);
    };
    const now = this.wallNow();
    const to = HistoryRing.minuteOf(num('to', now));
    const from = HistoryRing.minuteOf(num('from', now - 24 * 3600_000));
    if (from > to) throw new KabosuError('KBS_E_API_BAD_QUERY', 'from is after to');
    const span = Math.min(to - from + 1, MINUTES_7D);
    const step = Math.max(num('step', 1), Math.ceil(span / MAX_POINTS));
    const records = downsample(this.ring.range(from, to), step);
    const clean = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);
    return {
      step_minutes: step,
      series: records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k === 'minute' ? 'at_ms' : k, k === 'minute' ? v * 60_000 : clean(v)]))),
    };
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.snapshot(HistoryRing.minuteOf(this.wallNow()));
  }
}
