/**
 * The economics engine (pure): one tick takes the daemon's status, the time and the inputs the
 * adapters received (market payloads, wall meter, live price, setpoint), and returns the
 * `status.economics` report and the actions to take. The component (src/app/economics.ts) runs
 * the actions through the daemon's owners (pause/resume, the tuner's setPowerTarget) and never
 * powers anything itself; safety and thermal limits stay with their owners and always win.
 */
import type { DaemonStatus, EconomicsStatus } from '../core/minerApi';
import type { KabosuConfig } from '../config';
import { Ledger, type Bucket } from './ledger';
import { MARKET_FIELDS, type MarketField } from './market';
import { MarketCache } from './marketCache';
import { CurtailPolicy, TargetDeduper, wantedPowerTarget, type CurtailConfig } from './policy';
import { powerTruth } from './powerTruth';
import { profit, revenuePerDay } from './profit';
import { recommend, type CurvePoint, type Recommendation } from './recommend';
import { meanPrice, priceAt, validateWindows, type TariffSpec } from './tariff';

export type EconomicsConfig = KabosuConfig['economics'];

export type EconomicsAction =
  | { kind: 'pause'; message: string; numbers: Record<string, number | string | null> }
  | { kind: 'resume'; message: string; numbers: Record<string, number | string | null> }
  | { kind: 'power-target'; watts: number | null; message: string; numbers: Record<string, number | string | null> };

export interface TickInput {
  nowMs: number;
  epochMs: number;
  status: DaemonStatus;
  /** The tuner's curve (empty until it has characterised every board). */
  curve: readonly CurvePoint[];
}

const WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '30d': 30 * 86_400_000 } as const;

export function tariffSpec(c: EconomicsConfig): TariffSpec {
  return { kind: c.tariff.kind, pricePerKwh: c.tariff.pricePerKwh, schedule: c.tariff.schedule, utcOffsetMin: c.tariff.utcOffsetMin, liveMaxAgeMs: c.tariff.maxAgeS * 1000 };
}

export function curtailConfig(c: EconomicsConfig): CurtailConfig {
  const k = c.curtail;
  return { enabled: k.enabled, action: k.action, powerW: k.powerW, marginBelowPerDay: k.marginBelowPerDay, resumeAbovePerDay: Math.max(k.resumeAbovePerDay, k.marginBelowPerDay), windows: k.windows, utcOffsetMin: c.tariff.utcOffsetMin, minHoldMs: k.minHoldS * 1000 };
}

export class EconomicsEngine {
  readonly market: MarketCache;
  readonly ledger: Ledger;
  readonly policy: CurtailPolicy;
  private readonly deduper = new TargetDeduper();
  private meter: { watts: number; atMs: number } | null = null;
  private livePrice: { pricePerKwh: number; atMs: number } | null = null;
  private setpoint: { watts: number | null; atMs: number } | null = null;
  /** A recommendation applied on request (power W), until released. */
  appliedW: number | null = null;
  private lastTickMs: number | null = null;
  /** The last running point (accepted H/s, W): what curtailment expects to get back on resume. */
  private reference: { acceptedHps: number; powerW: number } | null = null;
  private pausedByUs = false;
  private lastAction: EconomicsStatus['policy']['last_action'] = null;
  private lastRecommendation: Recommendation | null = null;
  report?: EconomicsStatus;

  constructor(
    private config: EconomicsConfig,
    saved?: { hours: Bucket[]; days: Bucket[] },
  ) {
    EconomicsEngine.check(config);
    this.market = new MarketCache(config.market.maxAgeS * 1000);
    this.market.configure(config.market.fixed as Partial<Record<MarketField, number>>, config.market.maxAgeS * 1000);
    this.ledger = new Ledger(saved);
    this.policy = new CurtailPolicy(curtailConfig(config));
  }

  /** Throws a typed error naming the entry for what the schema cannot check (times are checked there too). */
  static check(c: EconomicsConfig): void {
    validateWindows(c.tariff.schedule, 'economics.tariff.schedule');
    validateWindows(c.curtail.windows, 'economics.curtail.windows');
  }

  reconfigure(c: EconomicsConfig): void {
    EconomicsEngine.check(c);
    this.config = c;
    this.market.configure(c.market.fixed as Partial<Record<MarketField, number>>, c.market.maxAgeS * 1000);
    this.policy.config = curtailConfig(c);
  }

  meterReading(watts: number, atMs: number): void {
    this.meter = { watts, atMs };
  }
  livePriceReading(pricePerKwh: number, atMs: number): void {
    this.livePrice = { pricePerKwh, atMs };
  }
  setpointReading(watts: number | null, atMs: number): void {
    this.setpoint = { watts, atMs };
  }

  /** The component tells the engine what really happened (an action failed, or was refused). */
  acted(a: EconomicsAction, ok: boolean, nowMs: number, epochMs: number, note?: string): void {
    if (a.kind === 'pause') this.pausedByUs = ok;
    if (a.kind === 'resume' && ok) this.pausedByUs = false;
    // A refused target (tuning off) is not retried every tick: the report says why.
    if (a.kind === 'power-target') this.deduper.done(a.watts);
    if (!ok && a.kind !== 'power-target') this.policy.override(nowMs);
    this.lastAction = { at_ms: epochMs, message: ok ? a.message : `${a.message} (not done: ${note ?? 'refused'})`, numbers: a.numbers };
    // The report shows what was done at once, not one tick later.
    if (this.report) {
      this.report.policy.last_action = this.lastAction;
      this.report.policy.curtailed = this.policy.curtailed !== null;
      this.report.policy.power_target_w = this.deduper.applied ?? null;
    }
  }

  /**
   * A report before the first tick (nothing measured yet), so consumers that look once at start
   * (Home Assistant discovery) see economics is on. Decides nothing.
   */
  placeholder(nowMs: number, epochMs: number): EconomicsStatus {
    const none = { hps: 0, rel_err: null };
    const status = { state: 'starting', hashrate: { chips: { '5s': none, '1m': none, '15m': none, total: none }, pool_accepted: null } } as unknown as DaemonStatus;
    return this.tick({ nowMs, epochMs, status, curve: [] }, true).status;
  }

  tick(i: TickInput, observeOnly = false): { status: EconomicsStatus; actions: EconomicsAction[] } {
    const c = this.config;
    const dt = this.lastTickMs === null || observeOnly ? 0 : i.nowMs - this.lastTickMs;
    if (!observeOnly) this.lastTickMs = i.nowMs;
    const s = i.status;
    const truth = powerTruth(s.power, this.meter ? { watts: this.meter.watts, ageMs: i.nowMs - this.meter.atMs } : null, { meterMaxAgeMs: c.wallMeter.maxAgeS * 1000, meterUncertainty: c.wallMeter.uncertaintyPct / 100 });
    const t = tariffSpec(c);
    const live = this.livePrice ? { pricePerKwh: this.livePrice.pricePerKwh, ageMs: i.nowMs - this.livePrice.atMs } : null;
    const price = priceAt(t, i.epochMs, live);
    const dayMean = meanPrice(t, i.epochMs, 24, live);
    const view = this.market.view(i.nowMs);
    const paused = s.state === 'paused';
    const accepted = paused ? 0 : (s.hashrate.pool_accepted?.hps ?? null);
    const p = profit({ acceptedHps: accepted, powerW: truth.total_w, priceNowPerKwh: price.pricePerKwh, priceDayPerKwh: dayMean, market: view });
    this.ledger.add({ nowMs: i.epochMs, dtMs: dt, powerW: truth.total_w, revenuePerDay: p.revenue_per_day, pricePerKwh: price.pricePerKwh });
    const actions: EconomicsAction[] = [];

    // Someone else resumed what we paused, or paused it themselves: their word wins, held.
    if (this.pausedByUs && !paused) {
      this.pausedByUs = false;
      this.policy.override(i.nowMs);
    }
    const operatorPaused = paused && !this.pausedByUs;
    if (!this.policy.curtailed && !paused && accepted !== null && accepted > 0 && truth.total_w !== null) this.reference = { acceptedHps: accepted, powerW: truth.total_w };
    const expected = this.policy.curtailed && this.reference ? revenuePerDay(this.reference.acceptedHps, view.values).revenue : null;
    const marginNow = this.policy.curtailed
      ? expected === null ? null : expected - (this.reference!.powerW * 24 * price.pricePerKwh) / 1000
      : p.margin_now_per_day;
    const tripped = (s.thermal?.boards ?? []).some((b) => b.state === 'tripped');
    if (!operatorPaused && !observeOnly) {
      const d = this.policy.decide({ nowMs: i.nowMs, epochMs: i.epochMs, marginNowPerDay: marginNow, quality: p.quality, pricePerKwh: price.pricePerKwh });
      if (d && d.action === 'resume' && tripped && this.policy.config.action === 'pause') {
        // The interlock holds a board off: do not resume into it; try again next tick.
        this.policy.curtailed = { reason: 'margin', sinceMs: i.nowMs };
      } else if (d && this.policy.config.action === 'pause') {
        actions.push({ kind: d.action === 'curtail' ? 'pause' : 'resume', message: d.message, numbers: d.numbers });
      } else if (d) {
        this.lastAction = { at_ms: i.epochMs, message: d.message, numbers: d.numbers };
      }
    }

    const rec = i.curve.length ? recommend({ curve: i.curve, market: view.values, pricePerKwh: dayMean, acceptedRatio: acceptedRatio(s), current: accepted !== null && truth.total_w !== null && !paused ? { acceptedHps: accepted, wallPowerW: truth.total_w } : null, currency: c.currency }) : null;
    this.lastRecommendation = rec;
    const setpointW = this.setpoint && i.nowMs - this.setpoint.atMs <= c.powerTarget.maxAgeS * 1000 ? this.setpoint.watts : null;
    const recommendedW = c.autoOptimize && rec && rec.best.apply.kind === 'power' && p.quality === 'ok' ? rec.best.apply.watts : this.appliedW;
    const curtailW = this.policy.curtailed && this.policy.config.action === 'power' ? (this.policy.config.powerW ?? null) : null;
    const want = wantedPowerTarget({ curtailW, setpointW, recommendedW });
    if (!observeOnly && this.deduper.needs(want)) {
      const why = curtailW !== null ? 'curtailed' : setpointW !== null ? 'setpoint' : recommendedW !== null ? (c.autoOptimize ? 'auto-optimise' : 'recommendation applied') : 'released';
      actions.push({ kind: 'power-target', watts: want, message: `power target ${want === null ? 'back to the config' : `${Math.round(want)} W`} (${why})`, numbers: { power_target_w: want, setpoint_w: setpointW, curtail_w: curtailW, recommended_w: recommendedW, price_per_kwh: price.pricePerKwh, margin_now_per_day: p.margin_now_per_day } });
    }

    const fields = Object.fromEntries(MARKET_FIELDS.map((f) => [f, view.fields[f]])) as EconomicsStatus['market'];
    const status: EconomicsStatus = {
      currency: c.currency,
      power: truth,
      tariff: { price_per_kwh: price.pricePerKwh, source: price.source, quality: price.quality, day_mean_per_kwh: dayMean },
      market: fields,
      market_problems: [...this.market.problems.entries()].map(([source, pr]) => ({ source, message: pr.message, age_s: (i.nowMs - pr.atMs) / 1000 })),
      now: p,
      windows: Object.fromEntries(Object.entries(WINDOWS).map(([k, ms]) => [k, this.ledger.window(i.epochMs, ms)])) as EconomicsStatus['windows'],
      energy: { by_day: this.ledger.energyByDay(31), by_month: this.ledger.energyByMonth() },
      policy: {
        curtailed: this.policy.curtailed !== null,
        reason: this.policy.curtailed?.reason ?? (operatorPaused ? 'paused by the operator' : null),
        action: this.policy.config.action,
        power_target_w: this.deduper.applied ?? null,
        setpoint_w: setpointW,
        auto_optimize: c.autoOptimize,
        last_action: this.lastAction,
      },
      recommendation: rec ? { label: rec.best.label, text: rec.text, gain_per_day: rec.gainPerDay, margin_per_day: rec.best.marginPerDay, hashrate_hps: rec.best.hashrateHps, power_w: rec.best.wallPowerW, price_per_kwh: rec.pricePerKwh } : null,
    };
    this.report = status;
    return { status, actions };
  }

  /** On request: the recommendation's power target from now on (until `release`). */
  applyRecommendation(): string {
    const r = this.lastRecommendation;
    if (!r) return 'no recommendation yet (the tuner has not measured its curve, or prices are missing)';
    if (r.best.apply.kind !== 'power') return `${r.best.label} is best at these prices: curtailment (economics.curtail) pauses; nothing applied`;
    this.appliedW = r.best.apply.watts;
    return `applying ${r.best.label}: power target ${r.best.apply.watts} W (${r.text})`;
  }
}

/** What the pool credits of the chips' hashrate, 0.5..1.1; 1 when unknown. */
export function acceptedRatio(s: DaemonStatus): number {
  const chips = s.hashrate.chips['15m'].hps;
  const pool = s.hashrate.pool_accepted?.hps;
  if (!pool || !(chips > 0)) return 1;
  return Math.max(0.5, Math.min(1.1, pool / chips));
}
