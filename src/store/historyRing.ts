/**
 * Minute-resolution history of a fixed set of series for a fixed span (default 7 days): one
 * Float32 per series per minute in a ring, with the minute each slot holds so gaps and wraps are
 * exact. Pure (time is an argument); the file codec and journal are in historyFile.ts.
 */
export const HISTORY_SERIES = [
  'hashrate_hps', // chips, 1-minute window
  'pool_hps', // accepted share difficulty, as credited
  'power_w',
  'chip_temp_max_c',
  'board_temp_max_c',
  'fan_rpm_min',
  'accepted', // shares accepted in the minute
  'rejected', // shares rejected in the minute
] as const;

export type HistorySeries = (typeof HISTORY_SERIES)[number];
export type HistoryRecord = { minute: number } & Record<HistorySeries, number>;

export const MINUTES_7D = 7 * 24 * 60;

export class HistoryRing {
  /** Minute (since the epoch) each slot holds; 0 = empty. */
  readonly minutes: Uint32Array;
  readonly values: Float32Array;

  constructor(readonly capacity = MINUTES_7D) {
    this.minutes = new Uint32Array(capacity);
    this.values = new Float32Array(capacity * HISTORY_SERIES.length);
  }

  static minuteOf(ms: number): number {
    return Math.floor(ms / 60_000);
  }

  /** Stores (or replaces) the record of its minute. NaN means "no reading". */
  put(r: HistoryRecord): void {
    if (!Number.isInteger(r.minute) || r.minute <= 0) return;
    const slot = r.minute % this.capacity;
    this.minutes[slot] = r.minute;
    const base = slot * HISTORY_SERIES.length;
    HISTORY_SERIES.forEach((s, i) => (this.values[base + i] = Number.isFinite(r[s]) ? r[s] : NaN));
  }

  get(minute: number): HistoryRecord | undefined {
    const slot = minute % this.capacity;
    if (this.minutes[slot] !== minute) return undefined;
    const base = slot * HISTORY_SERIES.length;
    const out = { minute } as HistoryRecord;
    HISTORY_SERIES.forEach((s, i) => (out[s] = this.values[base + i]));
    return out;
  }

  /** Records in [fromMinute, toMinute], oldest first, gaps skipped; capped at the ring's span. */
  range(fromMinute: number, toMinute: number): HistoryRecord[] {
    const out: HistoryRecord[] = [];
    const from = Math.max(fromMinute, toMinute - this.capacity + 1);
    for (let m = from; m <= toMinute; m++) {
      const r = this.get(m);
      if (r) out.push(r);
    }
    return out;
  }

  /** The newest minute stored, or 0. */
  newest(): number {
    let best = 0;
    for (let i = 0; i < this.capacity; i++) if (this.minutes[i] > best) best = this.minutes[i];
    return best;
  }
}

/** Averages records into buckets of `stepMinutes` (for long ranges); NaN readings are skipped. */
export function downsample(records: HistoryRecord[], stepMinutes: number): HistoryRecord[] {
  if (stepMinutes <= 1) return records;
  const buckets = new Map<number, HistoryRecord[]>();
  for (const r of records) {
    const k = Math.floor(r.minute / stepMinutes) * stepMinutes;
    const list = buckets.get(k) ?? [];
    list.push(r);
    buckets.set(k, list);
  }
  return [...buckets].map(([minute, list]) => {
    const out = { minute } as HistoryRecord;
    for (const s of HISTORY_SERIES) {
      const vals = list.map((r) => r[s]).filter((v) => Number.isFinite(v));
      const sum = vals.reduce((a, b) => a + b, 0);
      // counts add up over the bucket; levels are averaged
      out[s] = vals.length === 0 ? NaN : s === 'accepted' || s === 'rejected' ? sum : sum / vals.length;
    }
    return out;
  });
}
