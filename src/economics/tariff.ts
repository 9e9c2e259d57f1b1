/**
 * Electricity tariff (pure): a flat price, a time-of-use schedule (windows by weekday and local
 * time, midnight-wrapping allowed), or a live price from a topic that falls back to the
 * schedule/flat price when it is older than its max age. Local time is UTC plus `utcOffsetMin`
 * (a fixed offset: the board has no time-zone database).
 */
import { KabosuError } from '../core/errors';

export interface TimeWindow {
  /** 0 = Sunday .. 6 = Saturday; absent = every day. */
  days?: readonly number[];
  /** "HH:MM" local; `to` <= `from` wraps past midnight. */
  from: string;
  to: string;
}

export interface TariffWindow extends TimeWindow {
  pricePerKwh: number;
}

export interface TariffSpec {
  kind: 'flat' | 'schedule' | 'live';
  /** Flat price, and the price outside every schedule window (currency per kWh). */
  pricePerKwh: number;
  schedule?: readonly TariffWindow[];
  utcOffsetMin?: number;
  /** Live: the price is stale after this long. */
  liveMaxAgeMs?: number;
}

export interface TariffPrice {
  pricePerKwh: number;
  /** flat | schedule window "HH:MM-HH:MM" | live | live-stale (fell back). */
  source: string;
  quality: 'ok' | 'stale';
}

export class TariffError extends KabosuError {}

/** Minutes after local midnight for "HH:MM"; throws a TariffError for anything else. */
export function parseClock(s: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  if (!m) throw new TariffError('KBS_E_ECON_TARIFF', `${JSON.stringify(s).slice(0, 40)} is not a time of day`, { hint: 'write times as "HH:MM", 24-hour, e.g. "17:30"' });
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Checks a schedule up front so a typo is a config error, not a silent wrong price. */
export function validateWindows(ws: readonly TimeWindow[], at: string): void {
  ws.forEach((w, i) => {
    try {
      parseClock(w.from);
      parseClock(w.to);
    } catch (err) {
      throw new TariffError('KBS_E_ECON_TARIFF', `${at}[${i}]: ${(err as Error).message}`, { hint: 'write times as "HH:MM", 24-hour' });
    }
    for (const d of w.days ?? []) if (!Number.isInteger(d) || d < 0 || d > 6) throw new TariffError('KBS_E_ECON_TARIFF', `${at}[${i}].days: ${d} is not a weekday 0-6`, { hint: '0 = Sunday .. 6 = Saturday' });
  });
}

function local(nowEpochMs: number, offsetMin: number): { day: number; minute: number } {
  const d = new Date(nowEpochMs + offsetMin * 60_000);
  return { day: d.getUTCDay(), minute: d.getUTCHours() * 60 + d.getUTCMinutes() };
}

/** Whether the local time falls in the window (a wrapping window belongs to the day it starts). */
export function inWindow(w: TimeWindow, nowEpochMs: number, offsetMin = 0): boolean {
  const { day, minute } = local(nowEpochMs, offsetMin);
  const from = parseClock(w.from);
  const to = parseClock(w.to);
  const dayOk = (d: number) => w.days === undefined || w.days.includes(d);
  if (from < to) return dayOk(day) && minute >= from && minute < to;
  if (from === to) return dayOk(day); // the whole day
  if (minute >= from) return dayOk(day);
  return minute < to && dayOk((day + 6) % 7);
}

/** The schedule's window for now (the first that matches), or null. */
export function activeWindow<W extends TimeWindow>(ws: readonly W[], nowEpochMs: number, offsetMin = 0): W | null {
  return ws.find((w) => inWindow(w, nowEpochMs, offsetMin)) ?? null;
}

/** The price now. `live`: the last live price and when it came (daemon clock), if any. */
export function priceAt(t: TariffSpec, nowEpochMs: number, live?: { pricePerKwh: number; ageMs: number } | null): TariffPrice {
  const planned = (): TariffPrice => {
    const w = t.schedule && t.kind !== 'flat' ? activeWindow(t.schedule, nowEpochMs, t.utcOffsetMin ?? 0) : null;
    return w ? { pricePerKwh: w.pricePerKwh, source: `schedule ${w.from}-${w.to}`, quality: 'ok' } : { pricePerKwh: t.pricePerKwh, source: 'flat', quality: 'ok' };
  };
  if (t.kind !== 'live') return planned();
  if (live && live.ageMs <= (t.liveMaxAgeMs ?? 15 * 60_000)) return { pricePerKwh: live.pricePerKwh, source: 'live', quality: 'ok' };
  return { ...planned(), source: `live-stale (${planned().source})`, quality: 'stale' };
}

/** Mean planned price over the next `hours` (15-min steps): the per-day cost of a TOU tariff. */
export function meanPrice(t: TariffSpec, fromEpochMs: number, hours = 24, live?: { pricePerKwh: number; ageMs: number } | null): number {
  if (t.kind === 'live') return priceAt(t, fromEpochMs, live).pricePerKwh; // a live price has no future
  let s = 0;
  const n = hours * 4;
  for (let i = 0; i < n; i++) s += priceAt(t, fromEpochMs + i * 15 * 60_000).pricePerKwh;
  return s / n;
}

/** A live price payload: a bare number, a decimal string, or `{"price": n}` / `{"pricePerKwh": n}`. */
export function parseLivePrice(text: string): number | null {
  const t = text.trim();
  if (t.length === 0 || t.length > 4096) return null;
  let v: unknown = t;
  try {
    v = JSON.parse(t);
  } catch {
    /* a bare string */
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    v = o.pricePerKwh ?? o.price ?? o.value;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  // Negative prices happen on spot markets (surplus); a 100/kWh price is a unit slip.
  return Number.isFinite(n) && n >= -10 && n <= 100 ? n : null;
}
