/** Pure builders: DaemonStatus -> the JSON published on each topic (schemas in docs/mqtt.md). */
import type { ChainStatus, DaemonEvent, DaemonStatus, PoolStatus } from '../../core/minerApi';
import { API_VERSION } from './topics';

const r = (x: number | null | undefined, d = 1): number | null => (x == null || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

export interface TelemetryPayload {
  v: number;
  ts: number;
  state: DaemonStatus['state'];
  uptime_s: number;
  hashrate_ghs: number | null;
  hashrate_1m_ghs: number | null;
  pool_hashrate_ghs: number | null;
  power_w: number | null;
  /** The persisted energy counter (src/power/energyCounter.ts), kWh; null without power figures. */
  energy_kwh: number | null;
  efficiency_j_per_gh: number | null;
  chip_temp_c: number | null;
  board_temp_c: number | null;
  fan_rpm: (number | null)[];
  pool: string | null;
  pool_state: string | null;
  accepted: number;
  rejected: number;
  /** The active pool's share difficulty. */
  pool_difficulty: number | null;
  /** Sum of the pool difficulty of accepted shares, all pools. */
  difficulty_accepted: number;
  /** Difficulty-1 shares per minute the pools saw (accepted + rejected difficulty * 60 / uptime), as cgminer. */
  work_utility: number;
  /** Economics (present only when economics is enabled; docs/economics.md), money per day in `currency`. */
  margin_per_day?: number | null;
  revenue_per_day?: number | null;
  cost_per_day?: number | null;
  break_even_price_per_kwh?: number | null;
  electricity_price_per_kwh?: number | null;
  power_source?: string;
  curtailed?: boolean;
  currency?: string;
}

/**
 * cgminer's Work Utility: (difficulty accepted + rejected) per minute of uptime, over the real
 * elapsed time (whole seconds made a share accepted in the first second read as utility 0).
 */
export function workUtility(accepted: number, rejected: number, uptimeS: number): number {
  return uptimeS > 0 ? Math.round(((accepted + rejected) * 60 / uptimeS) * 100) / 100 : 0;
}

const GH = 1e9;

/** The periodic summary (small on purpose: bytes per minute is a budget). */
export function telemetryPayload(s: DaemonStatus, nowMs: number): TelemetryPayload {
  const active = s.pools.find((p) => p.active) ?? null;
  const power = s.power?.wall_w ?? null;
  const hs = s.hashrate.chips['5s'].hps;
  const temps = (s.thermal?.boards ?? []);
  const max = (xs: (number | null)[]): number | null => { const v = xs.filter((x): x is number => x != null); return v.length ? Math.max(...v) : null; };
  return {
    v: API_VERSION,
    ts: nowMs,
    state: s.state,
    uptime_s: Math.floor(s.uptime_s),
    hashrate_ghs: r(hs / GH, 3),
    hashrate_1m_ghs: r(s.hashrate.chips['1m'].hps / GH, 3),
    pool_hashrate_ghs: s.hashrate.pool_accepted ? r(s.hashrate.pool_accepted.hps / GH, 3) : null,
    power_w: r(power),
    // 1 Wh resolution; rounding keeps the value monotonic (HA's total_increasing reads a drop as a reset).
    energy_kwh: r(s.power?.energy_kwh, 3),
    efficiency_j_per_gh: power != null && hs > 0 ? r(power / (hs / GH), 3) : null,
    chip_temp_c: r(max(temps.map((b) => b.chip_temp_c))),
    board_temp_c: r(max(temps.map((b) => b.board_temp_c))),
    fan_rpm: (s.thermal?.fans ?? []).map((f) => f.rpm),
    pool: active?.name ?? null,
    pool_state: active?.state ?? null,
    accepted: s.shares.accepted,
    rejected: Object.values(s.shares.rejected).reduce((a, b) => a + b, 0),
    pool_difficulty: active?.difficulty != null && Number.isFinite(active.difficulty) ? active.difficulty : null,
    difficulty_accepted: s.shares.difficulty_accepted ?? 0,
    work_utility: workUtility(s.shares.difficulty_accepted ?? 0, s.shares.difficulty_rejected ?? 0, s.uptime_s),
    ...(s.economics ? economicsFields(s.economics) : {}),
  };
}

function economicsFields(e: NonNullable<DaemonStatus['economics']>): Partial<TelemetryPayload> {
  return {
    margin_per_day: r(e.now.margin_per_day, 3), revenue_per_day: r(e.now.revenue_per_day, 3), cost_per_day: r(e.now.cost_per_day, 3),
    break_even_price_per_kwh: r(e.now.break_even_price_per_kwh, 4), electricity_price_per_kwh: r(e.tariff.price_per_kwh, 4),
    power_source: e.power.source, curtailed: e.policy.curtailed, currency: e.currency,
  };
}

export function chainPayload(c: ChainStatus, nowMs: number): Record<string, unknown> {
  return {
    v: API_VERSION, ts: nowMs, index: c.index, chips_found: c.chips_found, chips_expected: c.chips_expected,
    hashrate_ghs: r(c.hashrate['5s'].hps / GH, 3), nonces: c.nonces, hw_errors: c.hw_errors,
    freq_mhz: c.freq_mhz, silent_chips: c.silent_chips,
  };
}

/** Pool list; the URL is kept but any userinfo (user:password@) is stripped: no secrets in payloads. */
export function poolsPayload(pools: PoolStatus[], nowMs: number, uptimeS = 0): Record<string, unknown> {
  return {
    v: API_VERSION, ts: nowMs,
    pools: pools.map((p) => ({
      name: p.name, url: p.url.replace(/\/\/[^/@]*@/, '//'), state: p.state, active: p.active,
      difficulty: p.difficulty, latency_ms: p.latency_ms, accepted: p.accepted, rejected: p.rejected,
      stale: p.stale ?? 0, difficulty_accepted: p.difficulty_accepted ?? 0, difficulty_rejected: p.difficulty_rejected ?? 0,
      difficulty_stale: p.difficulty_stale ?? 0, last_share_difficulty: p.last_share_difficulty ?? null,
      work_utility: workUtility(p.difficulty_accepted ?? 0, p.difficulty_rejected ?? 0, uptimeS),
      rejected_reasons: { ...(p.rejected_reasons ?? {}) },
      last_reject: p.last_reject ? { code: p.last_reject.code, text: p.last_reject.text, at_ms: p.last_reject.at_ms } : null,
    })),
  };
}

export function eventPayload(e: DaemonEvent): Record<string, unknown> {
  return { v: API_VERSION, ts: e.at_ms, severity: e.severity, source: e.source, kind: e.kind, message: e.message, ...(e.data ? { data: e.data } : {}) };
}
