/**
 * The money and energy ledger (pure; persisting is the caller's, ledgerStore.ts): each tick adds
 * its energy, revenue and cost to minute, hour and day buckets, so the report can show the last
 * 1 h / 24 h / 30 d and the energy per day and month. Revenue and cost are only added while their
 * inputs are known (a gap in prices is a gap, never a zero).
 */
export interface Bucket {
  /** Bucket index: epoch ms / bucket length. */
  at: number;
  kwh: number;
  revenue: number;
  cost: number;
  /** Seconds the revenue figure covered (how much of the bucket had prices). */
  pricedS: number;
}

export interface WindowFigures {
  kwh: number;
  revenue: number;
  cost: number;
  margin: number;
  /** Fraction of the window the ledger has data for, 0..1. */
  coverage: number;
}

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const KEEP = { minute: 61, hour: 31 * 24 + 1, day: 400 };

export interface LedgerTick {
  nowMs: number;
  dtMs: number;
  powerW: number | null;
  revenuePerDay: number | null;
  pricePerKwh: number;
}

export class Ledger {
  private minutes: Bucket[] = [];
  hours: Bucket[] = [];
  days: Bucket[] = [];

  constructor(saved?: { hours: Bucket[]; days: Bucket[] }) {
    if (saved) {
      this.hours = saved.hours.map((b) => ({ ...b }));
      this.days = saved.days.map((b) => ({ ...b }));
    }
  }

  add(t: LedgerTick): void {
    // A long gap (daemon stopped, clock jump) is not integrated.
    if (!(t.dtMs > 0) || t.dtMs > 5 * MIN) return;
    const kwh = t.powerW !== null && Number.isFinite(t.powerW) && t.powerW >= 0 ? (t.powerW * t.dtMs) / 3.6e9 : 0;
    const priced = t.revenuePerDay !== null && Number.isFinite(t.revenuePerDay);
    const revenue = priced ? (t.revenuePerDay! * t.dtMs) / DAY : 0;
    const cost = kwh * t.pricePerKwh;
    for (const [list, len, keep] of [[this.minutes, MIN, KEEP.minute], [this.hours, HOUR, KEEP.hour], [this.days, DAY, KEEP.day]] as const) {
      const at = Math.floor(t.nowMs / len);
      let b = list[list.length - 1];
      if (!b || b.at !== at) {
        b = { at, kwh: 0, revenue: 0, cost: 0, pricedS: 0 };
        list.push(b);
        while (list.length > 0 && list[0]!.at <= at - keep) list.shift();
      }
      b.kwh += kwh;
      b.cost += cost;
      if (priced) {
        b.revenue += revenue;
        b.pricedS += t.dtMs / 1000;
      }
    }
  }

  /** The last `windowMs` (1 h from minute buckets, longer from hour buckets). */
  window(nowMs: number, windowMs: number): WindowFigures {
    const len = windowMs <= HOUR ? MIN : HOUR;
    const list = windowMs <= HOUR ? this.minutes : this.hours;
    // Buckets that end inside the window (the current, partial one included).
    const inside = list.filter((b) => (b.at + 1) * len > nowMs - windowMs);
    const sum = (k: 'kwh' | 'revenue' | 'cost' | 'pricedS') => inside.reduce((s, b) => s + b[k], 0);
    const revenue = sum('revenue');
    const cost = sum('cost');
    return { kwh: sum('kwh'), revenue, cost, margin: revenue - cost, coverage: Math.min(1, sum('pricedS') / (windowMs / 1000)) };
  }

  /** Energy per UTC day (the last `n`), newest last. */
  energyByDay(n = 31): { day: string; kwh: number; cost: number }[] {
    return this.days.slice(-n).map((b) => ({ day: new Date(b.at * DAY).toISOString().slice(0, 10), kwh: b.kwh, cost: b.cost }));
  }

  /** Energy per UTC month, from the day buckets (up to 13 months), newest last. */
  energyByMonth(): { month: string; kwh: number; cost: number }[] {
    const m = new Map<string, { kwh: number; cost: number }>();
    for (const b of this.days) {
      const k = new Date(b.at * DAY).toISOString().slice(0, 7);
      const e = m.get(k) ?? { kwh: 0, cost: 0 };
      e.kwh += b.kwh;
      e.cost += b.cost;
      m.set(k, e);
    }
    return [...m.entries()].map(([month, e]) => ({ month, ...e }));
  }

  toJSON(): { v: 1; hours: Bucket[]; days: Bucket[] } {
    return { v: 1, hours: this.hours, days: this.days };
  }
}

/** A saved ledger, checked field by field; anything malformed is dropped (and said). */
export function parseLedger(v: unknown): { hours: Bucket[]; days: Bucket[]; problem?: string } {
  const ok = (b: unknown): b is Bucket => {
    if (b === null || typeof b !== 'object') return false;
    const o = b as Record<string, unknown>;
    return ['at', 'kwh', 'revenue', 'cost', 'pricedS'].every((k) => typeof o[k] === 'number' && Number.isFinite(o[k] as number)) && (o.kwh as number) >= 0;
  };
  if (v === null || typeof v !== 'object') return { hours: [], days: [], problem: 'ledger is not an object' };
  const o = v as Record<string, unknown>;
  const list = (x: unknown) => (Array.isArray(x) ? x : []);
  const hours = list(o.hours).filter(ok);
  const days = list(o.days).filter(ok);
  const dropped = list(o.hours).length + list(o.days).length - hours.length - days.length;
  return { hours, days, ...(dropped > 0 ? { problem: `${dropped} malformed ledger buckets dropped` } : {}) };
}
