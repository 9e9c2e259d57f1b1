/**
 * Energy-price policy (pure; the component acts through the daemon's owners): curtail when the
 * margin at the current price is below a threshold or during configured tariff windows, resume
 * with hysteresis (a higher resume threshold and a minimum hold), and follow a power setpoint.
 * Every decision carries the numbers behind it for the log. Market data that is stale or missing
 * never keeps the miner curtailed: margin curtailment releases (mining does not depend on prices).
 */
import { activeWindow, type TimeWindow } from './tariff';
import type { MarketQuality } from './market';

export interface CurtailConfig {
  enabled: boolean;
  action: 'pause' | 'power';
  /** For action 'power': the power target while curtailed. */
  powerW?: number;
  /** Curtail when the margin now (per day) is below this. */
  marginBelowPerDay: number;
  /** Resume when the expected margin is at least this (>= marginBelowPerDay: hysteresis). */
  resumeAbovePerDay: number;
  windows: readonly TimeWindow[];
  utcOffsetMin: number;
  /** Least time between two changes (ms). */
  minHoldMs: number;
}

export interface PolicyInput {
  /** Daemon clock (monotonic) for the hold; epoch for the windows. */
  nowMs: number;
  epochMs: number;
  /** Margin per day at the current price, measured (running) or expected at the last running point (curtailed). */
  marginNowPerDay: number | null;
  quality: MarketQuality;
  pricePerKwh: number;
}

export type Decision =
  | { action: 'curtail'; reason: 'window' | 'margin'; message: string; numbers: Record<string, number | string | null> }
  | { action: 'resume'; reason: 'window-ended' | 'margin-recovered' | 'market-data-unusable'; message: string; numbers: Record<string, number | string | null> };

export class CurtailPolicy {
  curtailed: null | { reason: 'window' | 'margin'; sinceMs: number } = null;
  private lastChangeMs = -Infinity;

  constructor(public config: CurtailConfig) {}

  /** Someone else changed the state (the operator resumed, a safety owner acted): start afresh, held. */
  override(nowMs: number): void {
    this.curtailed = null;
    this.lastChangeMs = nowMs;
  }

  decide(i: PolicyInput): Decision | null {
    const c = this.config;
    if (!c.enabled) {
      if (!this.curtailed) return null;
      return this.change(i, { action: 'resume', reason: 'margin-recovered', message: 'curtailment disabled in config: resuming' });
    }
    const win = activeWindow(c.windows, i.epochMs, c.utcOffsetMin);
    const held = i.nowMs - this.lastChangeMs >= c.minHoldMs;
    const usable = i.quality === 'ok' && i.marginNowPerDay !== null;
    const m = i.marginNowPerDay;
    if (!this.curtailed) {
      if (win) return this.change(i, { action: 'curtail', reason: 'window', message: `curtailing: tariff window ${win.from}-${win.to}` });
      if (usable && m! < c.marginBelowPerDay && held) {
        return this.change(i, { action: 'curtail', reason: 'margin', message: `curtailing: margin ${m!.toFixed(2)}/day below ${c.marginBelowPerDay}/day at ${i.pricePerKwh}/kWh` });
      }
      return null;
    }
    if (win) {
      this.curtailed.reason = 'window';
      return null;
    }
    if (!usable) return this.change(i, { action: 'resume', reason: 'market-data-unusable', message: `resuming: market data ${i.quality}, mining does not wait for prices` });
    if (this.curtailed.reason === 'window') {
      if (m! >= c.marginBelowPerDay) return this.change(i, { action: 'resume', reason: 'window-ended', message: 'resuming: tariff window over' });
      this.curtailed.reason = 'margin'; // the window ended but the margin is still too low
      return null;
    }
    if (m! >= c.resumeAbovePerDay && held) {
      return this.change(i, { action: 'resume', reason: 'margin-recovered', message: `resuming: expected margin ${m!.toFixed(2)}/day at or above ${c.resumeAbovePerDay}/day` });
    }
    return null;
  }

  private change(i: PolicyInput, d: Omit<Decision, 'numbers'>): Decision {
    this.lastChangeMs = i.nowMs;
    this.curtailed = d.action === 'curtail' ? { reason: d.reason as 'window' | 'margin', sinceMs: i.nowMs } : null;
    return {
      ...d,
      numbers: {
        margin_now_per_day: i.marginNowPerDay, price_per_kwh: i.pricePerKwh, quality: i.quality,
        curtail_below_per_day: this.config.marginBelowPerDay, resume_above_per_day: this.config.resumeAbovePerDay,
      },
    } as Decision;
  }
}

/** A power setpoint from outside (demand response): a number of watts or null (release). */
export function parseSetpoint(text: string): { watts: number | null } | null {
  const t = text.trim();
  if (t === '' || t === 'null' || t === '"none"' || t.toLowerCase() === 'none') return { watts: null };
  let v: unknown = t;
  try {
    v = JSON.parse(t);
  } catch {
    /* bare */
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) v = (v as Record<string, unknown>).watts;
  if (v === null) return { watts: null };
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 50 && n <= 20_000 ? { watts: n } : null;
}

/**
 * The power target to ask the tuner for: curtailed to a power level wins (lowest of it and the
 * setpoint), then a fresh setpoint, then an applied recommendation; null = the config's target.
 */
export function wantedPowerTarget(o: { curtailW: number | null; setpointW: number | null; recommendedW: number | null }): number | null {
  if (o.curtailW !== null) return o.setpointW !== null ? Math.min(o.curtailW, o.setpointW) : o.curtailW;
  return o.setpointW ?? o.recommendedW;
}

/** Applies a target only when it changed beyond a dead band (so a noisy setpoint does not re-plan the tuner). */
export class TargetDeduper {
  applied: number | null | undefined = undefined;
  constructor(private readonly deadbandW = 10) {}
  needs(w: number | null): boolean {
    if (this.applied === undefined) return w !== null;
    if (w === null || this.applied === null) return w !== this.applied;
    return Math.abs(w - this.applied) > Math.max(this.deadbandW, 0.01 * this.applied);
  }
  done(w: number | null): void {
    this.applied = w;
  }
}
